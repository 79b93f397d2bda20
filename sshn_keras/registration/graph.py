"""Which layout a registration network has, from its arguments: VoxelMorph's `VxmDense` (default) or the U-Net.

Every registration builder (`build_vxm_dense`, `SSHNVxmDense`,
`StochasticVxmDense`, `FiLMVxmDense`, the experiment runner) takes its
architecture through `registration_parts`, which returns an
`(ArchitectureSpec, RegistrationTask)` pair:

* VoxelMorph's own layout, `VxmDenseSpec` (the default): VoxelMorph's
  arguments `inshape`, `nb_unet_features` (two lists, or an int with
  `nb_unet_levels`, `unet_feat_mult`, `nb_unet_conv_per_level`), `src_feats`,
  `trg_feats`, and its defaults (features `[[16, 32, 32, 32], [32, 32, 32, 32,
  32, 16, 16]]`, `int_steps=7`, `int_downsize=2`);
* the package's U-Net layout, `UNetSpec` (bilinear resizes by phi, decoder
  widths tied to the encoder, a 1x1 head), chosen by any of its arguments
  `filters`, `num_stages`, `convs_per_stage`, `kernel_size`,
  `negative_slope`: the layout of models and configs written before
  VoxelMorph's layout became the default;
* or an explicit `architecture` (a spec, its config dict, or the name
  `"vxm_dense"` / `"unet"`).

    moving, fixed -> concat -> U-Net (head: ndims channels, starts near zero)
                  -> flow [-> RescaleTransform(1/int_downsize) -> VecInt -> RescaleTransform(int_downsize)]
                  -> displacement -> SpatialTransformer(moving, displacement) -> moved

Layer names are predictable and identical across methods (`input_concat`,
`head`, `flow`, `displacement`, `transformer`, `moved`), which is what
materialisation relies on. Tensors are channels-last and flows are voxel
displacements in `ij` order (channel `k` moves along spatial axis `k`).
"""

from __future__ import annotations

from sshn_keras.architectures import ArchitectureSpec, HEAD, UNetSpec, VxmDenseSpec, get_architecture, head_gain
from sshn_keras.tasks import RegistrationTask

FLOW_HEAD = HEAD  # the name of the last convolution
flow_head_gain = head_gain

UNET_ARGUMENTS = ("filters", "num_stages", "convs_per_stage", "kernel_size", "negative_slope")
VXM_ARGUMENTS = ("nb_unet_features", "nb_unet_levels", "unet_feat_mult", "nb_unet_conv_per_level")
LAYOUTS = {"vxm_dense": VxmDenseSpec, "unet": UNetSpec}


def voxelmorph_input_shape(input_shape, inshape=None, src_feats: int | None = None) -> tuple:
    """The image shape from VoxelMorph's `inshape` (spatial) and `src_feats` (channels), or `input_shape`.

    `inshape=(160, 192), src_feats=1` is `input_shape=(160, 192, 1)`; with
    neither, `(None, None, 1)` (2D images of any size).

    Raises:
        ValueError: when both `input_shape` and `inshape` are given and
            disagree, or `src_feats` comes without `inshape`.
    """
    if inshape is None:
        if src_feats is not None and input_shape is not None:
            raise ValueError(f"`src_feats` goes with `inshape` (VoxelMorph's spelling). Received src_feats={src_feats!r}")
        if input_shape is None:
            return (None, None, 1 if src_feats is None else src_feats)
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


def _layout(architecture, layout: dict):
    """The spec class (or a spec) the arguments choose (see the module docstring)."""
    unet = sorted(k for k in layout if k in UNET_ARGUMENTS)
    vxm = sorted(k for k in layout if k in VXM_ARGUMENTS)
    if architecture is not None:
        if isinstance(architecture, str):
            if architecture not in LAYOUTS:
                raise ValueError(f"`architecture` must be one of {sorted(LAYOUTS)}, a spec or its config. "
                                 f"Received architecture={architecture!r}")
            cls = LAYOUTS[architecture]
            wrong = unet if cls is VxmDenseSpec else vxm
            if wrong:
                raise ValueError(f"The {architecture!r} layout does not take {wrong}.")
            return cls
        if layout:
            raise ValueError(f"Give the layout once: `architecture` or its arguments. Received both and {sorted(layout)}")
        return get_architecture(architecture)
    if unet and vxm:
        raise ValueError(
            f"Arguments of two layouts: {unet} are the U-Net layout's, {vxm} VoxelMorph's (VxmDense). Give one set."
        )
    return UNetSpec if unet else VxmDenseSpec


def registration_parts(
    input_shape=None,
    *,
    inshape=None,
    src_feats: int | None = None,
    trg_feats: int | None = None,
    architecture=None,
    int_steps: int = 7,
    int_downsize: int = 2,
    fill_value: float | None = None,
    flow_init_stddev: float = 1e-5,
    bidir: bool = False,
    use_probs: bool = False,
    unet_half_res: bool = False,
    **layout,
) -> tuple:
    """`(spec, RegistrationTask)` of a registration network, checked (see the module docstring).

    Args:
        input_shape: one image, `(H, W, C)` / `(D, H, W, C)` (moving and
            fixed share it), or VoxelMorph's `inshape` and `src_feats`.
        trg_feats: channels of the fixed image; must equal `src_feats` (the
            two images are concatenated and share a shape).
        architecture: a spec, its config dict, or `"vxm_dense"` / `"unet"`.
        int_steps, int_downsize, fill_value, flow_init_stddev: see `RegistrationTask`.
        bidir, use_probs, unet_half_res: VoxelMorph's options; only their
            defaults (False) are supported on these layouts (use `VxmDense`).
        **layout: the layout's arguments (`nb_unet_features`, ... or
            `filters`, `num_stages`, ...; None values are left out).

    Raises:
        TypeError: for an argument of neither layout.
        ValueError: naming the argument, for arguments of both layouts, an
            image shape that is not `(H, W, C)` / `(D, H, W, C)`, bad layout
            or task values, spatial sizes that `int_downsize` does not
            divide, `trg_feats != src_feats`, or `bidir` / `use_probs` /
            `unet_half_res` set.
    """
    unknown = sorted(set(layout) - set(UNET_ARGUMENTS) - set(VXM_ARGUMENTS))
    if unknown:
        raise TypeError(f"Unexpected registration network arguments {unknown}. Layout arguments: "
                        f"VoxelMorph's {list(VXM_ARGUMENTS)} or the U-Net's {list(UNET_ARGUMENTS)}")
    for flag, value in (("bidir", bidir), ("use_probs", use_probs), ("unet_half_res", unet_half_res)):
        if value:
            raise ValueError(
                f"`{flag}=True` is not supported by the phi-conditioned registration networks and their Fixed "
                f"counterpart; `sshn_keras.vxm.networks.VxmDense` has it. Received {flag}={value!r}"
            )
    layout = {k: v for k, v in layout.items() if v is not None}
    if trg_feats is not None and trg_feats != (1 if src_feats is None else src_feats):
        raise ValueError(
            "Moving and fixed images are concatenated and must have the same channels: `trg_feats` must equal "
            f"`src_feats`. Received src_feats={src_feats}, trg_feats={trg_feats}"
        )
    shape = voxelmorph_input_shape(input_shape, inshape, src_feats)
    if len(shape) not in (3, 4):
        raise ValueError(
            "`input_shape` must be the shape of one image, (H, W, C) for 2D or (D, H, W, C) for 3D, "
            f"channels last. Received input_shape={shape}"
        )
    chosen = _layout(architecture, layout)
    if isinstance(chosen, ArchitectureSpec):
        spec = chosen if input_shape is None and inshape is None else chosen.with_input_shape(shape)
    elif chosen is UNetSpec:
        spec = UNetSpec(shape, **layout)
    else:
        spec = VxmDenseSpec(inshape=shape[:-1], src_feats=shape[-1], **layout)
    task = RegistrationTask(int_steps, int_downsize, fill_value, flow_init_stddev)
    task.check(spec.input_shape)
    return spec, task


ARGUMENTS = (
    "input_shape", "inshape", "src_feats", "trg_feats", "architecture", "int_steps", "int_downsize", "fill_value",
    "flow_init_stddev", "bidir", "use_probs", "unet_half_res", *UNET_ARGUMENTS, *VXM_ARGUMENTS,
)


def registration_arguments(values: dict) -> dict:
    """The entries of `values` (a builder's `locals()`) that `registration_parts` takes."""
    return {name: values[name] for name in ARGUMENTS if name in values}


def layout_arguments(spec) -> dict:
    """The layout's constructor arguments of `spec`, as the builders take them.

    Its config without `name`; for VoxelMorph's layout with
    `architecture="vxm_dense"` first, so the layout is explicit.
    """
    config = spec.to_config()
    config.pop("name")
    if isinstance(spec, VxmDenseSpec):
        config = {"architecture": "vxm_dense", **config, "inshape": list(spec.inshape)}
    return config
