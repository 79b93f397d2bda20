"""`UNetArguments`, `SSHNOptions`, `FiLMOptions`: the U-Net keyword arguments of the named model classes, read from their `UNetSpec`.

`SSHNUNet`, `StochasticUNet`, `FiLMUNet` and the registration classes on
the U-Net layout (`SSHNVxmDense`, ...) take the U-Net as keyword arguments
(`filters`, `num_stages`, ...) and keep them as attributes and config keys;
this mixin reads them from the model's spec, so they are stored once.
"""

from __future__ import annotations

from sshn_keras.models.views import attribute_of, method_option


class UNetArguments:
    """Attributes `filters`, `convs_per_stage`, `kernel_size`, `negative_slope` of a model with a `UNetSpec`."""

    @property
    def filters(self):
        """Features per convolution: an int or one int per stage."""
        filters = self.spec.filters
        return list(filters) if isinstance(filters, tuple) else filters

    convs_per_stage = attribute_of("spec.convs_per_stage", "Convolutions per stage.")
    kernel_size = attribute_of("spec.kernel_size", "Convolution kernel size.")
    negative_slope = attribute_of("spec.negative_slope", "LeakyReLU slope.")

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

    hyper_units = method_option("hyper_units", "Hidden widths of the hypernetwork.")
    normalize_embedding = method_option("normalize_embedding", "Whether the embedding is scaled to unit RMS.")
    head_rank = method_option("head_rank", "Rank of the compact heads (None: full heads).")


class FiLMOptions:
    """FiLM's option as an attribute (`film_units`)."""

    film_units = method_option("film_units", "Hidden widths of the MLP of phi.")
