"""The Fixed registration network, and what every registration network shares.

Every registration model of the package (`build_vxm_dense` here; SSHN,
Stochastic and FiLM in `phi_networks`) has VoxelMorph's `VxmDense`
interface: inputs `[moving, fixed]` (images `(batch, *spatial, C)`,
channels-last, 2D or 3D), outputs `[moved, flow]`, and is trained exactly
as VoxelMorph's `train.py`:

    model.compile(optimizer, loss=[MSE(), Grad("l2")], loss_weights=[1, lambda])
    model.fit(scan_to_scan(images), steps_per_epoch=...)   # ((moving, fixed), (fixed, zeros))

(`compile_registration` does the compile.) `flow` is a voxel displacement
field `(batch, *spatial, ndims)` in `ij` order; with `int_steps > 0` (the
default, VoxelMorph's 7 steps at half resolution) it is, as in VoxelMorph,
the stationary velocity before integration (at `1 / int_downsize`
resolution), and `displacement_model` / `register` give the integrated
displacement.

The layout is VoxelMorph's `VxmDense` U-Net by default, or the package's
U-Net with its arguments (`filters`, `num_stages`, ...); see
`sshn_keras.registration.graph`.
"""

from __future__ import annotations

import keras

from sshn_keras.losses.registration import MSE, Grad
from sshn_keras.priors import validate_phi
from sshn_keras.registration.graph import registration_arguments, registration_parts
from sshn_keras.tasks.registration import check_pair_shapes  # noqa: F401  (public here too)


def build_vxm_dense(
    input_shape=None,
    phi: float = 0.5,
    *,
    inshape=None,
    nb_unet_features=None,
    nb_unet_levels: int | None = None,
    unet_feat_mult: float | None = None,
    nb_unet_conv_per_level: int | None = None,
    int_steps: int = 7,
    int_downsize: int = 2,
    bidir: bool = False,
    use_probs: bool = False,
    src_feats: int | None = None,
    trg_feats: int | None = None,
    unet_half_res: bool = False,
    fill_value: float | None = None,
    flow_init_stddev: float = 1e-5,
    architecture=None,
    filters=None,
    num_stages: int | None = None,
    convs_per_stage: int | None = None,
    kernel_size: int | None = None,
    negative_slope: float | None = None,
    name: str | None = None,
) -> keras.Model:
    """The Fixed registration network: VoxelMorph's `VxmDense` whose U-Net rescales by a constant phi.

    This is the Fixed baseline, and what the phi-conditioned models
    (`SSHNVxmDense`, ...) materialise and export at a chosen phi. It takes
    VoxelMorph's arguments and defaults; the U-Net is VoxelMorph's with
    MaxPooling replaced by a bilinear resize by `phi` and nearest UpSampling
    by a bilinear resize to the skip's size, its convolutions initialised as
    VoxelMorph's (`he_normal`; the flow head `RandomNormal(0, 1e-5)`). At
    phi = 0.5 on sizes divisible by `2**(levels - 1)` it has exactly
    `VxmDense`'s layers and weight shapes. Given any of `filters`,
    `num_stages`, `convs_per_stage`, `kernel_size`, `negative_slope`, it is
    the package's U-Net layout instead (see `sshn_keras.registration.graph`).

    Args:
        input_shape: shape of one image, `(H, W, C)` or `(D, H, W, C)`
            (spatial sizes may be None), or VoxelMorph's `inshape` and
            `src_feats`. Moving and fixed share it.
        phi: rescaling factor between encoder levels, in (0, 1].
        inshape, nb_unet_features, nb_unet_levels, unet_feat_mult,
            nb_unet_conv_per_level, src_feats, trg_feats: VoxelMorph's (see
            `SSHNVxmDense`).
        int_steps: scaling-and-squaring steps (default 7; 0: no integration).
        int_downsize: integrate at `1 / int_downsize` resolution when
            `int_steps > 0` (default 2).
        bidir, use_probs, unet_half_res: accepted at their default (False) only.
        fill_value: value of the moved image outside the moving image
            (None: clamp at the edges, VoxelMorph's default).
        flow_init_stddev: standard deviation of the flow head's initial
            kernel (VoxelMorph: 1e-5).
        architecture: the layout as a spec, its config dict, or
            `"vxm_dense"` / `"unet"` (default: chosen by the arguments).
        filters, num_stages, convs_per_stage, kernel_size, negative_slope:
            the package's U-Net layout (see `UNetSpec`).
        name: model name (default `vxm_dense_phi{phi}`).

    Returns:
        A functional `RegistrationModel`, inputs `[moving, fixed]`, outputs
        `[moved, flow]` (see the module docstring); it has VoxelMorph's
        `register` / `apply_transform` and fits on generators of lists.

    Raises:
        ValueError: for phi outside (0, 1] and invalid architecture values
            (see `registration_parts`).

    Example:
    >>> model = build_vxm_dense(inshape=(64, 64), phi=0.5)   # VoxelMorph's VxmDense(inshape=(64, 64)) layout
    >>> model.count_params()
    109170
    >>> [tuple(o.shape) for o in model.outputs]
    [(None, 64, 64, 1), (None, 32, 32, 2)]
    """
    phi = validate_phi(phi)
    spec, task = registration_parts(**registration_arguments(locals()))
    return spec.build_fixed(phi, task, name=name or f"vxm_dense_phi{phi:g}")


def displacement_model(model: keras.Model) -> keras.Model:
    """The part of a Fixed / materialised registration network that outputs the displacement.

    `[moving, fixed] -> displacement (batch, *spatial, ndims)`, sharing
    `model`'s layers (VoxelMorph's `get_registration_model`). For
    `int_steps=0` this is the `flow` output.

    Raises:
        TypeError: for a phi-conditioned model (use its `register`).
        ValueError: for a model without a `flow` layer.
    """
    if isinstance(getattr(model, "network", None), keras.Model):
        raise TypeError("`displacement_model` is for Fixed / materialised networks; call `model.register(...)`.")
    names = {layer.name for layer in model.layers}
    if "flow" not in names:
        raise ValueError(f"{model.name!r} is not a registration network built by `build_vxm_dense` (no 'flow' layer).")
    layer = model.get_layer("displacement" if "displacement" in names else "flow")
    return keras.Model(model.inputs, layer.output, name=f"{model.name}_displacement")


def compile_registration(
    model: keras.Model,
    learning_rate: float = 1e-4,
    lambda_weight: float = 0.01,
    image_sigma: float = 1.0,
    optimizer=None,
    **kwargs,
) -> keras.Model:
    """Compile as VoxelMorph's `train.py`: `[MSE, Grad("l2")]`, `loss_weights=[1, lambda]`.

    `Grad` gets `loss_mult=int_downsize` when the flow is integrated at a
    lower resolution (VoxelMorph's convention), else no multiplier.

    Args:
        model: a registration network (`build_vxm_dense` or a `PhiVxmDense`).
        learning_rate: Adam learning rate (VoxelMorph: 1e-4).
        lambda_weight: weight of the smoothness loss (VoxelMorph's
            `--lambda`, 0.01 for MSE).
        image_sigma: `MSE(image_sigma)`.
        optimizer: an optimizer to use instead of Adam(learning_rate).
        **kwargs: more `compile` arguments (`metrics`, `jit_compile`, ...).

    Returns:
        `model`, compiled.
    """
    if isinstance(lambda_weight, bool) or not isinstance(lambda_weight, (int, float)) or not lambda_weight >= 0:
        raise ValueError(f"`lambda_weight` must be a number >= 0. Received lambda_weight={lambda_weight!r}")
    network = getattr(model, "network", None)
    layers = network.layers if isinstance(network, keras.Model) else model.layers
    resize = [layer for layer in layers if layer.name == "flow_resize"]
    loss_mult = float(round(1.0 / resize[0].zoom_factor)) if resize else None
    model.compile(
        optimizer=optimizer or keras.optimizers.Adam(learning_rate),
        loss=[MSE(image_sigma), Grad("l2", loss_mult=loss_mult)],
        loss_weights=[1.0, float(lambda_weight)],
        **kwargs,
    )
    return model
