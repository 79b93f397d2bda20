"""The method registry: how a segmentation U-Net is trained over phi (fixed, sshn, stochastic, film).

A `Method` names a model constructor and how to show it (label, colour);
experiment configs, CLI choices, plots and reports read `METHODS`. To add a
method, write its model class and register it:

>>> from sshn_keras.models import METHODS, Method, StochasticUNet
>>> METHODS.register("my_method", Method("my_method", StochasticUNet, label="Mine", colour="C4"))  # doctest: +SKIP
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Callable

import keras

from sshn_keras.models.film import FiLMUNet
from sshn_keras.models.sshn import SSHNUNet
from sshn_keras.models.stochastic import StochasticUNet
from sshn_keras.models.strategies import STRATEGIES, Strategy
from sshn_keras.models.unet import build_unet
from sshn_keras.registry import Registry


@dataclass(frozen=True)
class Method:
    """A registered method.

    Args:
        name: the registry name (job keys, result files and CLIs use it).
        constructor: builds the model from the U-Net arguments (`input_shape`,
            `num_classes`, `filters`, `num_stages`, `convs_per_stage`), plus
            `prior` and `seed` for a phi-conditioned method, or `phi` and
            `name` for a fixed one.
        label: name in plots and reports.
        colour: matplotlib colour of its curves.
        phi_conditioned: True for one model over all phi (swept over phi);
            False for one network per phi (trained on a grid of phi).
        options: extra constructor arguments an experiment may set (e.g.
            `("head_rank",)`).
        strategy: for a phi-conditioned method, how it makes convolutions
            and plain weights for any architecture and task
            (`sshn_keras.models.strategies`; `PhiModel(spec, method=name)`).
    """

    name: str
    constructor: Callable[..., keras.Model]
    label: str
    colour: str
    phi_conditioned: bool = True
    options: tuple = field(default_factory=tuple)
    strategy: Strategy | None = None

    def __call__(self, *args, **kwargs) -> keras.Model:
        """Call the constructor (so `METHODS["sshn"](**architecture)` builds an `SSHNUNet`)."""
        return self.constructor(*args, **kwargs)

    def option_default(self, name: str):
        """The constructor's default for option `name` (e.g. `METHODS["sshn"].option_default("head_rank")`)."""
        if name not in self.options:
            raise ValueError(f"Method {self.name!r} takes the options {list(self.options)}. Received {name!r}")
        return inspect.signature(self.constructor).parameters[name].default

    def build(self, architecture: dict, *, seed: int = 0, phi: float | None = None, prior=None, **options) -> keras.Model:
        """Build the model of one training job.

        Args:
            architecture: the U-Net arguments.
            seed: seed of a phi-conditioned model's phi sampling.
            phi: the phi of a fixed network (required when not phi-conditioned).
            prior: `(low, high)` of a phi-conditioned model's prior (None: its default).
            **options: values for the method's `options` (others raise).

        Raises:
            ValueError: for options the method does not take, or a fixed method without phi.
        """
        unknown = sorted(set(options) - set(self.options))
        if unknown:
            raise ValueError(f"Method {self.name!r} takes the options {list(self.options)}. Received {unknown}")
        if not self.phi_conditioned:
            if phi is None:
                raise ValueError(f"Method {self.name!r} builds one network per phi: `phi` is required. Received phi=None")
            return self.constructor(**architecture, phi=phi, name=f"{self.name}_phi{phi:g}")
        kwargs = dict(architecture, seed=seed, **options)
        if prior is not None:
            kwargs["prior"] = prior
        return self.constructor(**kwargs)


METHODS = Registry("method")
METHODS.register(
    "sshn", Method("sshn", SSHNUNet, label="SSHN", colour="C0", options=("head_rank",), strategy=STRATEGIES["sshn"])
)
METHODS.register("fixed", Method("fixed", build_unet, label="Fixed", colour="C3", phi_conditioned=False))
METHODS.register(
    "stochastic", Method("stochastic", StochasticUNet, label="Stochastic", colour="C2", strategy=STRATEGIES["stochastic"])
)
METHODS.register("film", Method("film", FiLMUNet, label="FiLM", colour="C1", strategy=STRATEGIES["film"]))


def phi_conditioned_methods() -> tuple:
    """Names of the registered phi-conditioned methods, in registration order."""
    return tuple(name for name in METHODS if METHODS[name].phi_conditioned)
