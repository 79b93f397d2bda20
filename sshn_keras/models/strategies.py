"""Methods as strategies: how a phi-conditioned network makes its convolutions and its plain weights at phi.

A strategy is what a method (`sshn_keras.models.METHODS`) contributes to a
`PhiModel`, for any architecture and task:

* `conv_factory(phi, rank, negative_slope, head_init_stddev, options,
  kernel_initializer)`: the `conv(x, filters, kernel_size, name)` the
  architecture is laid out with (it may add layers fed by the phi input;
  `kernel_initializer` is the architecture's, see `ArchitectureSpec`);
* `weights(network, phi, options)`: `{layer name: [kernel, bias]}` of the
  plain network at `phi` (the architecture's `build_fixed(phi)` has the
  same layer names), which `PhiModel.materialize` loads.

Strategies: `sshn` (kernels predicted by one hypernetwork), `stochastic`
(one set of ordinary weights for every phi), `film` (FiLM after each
convolution, folded into it when materialised). To add one, subclass
`Strategy` and `STRATEGIES.register(name, MyStrategy())`.
"""

from __future__ import annotations

import numpy as np

from sshn_keras.layers import FiLM, HyperConv, HyperNetwork
from sshn_keras.models.factories import film_conv_factory, hyper_conv_factory, plain_conv_factory
from sshn_keras.ops.checks import check_bool, check_int, check_ints
from sshn_keras.priors import validate_phi
from sshn_keras.registry import Registry


class Strategy:
    """Base of the method strategies.

    Class attributes:
        options: `{option: default}` the method takes (e.g. SSHN's `hyper_units`).
    """

    options: dict = {}

    def check_options(self, options: dict | None) -> dict:
        """All the method's options, defaults filled in, checked.

        Raises:
            ValueError: for an option the method does not take.
        """
        options = dict(options or {})
        unknown = sorted(set(options) - set(self.options))
        if unknown:
            raise ValueError(f"{type(self).__name__} takes the options {sorted(self.options)}. Received {unknown}")
        return {**self.options, **options}

    def conv_factory(self, phi, rank: int, negative_slope: float, head_init_stddev, options: dict,
                     kernel_initializer: str | None = None):
        raise NotImplementedError

    def weights(self, network, phi: float, options: dict) -> dict:
        raise NotImplementedError


class StochasticStrategy(Strategy):
    """Ordinary convolutions whose weights serve every phi (the Stochastic baseline)."""

    def conv_factory(self, phi, rank, negative_slope, head_init_stddev, options, kernel_initializer=None):
        return plain_conv_factory(rank, negative_slope, head_init_stddev, kernel_initializer)

    def weights(self, network, phi, options):
        return {layer.name: layer.get_weights() for layer in network.layers if layer.weights}


def _embedding(network, name: str, phi: float):
    return network.get_layer(name)(np.array([[validate_phi(phi)]], "float32"))


class SSHNStrategy(Strategy):
    """Every kernel and bias predicted from phi by one hypernetwork (`HyperNetwork` -> `HyperConvND`).

    Options: `hyper_units` (hidden widths, default `(10, 100)`),
    `normalize_embedding` (unit-RMS embedding, default True), `head_rank`
    (compact heads, default None: full heads).
    """

    options = {"hyper_units": (10, 100), "normalize_embedding": True, "head_rank": None}

    def check_options(self, options):
        options = super().check_options(options)
        options["hyper_units"] = check_ints(options["hyper_units"], "hyper_units", 1)
        options["normalize_embedding"] = check_bool(options["normalize_embedding"], "normalize_embedding")
        if options["head_rank"] is not None:
            options["head_rank"] = check_int(options["head_rank"], "head_rank", 1)
        return options

    def conv_factory(self, phi, rank, negative_slope, head_init_stddev, options, kernel_initializer=None):
        # float32 under any mixed-precision policy: the kernels are predicted in float32.
        embedding = HyperNetwork(
            options["hyper_units"], negative_slope, normalize=options["normalize_embedding"], dtype="float32",
            name="hypernetwork",
        )(phi)
        return hyper_conv_factory(
            embedding, rank, negative_slope, head_init_stddev, head_rank=options["head_rank"],
            kernel_initializer=kernel_initializer,
        )

    def weights(self, network, phi, options):
        embedding = _embedding(network, "hypernetwork", phi)
        weights = {}
        for layer in network.layers:
            if isinstance(layer, HyperConv):
                kernel, bias = layer.predict_weights(embedding)
                weights[layer.name] = [np.asarray(kernel)] + ([] if bias is None else [np.asarray(bias)])
        return weights


class FiLMStrategy(Strategy):
    """An ordinary convolution followed by `FiLM(phi)`; materialised by folding the FiLM into it.

    Option: `film_units` (hidden widths of the MLP of phi, default `(10, 100)`).
    """

    options = {"film_units": (10, 100)}

    def check_options(self, options):
        options = super().check_options(options)
        options["film_units"] = check_ints(options["film_units"], "film_units", 1)
        return options

    def conv_factory(self, phi, rank, negative_slope, head_init_stddev, options, kernel_initializer=None):
        # float32 under any mixed-precision policy, like SSHN's hypernetwork.
        embedding = HyperNetwork(options["film_units"], negative_slope, normalize=True, dtype="float32", name="film_mlp")(phi)
        return film_conv_factory(embedding, rank, negative_slope, head_init_stddev, kernel_initializer)

    def weights(self, network, phi, options):
        embedding = _embedding(network, "film_mlp", phi)
        weights = {}
        for layer in network.layers:
            if isinstance(layer, FiLM):
                conv_name = layer.name[: -len("_film")]
                kernel, bias = network.get_layer(conv_name).get_weights()
                gamma, beta = (np.asarray(t) for t in layer.scale_and_shift(embedding))
                weights[conv_name] = [kernel * gamma, bias * gamma + beta]
        return weights


STRATEGIES = Registry("method")
STRATEGIES.register("sshn", SSHNStrategy())
STRATEGIES.register("stochastic", StochasticStrategy())
STRATEGIES.register("film", FiLMStrategy())
