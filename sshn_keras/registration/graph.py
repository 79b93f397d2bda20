"""The VoxelMorph `VxmDense` graph on the SSHN U-Net (built with `sshn_keras.models.factories`).

`registration_graph` is the one place the registration network is laid
out; the Fixed builder and every phi-conditioned variant call it with their
own convolution factory, exactly as the segmentation models call
`sshn_keras.models.unet.unet_graph`:

    moving, fixed -> concat -> unet_graph(final_activation=None, num_classes=ndims)
                  -> flow [-> RescaleTransform(1/int_downsize) -> VecInt -> RescaleTransform(int_downsize)]
                  -> displacement -> SpatialTransformer(moving, displacement) -> moved

Layer names are predictable and identical across variants (`input_concat`,
`enc2_conv1`, `head`, `flow`, `displacement`, `transformer`, `moved`),
which is what materialisation relies on. Tensors are channels-last and
flows are voxel displacements in `ij` order (channel `k` moves along
spatial axis `k`).

The flow head (`head`, a 1x1 convolution, linear) starts near zero, as
VoxelMorph's flow convolution (`RandomNormal(stddev=1e-5)`): its kernels,
whether stored or predicted by the hypernetwork, start with standard
deviation `flow_init_stddev`, so an untrained network predicts an almost
identity warp.
"""

from __future__ import annotations

from typing import Callable, Sequence

import keras

from sshn_keras.layers import RescaleTransform, SpatialTransformer, VecInt
from sshn_keras.models import factories
from sshn_keras.models.unet import check_architecture, unet_graph
from sshn_keras.ops.integrate import check_int_steps
from sshn_keras.ops.warp import check_fill_value

FLOW_HEAD = factories.HEAD  # the name `unet_graph` gives its last (1x1) convolution
flow_head_gain = factories.head_gain


def voxelmorph_input_shape(input_shape, inshape=None, src_feats: int | None = None) -> tuple:
    """The image shape from VoxelMorph's `inshape` (spatial) and `src_feats` (channels), or `input_shape`.

    Lets the registration builders take VoxelMorph's spelling:
    `inshape=(160, 192), src_feats=1` is `input_shape=(160, 192, 1)`.

    Raises:
        ValueError: when both `input_shape` and `inshape` are given and
            disagree, or `src_feats` comes without `inshape`.
    """
    if inshape is None:
        if src_feats is not None:
            raise ValueError(f"`src_feats` goes with `inshape` (VoxelMorph's spelling). Received src_feats={src_feats!r}")
        return tuple(input_shape)
    if not isinstance(inshape, (list, tuple)):
        raise ValueError(f"`inshape` must be the spatial shape, e.g. (160, 192). Received inshape={inshape!r}")
    shape = (*inshape, 1 if src_feats is None else src_feats)
    if input_shape is not None and tuple(input_shape) != shape:
        raise ValueError(
            f"Give the image shape once: `input_shape` or VoxelMorph's `inshape` / `src_feats`. Received "
            f"input_shape={tuple(input_shape)} and inshape={tuple(inshape)}, src_feats={src_feats}"
        )
    return shape


def check_registration_arguments(
    input_shape: Sequence,
    filters,
    num_stages: int,
    convs_per_stage: int,
    kernel_size: int,
    int_steps: int,
    int_downsize: int,
    fill_value: float | None,
    flow_init_stddev: float,
) -> tuple:
    """Validate the arguments of a registration network.

    Returns:
        `(unet_input_shape, filters_per_stage)`: the U-Net sees moving and
        fixed concatenated, `(*spatial, 2 * channels)`.

    Raises:
        ValueError: naming the argument, for an image shape that is not
            `(H, W, C)` / `(D, H, W, C)`, bad U-Net values (see
            `check_architecture`), a negative `int_steps`, an
            `int_downsize` that is not a positive int or does not divide
            the known spatial sizes, a non-numeric `fill_value`, or a
            negative `flow_init_stddev`.
    """
    input_shape = tuple(input_shape)
    if len(input_shape) not in (3, 4):
        raise ValueError(
            "`input_shape` must be the shape of one image, (H, W, C) for 2D or (D, H, W, C) for 3D, "
            f"channels last. Received input_shape={input_shape}"
        )
    if input_shape[-1] is None or int(input_shape[-1]) < 1:
        raise ValueError(f"The number of channels (last entry of `input_shape`) must be known. Received {input_shape}")
    ndims = len(input_shape) - 1
    unet_shape = (*input_shape[:-1], 2 * int(input_shape[-1]))
    _, filters = check_architecture(unet_shape, ndims, filters, num_stages, convs_per_stage, kernel_size)
    check_int_steps(int_steps)
    if isinstance(int_downsize, bool) or not isinstance(int_downsize, int) or int_downsize < 1:
        raise ValueError(f"`int_downsize` must be a positive int. Received int_downsize={int_downsize!r}")
    if int_steps > 0 and int_downsize > 1:
        for n in input_shape[:-1]:
            if n is not None and int(n) % int_downsize:
                raise ValueError(
                    f"Spatial sizes must be divisible by int_downsize={int_downsize} (the flow is integrated at "
                    f"1/{int_downsize} resolution and resized back). Received input_shape={input_shape}"
                )
    check_fill_value(fill_value)
    if isinstance(flow_init_stddev, bool) or not isinstance(flow_init_stddev, (int, float)) or not (
        0.0 <= flow_init_stddev < float("inf")
    ):
        raise ValueError(
            f"`flow_init_stddev` must be a finite number >= 0. Received flow_init_stddev={flow_init_stddev!r}"
        )
    return unet_shape, filters


def registration_graph(
    moving,
    fixed,
    filters: Sequence[int],
    convs_per_stage: int,
    kernel_size: int,
    negative_slope: float,
    conv: Callable,
    downsample: Callable,
    int_steps: int = 0,
    int_downsize: int = 2,
    fill_value: float | None = None,
) -> dict:
    """Lay out a `VxmDense` network on `moving` and `fixed`; returns its tensors.

    Args:
        moving, fixed: symbolic images `(batch, *spatial, C)`.
        filters, convs_per_stage, kernel_size, negative_slope, conv,
            downsample: the U-Net, as `unet_graph` takes them.
        int_steps: scaling-and-squaring steps; 0 means the U-Net's output
            is the displacement itself (no integration).
        int_downsize: with `int_steps > 0`, integrate at `1 / int_downsize`
            resolution (VoxelMorph's `int_resolution`).
        fill_value: `SpatialTransformer` fill value (None: clamp at edges).

    Returns:
        `{"moved": ..., "flow": ..., "displacement": ...}`: the warped
        moving image; the field the smoothness loss regularises (the
        displacement for `int_steps=0`, else the velocity, at
        `1 / int_downsize` resolution when downsized, as VoxelMorph's
        `preint_flow`); and the full-resolution displacement that warps
        `moving` (the same tensor as `flow` when `int_steps=0`).
    """
    ndims = len(moving.shape) - 2
    x = keras.layers.Concatenate(name="input_concat")([moving, fixed])
    flow = unet_graph(
        x, ndims, filters, convs_per_stage, kernel_size, negative_slope, conv, downsample, final_activation=None
    )
    downsized = int_steps > 0 and int_downsize > 1
    if downsized:
        flow = RescaleTransform(1.0 / int_downsize, name="flow_resize")(flow)
    flow = keras.layers.Identity(name="flow")(flow)
    displacement = flow
    if int_steps > 0:
        displacement = VecInt(int_steps=int_steps, name="flow_int")(flow)
        if downsized:
            displacement = RescaleTransform(float(int_downsize), name="flow_upsample")(displacement)
        displacement = keras.layers.Identity(name="displacement")(displacement)
    moved = SpatialTransformer(interp_method="linear", indexing="ij", fill_value=fill_value, name="transformer")([moving, displacement])
    moved = keras.layers.Identity(name="moved")(moved)
    return {"moved": moved, "flow": flow, "displacement": displacement}
