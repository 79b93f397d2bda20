"""`ArchitectureSpec`: what every architecture spec shares (Fixed build, FLOPs, config round trip).

A spec is a frozen dataclass of an architecture's arguments, checked in
`__post_init__`. It lays out its graph with `build(x, out_channels, conv,
downsample, upsample)`, given how convolutions and resizes are made (by a
method, see `sshn_keras.models.strategies`), and ends with a linear head
named `"head"`; a task (`sshn_keras.tasks`) supplies inputs and outputs
around it.
"""

from __future__ import annotations

import dataclasses
from typing import Callable

import keras

from sshn_keras.architectures.factories import constant_downsample, plain_conv_factory, resize_to_skip
from sshn_keras.architectures.flops import count_flops
from sshn_keras.priors import validate_phi
from sshn_keras.registry import NamedConfig
from sshn_keras.tasks import Task, get_task


@dataclasses.dataclass(frozen=True)
class ArchitectureSpec(NamedConfig):
    """Base of the architecture specs (subclasses: `UNetSpec`, `VxmDenseSpec`).

    Subclasses define `name` (their registry name), the properties
    `input_shape`, `num_stages`, `negative_slope`, and `build`.
    """

    name = ""
    default_task_name = "segmentation"
    kernel_initializer = None  # None: He for the LeakyReLU; "he_normal": Keras' (VoxelMorph's)

    # -- to implement (fields or properties: `input_shape`, `num_stages`, `negative_slope`) --------
    def build(self, x, out_channels: int, conv: Callable, downsample: Callable, upsample: Callable = resize_to_skip):
        """Lay out the graph on `x`; returns the linear head `(batch, *spatial, out_channels)`."""
        raise NotImplementedError

    # -- shared -----------------------------------------------------------------------
    @property
    def ndims(self) -> int:
        """Spatial axes (2 or 3)."""
        return len(self.input_shape) - 1

    def min_size(self) -> int:
        """Smallest spatial size accepted, `2**(num_stages - 1)` (one voxel at the bottom at phi = 0.5)."""
        return 2 ** (self.num_stages - 1)

    def default_task(self) -> Task:
        """The task `build_fixed` and `flops` use when none is given."""
        return get_task(self.default_task_name)

    def build_fixed(self, phi: float = 0.5, task=None, name: str | None = None) -> keras.Model:
        """The Fixed network at `phi`: ordinary convolutions, every rescale by the constant `phi`.

        This is what a phi-conditioned model materialises at `phi`.

        Args:
            phi: rescaling factor in (0, 1].
            task: a `Task`, a registered task name or a task config (default:
                `default_task()`).
            name: model name (default `"{spec name}_phi{phi}"`).

        Raises:
            ValueError: for phi outside (0, 1] or a task that cannot run on
                `input_shape`.
        """
        phi = validate_phi(phi)
        task = self.default_task() if task is None else get_task(task)
        task.check(self.input_shape)
        inputs = task.inputs(self.input_shape)
        conv = plain_conv_factory(self.ndims, self.negative_slope, task.head_init_stddev, self.kernel_initializer)
        head = self.build(task.backbone_input(inputs), task.out_channels(self.ndims), conv, constant_downsample(phi))
        return task.fixed_model(inputs, task.outputs(inputs, head), name or f"{self.name}_phi{phi:g}")

    def flops(self, phi: float, task=None) -> dict:
        """Exact FLOPs of the network at `phi` on one input: `{"conv", "resize", "total"}`.

        Counted on the Fixed network `build_fixed(phi, task)` (what a
        phi-conditioned model materialises), layer by layer
        (`count_flops`): convolutions and the rescales between stages; the
        task's tail (softmax, integration, warp) is not counted.

        Raises:
            ValueError: if `input_shape` has unknown (None) spatial sizes.
        """
        if any(n is None for n in self.input_shape):
            raise ValueError(
                f"FLOPs need a known input size; the spec has input_shape={self.input_shape}. "
                "Use `spec.replace(...)` with known sizes."
            )
        return count_flops(self.build_fixed(phi, task))

    def with_input_shape(self, input_shape) -> "ArchitectureSpec":
        """A copy for images of `input_shape` `(*spatial, C)` (checked again)."""
        return self.replace(input_shape=tuple(input_shape))

    def replace(self, **changes) -> "ArchitectureSpec":
        """A copy with some arguments changed (checked again)."""
        return dataclasses.replace(self, **changes)
