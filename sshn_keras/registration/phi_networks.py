"""Phi-conditioned registration networks: SSHN, Stochastic and FiLM `VxmDense`.

They reuse `PhiConditionedModel`'s phi machinery: one phi per training step
drawn from the prior as a pure function of `(seed, optimizer step)`, an
inference-phi variable, `predict` / `evaluate(..., phi=...)`; and
`materialize(phi)` returns the Fixed registration network
(`build_vxm_dense`, hypernetwork dropped) with equal predictions. Inputs,
outputs, losses and integration are VoxelMorph's (see
`sshn_keras.registration.networks`).
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from sshn_keras.layers import FiLM, HyperConv, HyperNetwork
from sshn_keras.models.phi_model import PhiConditionedModel
from sshn_keras.priors import validate_phi
from sshn_keras.models import factories
from sshn_keras.registration.graph import check_registration_arguments, registration_graph, voxelmorph_input_shape
from sshn_keras.registration.networks import build_vxm_dense, check_pair_shapes
from sshn_keras.registration.registration_model import tuples_for_fit

INPUT_NAMES = ("moving", "fixed")
OUTPUT_NAMES = ("moved", "flow")  # as the Fixed network's outputs: the same history keys for every method


class PhiVxmDense(PhiConditionedModel):
    """Base of the phi-conditioned registration networks (SSHN, Stochastic, FiLM).

    A `PhiConditionedModel` whose wrapped functional network has inputs
    `moving`, `fixed`, `phi` and outputs `{moved, flow, displacement}`;
    calling the model on `[moving, fixed]` (or a dict with keys `moving`,
    `fixed` and optionally `phi`) returns `[moved, flow]`. Subclasses give
    the convolution factory (`conv_factory`) and the weights of the
    materialised network (`materialized_weights`).

    Args:
        input_shape: shape of one image, `(H, W, C)` or `(D, H, W, C)`
            (spatial sizes may be None).
        filters, num_stages, convs_per_stage, kernel_size, negative_slope:
            the U-Net (see `build_vxm_dense`).
        int_steps, int_downsize, fill_value, flow_init_stddev: see
            `build_vxm_dense`.
        prior: training prior over phi (default `U(0, 0.5)`).
        inference_phi: phi used at inference when none is given (default:
            the prior's mean).
        seed: seed of the per-step phi draws.
        inshape, src_feats: VoxelMorph's spelling of the image shape,
            `input_shape = (*inshape, src_feats)` (src_feats default 1).

    Input shape:
        `[moving, fixed]`, each `(batch, *spatial, C)`.

    Output shape:
        `[moved (batch, *spatial, C), flow (batch, *spatial', ndims)]`.

    Raises:
        ValueError: for invalid arguments (see `check_registration_arguments`),
            moving and fixed of different shapes, or images of the wrong rank
            or channel count.
    """

    def __init__(
        self,
        input_shape=(None, None, 1),
        filters=32,
        num_stages: int = 5,
        convs_per_stage: int = 2,
        kernel_size: int = 3,
        negative_slope: float = 0.2,
        int_steps: int = 0,
        int_downsize: int = 2,
        fill_value: float | None = None,
        flow_init_stddev: float = 1e-5,
        prior=None,
        inference_phi: float | None = None,
        seed: int = 0,
        inshape=None,
        src_feats: int | None = None,
        **kwargs,
    ):
        kwargs.pop("num_classes", None)  # always ndims; accepted for configs written by the base class
        input_shape = voxelmorph_input_shape(None if inshape is not None else input_shape, inshape, src_feats)
        check_registration_arguments(
            input_shape, filters, num_stages, convs_per_stage, kernel_size, int_steps, int_downsize, fill_value,
            flow_init_stddev,
        )
        self.int_steps = int(int_steps)
        self.int_downsize = int(int_downsize)
        self.fill_value = None if fill_value is None else float(fill_value)
        self.flow_init_stddev = float(flow_init_stddev)
        super().__init__(
            input_shape=input_shape,
            num_classes=len(input_shape) - 1,
            filters=filters,
            num_stages=num_stages,
            convs_per_stage=convs_per_stage,
            kernel_size=kernel_size,
            negative_slope=negative_slope,
            prior=prior,
            inference_phi=inference_phi,
            seed=seed,
            **kwargs,
        )
        # Keras names per-output losses and metrics after `output_names`:
        # `moved_loss` and `flow_loss`, as for the Fixed (functional) network.
        self.output_names = list(OUTPUT_NAMES)

    @property
    def ndims(self) -> int:
        """Number of spatial axes (2 or 3)."""
        return len(self.image_shape) - 1

    # -- to implement -----------------------------------------------------
    def conv_factory(self, phi, rank: int):
        """`conv(x, filters, kernel_size, name)` for the network (may add layers fed by `phi`)."""
        raise NotImplementedError

    def materialized_weights(self, phi: float) -> dict:
        """`{layer_name: [weights...]}` of the Fixed network at `phi`."""
        raise NotImplementedError

    # -- network ------------------------------------------------------------
    def build_network(self) -> keras.Model:
        _, filters = check_registration_arguments(
            self.image_shape, self.filters, self.num_stages, self.convs_per_stage, self.kernel_size,
            self.int_steps, self.int_downsize, self.fill_value, self.flow_init_stddev,
        )
        moving = keras.Input(self.image_shape, name="moving")
        fixed = keras.Input(self.image_shape, name="fixed")
        phi = keras.Input((1,), name="phi")
        conv = self.conv_factory(phi, self.ndims)

        downsample = factories.resize_downsample(phi)
        out = registration_graph(
            moving, fixed, filters, self.convs_per_stage, self.kernel_size, self.negative_slope, conv, downsample,
            self.int_steps, self.int_downsize, self.fill_value,
        )
        return keras.Model(
            {"moving": moving, "fixed": fixed, "phi": phi}, out, name=f"{self.name}_network"
        )

    def _split_inputs(self, inputs):
        if isinstance(inputs, dict):
            missing = [k for k in INPUT_NAMES if k not in inputs]
            if missing:
                raise ValueError(
                    f"A dict input must have the keys 'moving' and 'fixed' (and optionally 'phi'). "
                    f"Received keys {list(inputs)}"
                )
            return inputs["moving"], inputs["fixed"], inputs.get("phi")
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            raise ValueError(
                f"{type(self).__name__} takes [moving, fixed] (VoxelMorph's order) or a dict with keys "
                f"'moving', 'fixed'. Received {type(inputs).__name__}"
                + (f" of length {len(inputs)}" if isinstance(inputs, (list, tuple)) else "")
            )
        return inputs[0], inputs[1], None

    def _resolve_phi(self, phi, training):
        """The phi tensor `(1, 1)` of this call: given, drawn from the prior, or the inference phi."""
        if phi is None:
            phi = self.sample_phi() if training else self.inference_phi
        elif isinstance(phi, (int, float, np.ndarray, np.number)) or (tf.is_tensor(phi) and tf.executing_eagerly()):
            phi = validate_phi(phi if not tf.is_tensor(phi) else phi.numpy())
        return ops.reshape(ops.cast(phi, "float32"), (-1, 1))[:1]

    def call(self, inputs, training=False):
        moving, fixed, phi = self._split_inputs(inputs)
        check_pair_shapes(moving.shape, fixed.shape, self.image_shape, None, "inputs")
        phi = self._resolve_phi(phi, training)
        out = self.network({"moving": moving, "fixed": fixed, "phi": phi}, training=training)
        return [out["moved"], out["flow"]]

    # -- inference helpers ------------------------------------------------------
    def register(self, moving, fixed, phi: float | None = None, batch_size: int = 8) -> np.ndarray:
        """The displacement `(N, *spatial, ndims)` that warps each moving image onto its fixed one.

        VoxelMorph's `register`; for `int_steps > 0` the integrated field.
        """
        moving, fixed = np.asarray(moving), np.asarray(fixed)
        self._check_inputs([moving, fixed])
        phi = float(self.inference_phi.numpy()) if phi is None else validate_phi(phi)
        phis = np.full((moving.shape[0], 1), phi, np.float32)
        out = self.network.predict(
            {"moving": moving, "fixed": fixed, "phi": phis}, batch_size=batch_size, verbose=0
        )
        return out["displacement"]

    def fit(self, x=None, y=None, **kwargs):
        """`keras.Model.fit`; each step draws its own phi from the prior.

        A Python generator yielding VoxelMorph's `([moving, fixed], [fixed, zeros])`
        lists is accepted as is (its lists become tuples: `tf.data`, which
        Keras 3 feeds generators through, refuses lists).
        """
        x, kwargs = tuples_for_fit(x, kwargs)
        return super().fit(x, y, **kwargs)

    def _check_inputs(self, x, y=None, what="x"):
        if isinstance(x, dict) and all(isinstance(x.get(k), np.ndarray) for k in INPUT_NAMES):
            x = [x["moving"], x["fixed"]]
        if isinstance(x, (list, tuple)) and all(isinstance(a, np.ndarray) for a in x):
            if len(x) != 2:
                raise ValueError(
                    f"`{what}` must be [moving, fixed] (two arrays). Received a {type(x).__name__} of {len(x)} arrays."
                )
            check_pair_shapes(x[0].shape, x[1].shape, self.image_shape, self.num_stages, what)
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

    # -- materialisation -----------------------------------------------------------
    def registration_arguments(self) -> dict:
        """The arguments of `build_vxm_dense` that rebuild this network's architecture."""
        return {
            "input_shape": self.image_shape,
            "filters": self.filters,
            "num_stages": self.num_stages,
            "convs_per_stage": self.convs_per_stage,
            "kernel_size": self.kernel_size,
            "negative_slope": self.negative_slope,
            "int_steps": self.int_steps,
            "int_downsize": self.int_downsize,
            "fill_value": self.fill_value,
            "flow_init_stddev": self.flow_init_stddev,
        }

    def architecture(self) -> dict:
        """The U-Net's arguments as `build_unet` / `unet_flops` take them (`2 * C` inputs, `ndims` outputs)."""
        return {
            "input_shape": (*self.image_shape[:-1], 2 * int(self.image_shape[-1])),
            "num_classes": self.ndims,
            "filters": self.filters,
            "num_stages": self.num_stages,
            "convs_per_stage": self.convs_per_stage,
            "kernel_size": self.kernel_size,
            "negative_slope": self.negative_slope,
        }

    def materialize(self, phi: float) -> keras.Model:
        """A Fixed registration network (`build_vxm_dense`) at `phi` with this model's weights.

        Predictions equal `self.predict([moving, fixed], phi=phi)` to float tolerance.
        """
        phi = validate_phi(phi)
        model = build_vxm_dense(**self.registration_arguments(), phi=phi, name=f"{self.name}_phi{phi:g}")
        weights = self.materialized_weights(phi)
        for layer in model.layers:
            if layer.weights:
                layer.set_weights(weights[layer.name])
        return model

    # -- serialization ----------------------------------------------------------
    def get_config(self):
        config = super().get_config()
        config.pop("num_classes", None)
        config.update(
            {
                "int_steps": self.int_steps,
                "int_downsize": self.int_downsize,
                "fill_value": self.fill_value,
                "flow_init_stddev": self.flow_init_stddev,
            }
        )
        return config


@keras.saving.register_keras_serializable(package="sshn_keras")
class SSHNVxmDense(PhiVxmDense):
    """SSHN registration: every convolution of the `VxmDense` U-Net predicted from phi by one hypernetwork.

    The hypernetwork `h(phi)` (`HyperNetwork`, built once) feeds every
    `HyperConvND`; each training step draws one phi from the prior.

    Args:
        hyper_units: hidden widths of the hypernetwork (default `(10, 100)`).
        normalize_embedding: unit-RMS hypernetwork embedding (default True).
        Other arguments: see `PhiVxmDense`.

    Example:
    >>> model = SSHNVxmDense(input_shape=(64, 64, 1), filters=8, num_stages=3)
    >>> compile_registration(model, lambda_weight=0.01)                       # doctest: +SKIP
    >>> model.fit(scan_to_scan(images, batch_size=8), steps_per_epoch=100)   # doctest: +SKIP
    >>> moved, flow = model.predict([moving, fixed], phi=0.25)               # doctest: +SKIP
    >>> fixed_net = model.materialize(0.25)   # plain VxmDense, hypernetwork dropped  # doctest: +SKIP

    Reference:
        Ortiz, Gutierrez, Hoopes, Guttag, Dalca. Scale-Space Hypernetworks
        for Efficient Biomedical Imaging (2023); Balakrishnan et al.,
        VoxelMorph, IEEE TMI 2019.
    """

    def __init__(self, *args, hyper_units=(10, 100), normalize_embedding: bool = True, **kwargs):
        self.hyper_units = tuple(int(u) for u in hyper_units)
        self.normalize_embedding = bool(normalize_embedding)
        kwargs.setdefault("name", "sshn_vxm_dense")
        super().__init__(*args, **kwargs)

    def conv_factory(self, phi, rank: int):
        embedding = HyperNetwork(
            self.hyper_units, self.negative_slope, normalize=self.normalize_embedding, dtype="float32", name="hypernetwork"
        )(phi)
        return factories.hyper_conv_factory(embedding, rank, self.negative_slope, head_init_stddev=self.flow_init_stddev)

    def materialized_weights(self, phi: float) -> dict:
        embedding = self.network.get_layer("hypernetwork")(np.array([[validate_phi(phi)]], "float32"))
        weights = {}
        for layer in self.network.layers:
            if isinstance(layer, HyperConv):
                kernel, bias = layer.predict_weights(embedding)
                weights[layer.name] = [np.asarray(kernel), np.asarray(bias)]
        return weights

    def get_config(self):
        config = super().get_config()
        config.update({"hyper_units": list(self.hyper_units), "normalize_embedding": self.normalize_embedding})
        return config


@keras.saving.register_keras_serializable(package="sshn_keras")
class StochasticVxmDense(PhiVxmDense):
    """Stochastic baseline: one ordinary `VxmDense` (weights shared by every phi) trained with phi from the prior.

    Arguments: see `PhiVxmDense`.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("name", "stochastic_vxm_dense")
        super().__init__(*args, **kwargs)

    def conv_factory(self, phi, rank: int):
        return factories.plain_conv_factory(rank, self.negative_slope, head_init_stddev=self.flow_init_stddev)

    def materialized_weights(self, phi: float) -> dict:
        return {layer.name: layer.get_weights() for layer in self.network.layers if layer.weights}


@keras.saving.register_keras_serializable(package="sshn_keras")
class FiLMVxmDense(PhiVxmDense):
    """FiLM baseline: a `FiLM(phi)` after every convolution of the `VxmDense` U-Net.

    `materialize(phi)` folds each FiLM into its convolution.

    Args:
        film_units: hidden widths of the MLP of phi (default `(10, 100)`).
        Other arguments: see `PhiVxmDense`.
    """

    def __init__(self, *args, film_units=(10, 100), **kwargs):
        self.film_units = tuple(int(u) for u in film_units)
        kwargs.setdefault("name", "film_vxm_dense")
        super().__init__(*args, **kwargs)

    def conv_factory(self, phi, rank: int):
        embedding = HyperNetwork(
            self.film_units, self.negative_slope, normalize=True, dtype="float32", name="film_mlp"
        )(phi)
        return factories.film_conv_factory(embedding, rank, self.negative_slope, head_init_stddev=self.flow_init_stddev)

    def materialized_weights(self, phi: float) -> dict:
        embedding = self.network.get_layer("film_mlp")(np.array([[validate_phi(phi)]], "float32"))
        weights = {}
        for layer in self.network.layers:
            if isinstance(layer, FiLM):
                conv_name = layer.name[: -len("_film")]
                kernel, bias = self.network.get_layer(conv_name).get_weights()
                gamma, beta = (np.asarray(t) for t in layer.scale_and_shift(embedding))
                weights[conv_name] = [kernel * gamma, bias * gamma + beta]
        return weights

    def get_config(self):
        config = super().get_config()
        config.update({"film_units": list(self.film_units)})
        return config


REGISTRATION_METHODS = {"sshn": SSHNVxmDense, "stochastic": StochasticVxmDense, "film": FiLMVxmDense}
