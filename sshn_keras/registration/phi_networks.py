"""Phi-conditioned registration networks: SSHN, Stochastic and FiLM, on VoxelMorph's layout by default.

All are `PhiModel`s with a `RegistrationTask`: one phi per training step
drawn from the prior as a pure function of `(seed, optimizer step)`, an
inference-phi variable, `predict` / `evaluate(..., phi=...)`, `register`;
`materialize(phi)` returns the Fixed registration network at phi
(hypernetwork dropped) with equal predictions. Inputs, outputs, losses and
integration are VoxelMorph's (see `sshn_keras.tasks.registration`).

* `SSHNVxmDense`, `StochasticVxmDense`, `FiLMVxmDense`: VoxelMorph's
  constructor arguments and defaults (`inshape`, `nb_unet_features`, ...,
  `int_steps=7`, `int_downsize=2`) on VoxelMorph's `VxmDense` U-Net
  (`VxmDenseSpec`), its MaxPooling and nearest UpSampling replaced by
  `ResizeByFactor(phi)` and a resize to each skip's size; with the U-Net
  arguments (`filters`, `num_stages`, ...) the package's U-Net layout
  (`UNetSpec`), which is what models saved before had. Their Fixed
  counterpart is `build_vxm_dense(..., phi=...)`.
* `phi_vxm_dense(method, inshape, ...)`: any registered method on
  VoxelMorph's layout, as a `PhiModel`.
"""

from __future__ import annotations

import keras

from sshn_keras.architectures import UNetSpec, VxmDenseSpec
from sshn_keras.models.phi_model import PhiModel
from sshn_keras.models.unet_arguments import FiLMOptions, SSHNOptions, UNetArguments
from sshn_keras.models.views import attribute_of
from sshn_keras.registration.graph import layout_arguments, registration_arguments, registration_parts
from sshn_keras.tasks import RegistrationTask

INPUT_NAMES = ("moving", "fixed")
OUTPUT_NAMES = ("moved", "flow")  # as the Fixed network's outputs: the same history keys for every method


def is_phi_registration_model(model) -> bool:
    """Whether `model` is a phi-conditioned registration model (any layout, any method)."""
    return isinstance(model, PhiModel) and isinstance(model.task, RegistrationTask)


class PhiVxmDense(UNetArguments, PhiModel):
    """Base of the phi-conditioned registration networks (SSHN, Stochastic, FiLM), with VoxelMorph's arguments.

    A `PhiModel(spec, method, RegistrationTask(...))` whose wrapped
    functional network has inputs `moving`, `fixed`, `phi` and outputs
    `{moved, flow, displacement}`; calling the model on `[moving, fixed]`
    (or a dict with keys `moving`, `fixed` and optionally `phi`) returns
    `[moved, flow]`. The layout is VoxelMorph's `VxmDense` U-Net by default
    (`VxmDenseSpec`: VoxelMorph's arguments and defaults, with MaxPooling
    and nearest UpSampling replaced by `ResizeByFactor(phi)` and a bilinear
    resize to each skip's size), or the package's U-Net (`UNetSpec`) when
    any of `filters`, `num_stages`, `convs_per_stage`, `kernel_size`,
    `negative_slope` is given (see `sshn_keras.registration.graph`).

    Args:
        inshape: spatial shape of the images, `(H, W)` or `(D, H, W)`
            (None entries: any size). Default `(None, None)`.
        nb_unet_features: U-Net widths, `[encoder, decoder]` lists or an
            int with `nb_unet_levels` (None: VoxelMorph's
            `[[16, 32, 32, 32], [32, 32, 32, 32, 32, 16, 16]]`).
        nb_unet_levels, unet_feat_mult, nb_unet_conv_per_level: VoxelMorph's
            (see `VxmDenseSpec`).
        int_steps: scaling-and-squaring steps (default 7, VoxelMorph's; 0:
            the flow is the displacement).
        int_downsize: integrate at `1 / int_downsize` resolution (default 2).
        bidir, use_probs, unet_half_res: VoxelMorph's options, accepted at
            their default (False) only.
        src_feats, trg_feats: channels of the moving and fixed images (equal).
        input_shape: the image shape `(*spatial, C)` in one argument, instead
            of `inshape` and `src_feats`.
        fill_value: value of the moved image outside the moving image (None:
            clamp at the edges, VoxelMorph's default).
        flow_init_stddev: standard deviation of the flow head's initial
            kernels (VoxelMorph's 1e-5).
        architecture: the layout as a spec, its config dict, or `"vxm_dense"`
            / `"unet"` (default: chosen by the arguments given).
        filters, num_stages, convs_per_stage, kernel_size, negative_slope:
            the package's U-Net layout (see `UNetSpec`).
        prior: training prior over phi (default `U(0, 0.5)`).
        inference_phi: phi used at inference when none is given (default:
            the prior's mean).
        seed: seed of the per-step phi draws.
        validation_phis: see `PhiModel`.
        method_options: the method's options (the subclasses take them as
            keyword arguments).

    Input shape:
        `[moving, fixed]`, each `(batch, *spatial, C)`.

    Output shape:
        `[moved (batch, *spatial, C), flow (batch, *spatial', ndims)]`; the
        flow is VoxelMorph's pre-integration field (at `1 / int_downsize`
        resolution when integrated); `register` gives the displacement.
        Every variant (Fixed, SSHN, Stochastic, FiLM) has these names, so
        their history keys are the same: `loss`, `moved_loss`, `flow_loss`.

    Raises:
        TypeError: for an argument of neither layout.
        ValueError: for invalid arguments (see `registration_parts`),
            moving and fixed of different shapes, or images of the wrong rank
            or channel count.
    """

    method_name = ""

    def __init__(
        self,
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
        *,
        input_shape=None,
        fill_value: float | None = None,
        flow_init_stddev: float = 1e-5,
        architecture=None,
        filters=None,
        num_stages: int | None = None,
        convs_per_stage: int | None = None,
        kernel_size: int | None = None,
        negative_slope: float | None = None,
        prior=None,
        inference_phi: float | None = None,
        seed: int = 0,
        method_options: dict | None = None,
        **kwargs,
    ):
        kwargs.pop("num_classes", None)  # always ndims; accepted for configs written by earlier versions
        spec, task = registration_parts(**registration_arguments(locals()))
        super().__init__(
            spec, self.method_name, task, method_options, prior=prior, inference_phi=inference_phi, seed=seed, **kwargs
        )

    int_steps = attribute_of("task.int_steps", "Scaling-and-squaring steps of the flow integration (0: none).")
    int_downsize = attribute_of("task.int_downsize", "Resolution factor at which the flow is integrated.")
    fill_value = attribute_of("task.fill_value", "Value of the moved image outside the moving one (None: nearest edge).")
    flow_init_stddev = attribute_of("task.flow_init_stddev", "Standard deviation of the flow head's initial kernel.")

    @property
    def inshape(self) -> tuple:
        """Spatial shape of the images (VoxelMorph's `inshape`)."""
        return tuple(self.image_shape[:-1])

    def registration_arguments(self) -> dict:
        """The arguments of `build_vxm_dense` that rebuild this network's architecture (without phi)."""
        return {**layout_arguments(self.spec), **self.task_config()}

    def task_config(self) -> dict:
        """`int_steps`, `int_downsize`, `fill_value`, `flow_init_stddev`."""
        config = self.task.to_config()
        config.pop("name")
        return config

    def architecture(self) -> dict:
        """The U-Net's arguments as `build_unet` / `unet_flops` take them (U-Net layout only).

        Raises:
            TypeError: on VoxelMorph's layout (its cost: `model.flops(phi)`).
        """
        if not isinstance(self.spec, UNetSpec):
            raise TypeError(f"{self.name!r} has VoxelMorph's layout, not the U-Net's; use `model.spec` / `model.flops(phi)`.")
        return {
            "input_shape": (*self.image_shape[:-1], 2 * int(self.image_shape[-1])),
            "num_classes": self.ndims,
            **self.unet_config(),
        }

    def get_config(self):
        config = keras.Model.get_config(self)
        config.update(
            {**layout_arguments(self.spec), **self.phi_config(), **self.task_config(), **self.method_config()}
        )
        return config


@keras.saving.register_keras_serializable(package="sshn_keras")
class SSHNVxmDense(SSHNOptions, PhiVxmDense):
    """SSHN registration: every convolution of the registration U-Net predicted from phi by one hypernetwork.

    The hypernetwork `h(phi)` (`HyperNetwork`, built once) feeds every
    `HyperConvND`; each training step draws one phi from the prior.

    Args:
        hyper_units: hidden widths of the hypernetwork (default `(10, 100)`).
        normalize_embedding: unit-RMS hypernetwork embedding (default True).
        head_rank: rank of compact kernel heads (default None: the paper's
            full heads). `SSHNUNet` defaults to rank 8, measured at least as
            accurate on segmentation; for registration that comparison has
            not been made, so full heads stay the default here.
        Other arguments: see `PhiVxmDense`.

    Example:
    >>> model = SSHNVxmDense(inshape=(64, 64), nb_unet_features=[[4, 8], [8, 8, 4]])   # VoxelMorph's arguments
    >>> model.materialize(0.5).count_params()
    2626
    >>> compile_registration(model, lambda_weight=0.01)                       # doctest: +SKIP
    >>> model.fit(scan_to_scan(images, batch_size=8), steps_per_epoch=100)   # doctest: +SKIP
    >>> moved, flow = model.predict([moving, fixed], phi=0.25)               # doctest: +SKIP
    >>> fixed_net = model.materialize(0.25)   # plain network, hypernetwork dropped  # doctest: +SKIP

    Reference:
        Ortiz, Gutierrez, Hoopes, Guttag, Dalca. Scale-Space Hypernetworks
        for Efficient Biomedical Imaging (2023); Balakrishnan et al.,
        VoxelMorph, IEEE TMI 2019.
    """

    method_name = "sshn"

    def __init__(self, *args, hyper_units=(10, 100), normalize_embedding: bool = True, head_rank: int | None = None,
                 **kwargs):
        kwargs.setdefault("name", "sshn_vxm_dense")
        options = {"hyper_units": hyper_units, "normalize_embedding": normalize_embedding, "head_rank": head_rank}
        super().__init__(*args, method_options=options, **kwargs)


@keras.saving.register_keras_serializable(package="sshn_keras")
class StochasticVxmDense(PhiVxmDense):
    """Stochastic baseline: one ordinary registration network (weights shared by every phi) trained with phi from the prior.

    Arguments: see `PhiVxmDense`.
    """

    method_name = "stochastic"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("name", "stochastic_vxm_dense")
        super().__init__(*args, **kwargs)


@keras.saving.register_keras_serializable(package="sshn_keras")
class FiLMVxmDense(FiLMOptions, PhiVxmDense):
    """FiLM baseline: a `FiLM(phi)` after every convolution of the registration U-Net.

    `materialize(phi)` folds each FiLM into its convolution.

    Args:
        film_units: hidden widths of the MLP of phi (default `(10, 100)`).
        Other arguments: see `PhiVxmDense`.
    """

    method_name = "film"

    def __init__(self, *args, film_units=(10, 100), **kwargs):
        kwargs.setdefault("name", "film_vxm_dense")
        super().__init__(*args, method_options={"film_units": film_units}, **kwargs)


REGISTRATION_METHODS = {"sshn": SSHNVxmDense, "stochastic": StochasticVxmDense, "film": FiLMVxmDense}


def phi_vxm_dense(
    method: str = "sshn",
    inshape=(None, None),
    nb_unet_features=None,
    nb_unet_levels: int | None = None,
    unet_feat_mult: float = 1,
    nb_unet_conv_per_level: int = 1,
    int_steps: int = 7,
    int_downsize: int = 2,
    src_feats: int = 1,
    fill_value: float | None = None,
    prior=None,
    inference_phi: float | None = None,
    seed: int = 0,
    name: str | None = None,
    **method_options,
) -> PhiModel:
    """A phi-conditioned registration model on VoxelMorph's own `VxmDense` layout (`VxmDenseSpec`).

    VoxelMorph's arguments and defaults; MaxPooling and nearest UpSampling
    become `ResizeByFactor(phi)` and a bilinear resize to each skip's size.
    At phi = 0.5 (sizes divisible by `2**(levels - 1)`) `materialize(0.5)`
    has exactly `VxmDense`'s layers and weight shapes, so a trained
    `VxmDense`'s weights load into it (by layer order).

    Args:
        method: `"sshn"`, `"stochastic"` or `"film"`.
        inshape, nb_unet_features, nb_unet_levels, unet_feat_mult,
            nb_unet_conv_per_level, src_feats: see `VxmDenseSpec` / `VxmDense`.
        int_steps, int_downsize, fill_value: see `RegistrationTask`.
        prior, inference_phi, seed: see `PhiModel`.
        name: model name (default `"{method}_vxm_dense"`).
        **method_options: the method's options (`hyper_units`, `head_rank`, `film_units`, ...).

    Example:
    >>> model = phi_vxm_dense("sshn", inshape=(32, 32))
    >>> model.materialize(0.5).count_params() == VxmDenseSpec(inshape=(32, 32)).build_fixed(0.5).count_params()
    True
    """
    spec = VxmDenseSpec(inshape, src_feats, nb_unet_features, nb_unet_levels, unet_feat_mult, nb_unet_conv_per_level)
    task = RegistrationTask(int_steps, int_downsize, fill_value)
    return PhiModel(
        spec, method, task, method_options, prior=prior, inference_phi=inference_phi, seed=seed,
        name=name or f"{method}_vxm_dense",
    )
