"""`UNetArguments`, `SSHNOptions`, `FiLMOptions`: the U-Net keyword arguments of the named model classes, read from their `UNetSpec`.

`SSHNUNet`, `StochasticUNet`, `FiLMUNet` and the registration classes on
the U-Net layout (`SSHNVxmDense`, ...) take the U-Net as keyword arguments
(`filters`, `num_stages`, ...) and keep them as attributes and config keys;
this mixin reads them from the model's spec, so they are stored once.
"""

from __future__ import annotations


class UNetArguments:
    """Attributes `filters`, `convs_per_stage`, `kernel_size`, `negative_slope` of a model with a `UNetSpec`."""

    @property
    def filters(self):
        """Features per convolution: an int or one int per stage."""
        filters = self.spec.filters
        return list(filters) if isinstance(filters, tuple) else filters

    @property
    def convs_per_stage(self) -> int:
        return self.spec.convs_per_stage

    @property
    def kernel_size(self) -> int:
        return self.spec.kernel_size

    @property
    def negative_slope(self) -> float:
        return self.spec.negative_slope

    def unet_config(self) -> dict:
        """The U-Net's config keys (`filters`, `num_stages`, `convs_per_stage`, `kernel_size`, `negative_slope`)."""
        return {
            "filters": self.filters,
            "num_stages": self.num_stages,
            "convs_per_stage": self.convs_per_stage,
            "kernel_size": self.kernel_size,
            "negative_slope": self.negative_slope,
        }

    def method_config(self) -> dict:
        """The method's options as config keys (lists for tuples)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in self.method_options.items()}


class SSHNOptions:
    """SSHN's options as attributes (`hyper_units`, `normalize_embedding`, `head_rank`)."""

    @property
    def hyper_units(self) -> tuple:
        return self.method_options["hyper_units"]

    @property
    def normalize_embedding(self) -> bool:
        return self.method_options["normalize_embedding"]

    @property
    def head_rank(self):
        return self.method_options["head_rank"]


class FiLMOptions:
    """FiLM's option as an attribute (`film_units`)."""

    @property
    def film_units(self) -> tuple:
        return self.method_options["film_units"]
