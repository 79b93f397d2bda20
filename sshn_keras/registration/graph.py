"""The package's U-Net registration layout (`build_vxm_dense`): a `UNetSpec` under the `RegistrationTask`.

    moving, fixed -> concat -> UNetSpec graph (1x1 head, ndims channels, starts near zero)
                  -> flow [-> RescaleTransform(1/int_downsize) -> VecInt -> RescaleTransform(int_downsize)]
                  -> displacement -> SpatialTransformer(moving, displacement) -> moved

This is the package's older registration network (bilinear resizes by phi,
decoder widths tied to the encoder, no extra full-resolution
convolutions), kept for the experiments trained on it; VoxelMorph's own
layout is `sshn_keras.architectures.VxmDenseSpec`. Layer names are
predictable and identical across methods (`input_concat`, `enc2_conv1`,
`head`, `flow`, `displacement`, `transformer`, `moved`), which is what
materialisation relies on. Tensors are channels-last and flows are voxel
displacements in `ij` order (channel `k` moves along spatial axis `k`).
"""

from __future__ import annotations

from typing import Sequence

from sshn_keras.architectures import HEAD, UNetSpec, head_gain
from sshn_keras.tasks import RegistrationTask

FLOW_HEAD = HEAD  # the name of the last (1x1) convolution
flow_head_gain = head_gain


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


def registration_parts(
    input_shape: Sequence,
    filters,
    num_stages: int,
    convs_per_stage: int,
    kernel_size: int,
    negative_slope: float,
    int_steps: int,
    int_downsize: int,
    fill_value: float | None,
    flow_init_stddev: float,
) -> tuple:
    """`(UNetSpec, RegistrationTask)` of a registration network on the U-Net layout, checked.

    `input_shape` is one image's shape (moving and fixed share it).

    Raises:
        ValueError: naming the argument, for an image shape that is not
            `(H, W, C)` / `(D, H, W, C)`, bad U-Net values (see `UNetSpec`),
            bad task values (see `RegistrationTask`), or spatial sizes that
            `int_downsize` does not divide.
    """
    input_shape = tuple(input_shape)
    if len(input_shape) not in (3, 4):
        raise ValueError(
            "`input_shape` must be the shape of one image, (H, W, C) for 2D or (D, H, W, C) for 3D, "
            f"channels last. Received input_shape={input_shape}"
        )
    spec = UNetSpec(input_shape, filters, num_stages, convs_per_stage, kernel_size, negative_slope)
    task = RegistrationTask(int_steps, int_downsize, fill_value, flow_init_stddev)
    task.check(spec.input_shape)
    return spec, task
