"""The Fixed VoxelMorph-style registration network, and what every registration network shares.

Every registration model of the package (`build_vxm_dense` here; SSHN,
Stochastic and FiLM in `phi_networks`) has VoxelMorph's `VxmDense`
interface: inputs `[moving, fixed]` (images `(batch, *spatial, C)`,
channels-last, 2D or 3D), outputs `[moved, flow]`, and is trained exactly
as VoxelMorph's `train.py`:

    model.compile(optimizer, loss=[MSE(), Grad("l2")], loss_weights=[1, lambda])
    model.fit(scan_to_scan(images), steps_per_epoch=...)   # ((moving, fixed), (fixed, zeros))

(`compile_registration` does the compile.) `flow` is a voxel displacement
field `(batch, *spatial, ndims)` in `ij` order; with `int_steps > 0` it is,
as in VoxelMorph, the stationary velocity before integration (at
`1 / int_downsize` resolution), and `displacement_model` /
`PhiVxmDense.register` give the integrated displacement.

Integration default: `int_steps=0` (the U-Net predicts the displacement
directly, no scaling and squaring), where VoxelMorph defaults to 7 steps at
half resolution. Plain displacements keep the comparison between methods
about the U-Net (whose cost is what phi changes) and make the flow output
the field that warps; pass `int_steps=7, int_downsize=2` for VoxelMorph's
diffeomorphic setting.
"""

from __future__ import annotations

import keras

from sshn_keras.losses.registration import MSE, Grad
from sshn_keras.priors import validate_phi
from sshn_keras.registration.graph import registration_parts, voxelmorph_input_shape
from sshn_keras.tasks.registration import check_pair_shapes  # noqa: F401  (public here too)


def build_vxm_dense(
    input_shape=(None, None, 1),
    phi: float = 0.5,
    filters=32,
    num_stages: int = 5,
    convs_per_stage: int = 2,
    kernel_size: int = 3,
    negative_slope: float = 0.2,
    int_steps: int = 0,
    int_downsize: int = 2,
    fill_value: float | None = None,
    flow_init_stddev: float = 1e-5,
    name: str | None = None,
    inshape=None,
    src_feats: int | None = None,
) -> keras.Model:
    """The Fixed registration network: a `VxmDense` whose U-Net rescales by a constant phi.

    This is the Fixed baseline, and what the phi-conditioned models
    materialise and export at a chosen phi.

    Args:
        input_shape: shape of one image, `(H, W, C)` or `(D, H, W, C)`;
            spatial sizes may be None. Moving and fixed share it.
        phi: rescaling factor between encoder stages, in (0, 1].
        filters, num_stages, convs_per_stage, kernel_size, negative_slope:
            the U-Net (see `sshn_keras.models.build_unet`); it sees
            `2 * C` input channels and predicts `ndims` flow channels.
        int_steps: scaling-and-squaring steps (0: no integration, default).
        int_downsize: integrate at `1 / int_downsize` resolution when
            `int_steps > 0` (VoxelMorph's `int_downsize`, default 2).
        fill_value: value of the moved image outside the moving image
            (None: clamp at the edges, VoxelMorph's default).
        flow_init_stddev: standard deviation of the flow head's initial
            kernel (VoxelMorph: 1e-5).
        name: model name (default `vxm_dense_phi{phi}`).
        inshape, src_feats: VoxelMorph's spelling of the image shape,
            `input_shape = (*inshape, src_feats)` (src_feats default 1).

    Returns:
        A functional `RegistrationModel`, inputs `[moving, fixed]`, outputs
        `[moved, flow]` (see the module docstring); it has VoxelMorph's
        `register` / `apply_transform` and fits on generators of lists.

    Raises:
        ValueError: for phi outside (0, 1] and invalid architecture values
            (see `registration_parts`).

    Example:
    >>> model = build_vxm_dense((64, 64, 1), phi=0.5, filters=8, num_stages=3)
    >>> [tuple(o.shape) for o in model.outputs]
    [(None, 64, 64, 1), (None, 64, 64, 2)]
    """
    phi = validate_phi(phi)
    input_shape = voxelmorph_input_shape(None if inshape is not None else input_shape, inshape, src_feats)
    spec, task = registration_parts(
        input_shape, filters, num_stages, convs_per_stage, kernel_size, negative_slope, int_steps, int_downsize,
        fill_value, flow_init_stddev,
    )
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
