"""The registration task: VoxelMorph's moving / fixed inputs, flow head, integration and warp.

    moving, fixed -> concat -> backbone -> head (ndims channels, starts near zero)
      [-> RescaleTransform(1 / int_downsize) ] -> flow
      [-> VecInt(int_steps) -> RescaleTransform(int_downsize) -> displacement]
      -> SpatialTransformer(moving, displacement) -> moved

Layer names are fixed (`input_concat`, `flow_resize`, `flow`, `flow_int`,
`flow_upsample`, `displacement`, `transformer`, `moved`); outputs are
`[moved, flow]`, `flow` being the field the smoothness loss regularises
(VoxelMorph's `preint_flow`). Tensors are channels-last, flows voxel
displacements in `ij` order.
"""

from __future__ import annotations

import dataclasses

import keras
import numpy as np

from sshn_keras.layers import RescaleTransform, SpatialTransformer, VecInt
from sshn_keras.ops.checks import checked_images
from sshn_keras.ops.integrate import check_int_steps
from sshn_keras.ops.sizes import min_input_size
from sshn_keras.ops.warp import check_fill_value
from sshn_keras.tasks.base import Task
from sshn_keras.tasks.registration_model import RegistrationModel, tuples_for_fit

INPUT_NAMES = ("moving", "fixed")
OUTPUT_NAMES = ("moved", "flow")


@dataclasses.dataclass(frozen=True)
class RegistrationTask(Task):
    """Unsupervised deformable registration of `moving` onto `fixed` (VoxelMorph's `VxmDense` tail).

    Args:
        int_steps: scaling-and-squaring steps (VoxelMorph: 7; 0: the head's
            output is the displacement itself).
        int_downsize: with `int_steps > 0`, integrate at `1 / int_downsize`
            resolution (VoxelMorph: 2).
        fill_value: value of the moved image outside the moving image
            (None: clamp at the edges, VoxelMorph's default).
        flow_init_stddev: standard deviation of the head's initial kernels
            (VoxelMorph: `RandomNormal(1e-5)`), so an untrained network
            predicts an almost identity warp.

    Raises:
        ValueError: naming the argument, for a negative `int_steps`, an
            `int_downsize` that is not a positive int, a non-numeric
            `fill_value`, or a negative `flow_init_stddev`.

    Example:
    >>> RegistrationTask().to_config()["int_steps"]
    7
    """

    int_steps: int = 7
    int_downsize: int = 2
    fill_value: float | None = None
    flow_init_stddev: float = 1e-5
    name = "registration"
    input_names = INPUT_NAMES
    output_names = list(OUTPUT_NAMES)

    def __post_init__(self):
        object.__setattr__(self, "int_steps", check_int_steps(self.int_steps))
        d = self.int_downsize
        if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 1:
            raise ValueError(f"`int_downsize` must be a positive int. Received int_downsize={d!r}")
        object.__setattr__(self, "int_downsize", int(d))
        object.__setattr__(self, "fill_value", check_fill_value(self.fill_value))
        s = self.flow_init_stddev
        if isinstance(s, bool) or not isinstance(s, (int, float, np.floating)) or not 0.0 <= s < float("inf"):
            raise ValueError(f"`flow_init_stddev` must be a finite number >= 0. Received flow_init_stddev={s!r}")
        object.__setattr__(self, "flow_init_stddev", float(s))

    @property
    def head_init_stddev(self) -> float:
        return self.flow_init_stddev

    @property
    def downsized(self) -> bool:
        """Whether the flow is integrated at a lower resolution."""
        return self.int_steps > 0 and self.int_downsize > 1

    def out_channels(self, ndims: int) -> int:
        return ndims

    def check(self, image_shape: tuple) -> None:
        if self.downsized:
            for n in image_shape[:-1]:
                if n is not None and int(n) % self.int_downsize:
                    raise ValueError(
                        f"Spatial sizes must be divisible by int_downsize={self.int_downsize} (the flow is integrated "
                        f"at 1/{self.int_downsize} resolution and resized back). Received input_shape={tuple(image_shape)}"
                    )

    def backbone_input(self, inputs: dict):
        return keras.layers.Concatenate(name="input_concat")([inputs["moving"], inputs["fixed"]])

    def outputs(self, inputs: dict, head) -> dict:
        """`{"moved", "flow", "displacement"}` (`displacement` is `flow` when `int_steps=0`)."""
        flow = keras.layers.Activation("linear", dtype="float32", name="output")(head)
        if self.downsized:
            flow = RescaleTransform(1.0 / self.int_downsize, name="flow_resize")(flow)
        flow = keras.layers.Identity(name="flow")(flow)
        displacement = flow
        if self.int_steps > 0:
            displacement = VecInt(int_steps=self.int_steps, name="flow_int")(flow)
            if self.downsized:
                displacement = RescaleTransform(float(self.int_downsize), name="flow_upsample")(displacement)
            displacement = keras.layers.Identity(name="displacement")(displacement)
        moved = SpatialTransformer(
            interp_method="linear", indexing="ij", fill_value=self.fill_value, name="transformer"
        )([inputs["moving"], displacement])
        moved = keras.layers.Identity(name="moved")(moved)
        return {"moved": moved, "flow": flow, "displacement": displacement}

    def fixed_model(self, inputs: dict, outputs, name: str) -> keras.Model:
        return RegistrationModel([inputs["moving"], inputs["fixed"]], [outputs["moved"], outputs["flow"]], name=name)

    def split_inputs(self, inputs) -> tuple:
        if isinstance(inputs, dict):
            missing = [k for k in INPUT_NAMES if k not in inputs]
            if missing:
                raise ValueError(
                    f"A dict input must have the keys 'moving' and 'fixed' (and optionally 'phi'). "
                    f"Received keys {list(inputs)}"
                )
            return {"moving": inputs["moving"], "fixed": inputs["fixed"]}, inputs.get("phi")
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            raise ValueError(
                "A registration model takes [moving, fixed] (VoxelMorph's order) or a dict with keys "
                f"'moving', 'fixed'. Received {type(inputs).__name__}"
                + (f" of length {len(inputs)}" if isinstance(inputs, (list, tuple)) else "")
            )
        return {"moving": inputs[0], "fixed": inputs[1]}, None

    def checked_images(self, images: dict, image_shape: tuple, min_size: int) -> dict:
        check_pair_shapes(images["moving"].shape, images["fixed"].shape, image_shape, None, "inputs")
        return {k: checked_images(images[k], k, 1, image_shape[:-1], image_shape[-1]) for k in INPUT_NAMES}

    def call_outputs(self, out):
        return [out["moved"], out["flow"]]

    def check_data(self, x, y, image_shape: tuple, num_stages: int, what: str = "x") -> None:
        if isinstance(x, dict) and all(isinstance(x.get(k), np.ndarray) for k in INPUT_NAMES):
            x = [x["moving"], x["fixed"]]
        if isinstance(x, (list, tuple)) and all(isinstance(a, np.ndarray) for a in x):
            if len(x) != 2:
                raise ValueError(
                    f"`{what}` must be [moving, fixed] (two arrays). Received a {type(x).__name__} of {len(x)} arrays."
                )
            check_pair_shapes(x[0].shape, x[1].shape, image_shape, num_stages, what)
            for who, a in zip(INPUT_NAMES, x):
                if a.size == 0:
                    raise ValueError(f"`{what}`: the {who} images are empty (shape {a.shape}).")
                if not np.issubdtype(a.dtype, np.number) or np.issubdtype(a.dtype, np.complexfloating):
                    raise ValueError(f"`{what}`: the {who} images must hold real numbers. Received dtype {a.dtype}")
        elif isinstance(x, np.ndarray):
            raise ValueError(
                f"`{what}` must be [moving, fixed] (VoxelMorph's order), not a single array. Received shape {x.shape}"
            )
        if isinstance(y, (list, tuple)) and all(isinstance(a, np.ndarray) for a in y) and len(y) != 2:
            raise ValueError(f"`y` must be [fixed, zeros] (targets of moved and flow). Received {len(y)} arrays.")

    def prepare_fit(self, x, kwargs: dict) -> tuple:
        return tuples_for_fit(x, kwargs)


def check_pair_shapes(moving_shape, fixed_shape, image_shape=None, num_stages: int | None = None, what: str = "x") -> None:
    """Raise `ValueError` unless moving and fixed are batches of images of the same shape.

    Args:
        moving_shape, fixed_shape: shapes (None entries are not compared).
        image_shape: the model's `(*spatial, C)` (None entries free).
        num_stages: the U-Net's stages (checks the minimum spatial size).
        what: the argument name used in messages.
    """
    moving_shape, fixed_shape = tuple(moving_shape), tuple(fixed_shape)
    if image_shape is not None:
        expected = len(image_shape) + 1
        shown = ", ".join("?" if s is None else str(s) for s in image_shape)
        for who, shape in (("moving", moving_shape), ("fixed", fixed_shape)):
            if len(shape) != expected:
                raise ValueError(
                    f"`{what}`: the {who} images must have shape (batch, {shown}) (rank {expected}, channels last). "
                    f"Received shape {shape}"
                )
    if len(moving_shape) != len(fixed_shape) or any(
        a is not None and b is not None and a != b for a, b in zip(moving_shape, fixed_shape)
    ):
        raise ValueError(
            f"`{what}`: moving and fixed images must have the same shape. Received moving {moving_shape} "
            f"and fixed {fixed_shape}"
        )
    if image_shape is None:
        return
    for who, shape in (("moving", moving_shape), ("fixed", fixed_shape)):
        for n, want in zip(shape[1:], image_shape):
            if want is not None and n is not None and n != want:
                raise ValueError(
                    f"`{what}`: the {who} images must have shape (batch, {', '.join(map(str, image_shape))}). "
                    f"Received shape {shape}"
                )
    if num_stages is not None:
        min_size = min_input_size(num_stages)
        known = [n for n in moving_shape[1:-1] if n is not None]
        if known and min(known) < min_size:
            raise ValueError(
                f"`{what}`: images of spatial shape {moving_shape[1:-1]} are too small for {num_stages} stages: "
                f"each axis needs at least {min_size} voxels."
            )
