"""`PhiUNet`: the base of the segmentation classes `SSHNUNet`, `StochasticUNet`, `FiLMUNet`.

A `PhiModel` with a `UNetSpec` and a `SegmentationTask`, taking the U-Net
as keyword arguments (`input_shape`, `num_classes`, `filters`, ...) and
saving them under those config keys.
"""

from __future__ import annotations

import keras

from sshn_keras.architectures import UNetSpec
from sshn_keras.models.phi_model import PhiModel
from sshn_keras.models.unet_arguments import UNetArguments
from sshn_keras.tasks import SegmentationTask


class PhiUNet(UNetArguments, PhiModel):
    """A phi-conditioned segmentation U-Net; subclasses set `method`.

    Args:
        input_shape: `(H, W, C)` or `(D, H, W, C)` (spatial sizes may be None).
        num_classes: classes, background included.
        filters, num_stages, convs_per_stage, kernel_size, negative_slope:
            the primary U-Net (see `UNetSpec`).
        prior, inference_phi, seed, validation_phis: see `PhiModel`.
        method_options: the method's options (the subclasses take them as
            keyword arguments).

    Raises:
        TypeError: for an argument of the wrong type (`filters=2.5`,
            `kernel_size=True`; numpy integers and floats are accepted).
        ValueError: for out-of-range or non-finite values.
    """

    method_name = ""

    def __init__(
        self,
        input_shape=(None, None, 1),
        num_classes: int = 2,
        filters=32,
        num_stages: int = 5,
        convs_per_stage: int = 2,
        kernel_size: int = 3,
        negative_slope: float = 0.2,
        prior=None,
        inference_phi: float | None = None,
        seed: int = 0,
        validation_phis="auto",
        method_options: dict | None = None,
        **kwargs,
    ):
        spec = UNetSpec(input_shape, filters, num_stages, convs_per_stage, kernel_size, negative_slope)
        super().__init__(
            spec, self.method_name, SegmentationTask(num_classes), method_options, prior=prior,
            inference_phi=inference_phi, seed=seed, validation_phis=validation_phis, **kwargs,
        )

    def architecture(self) -> dict:
        """The primary U-Net's arguments, as `build_unet` takes them."""
        return {"input_shape": self.image_shape, "num_classes": self.num_classes, **self.unet_config()}

    def get_config(self):
        config = keras.Model.get_config(self)
        config.update(
            {"input_shape": list(self.image_shape), "num_classes": self.num_classes, **self.unet_config(),
             **self.phi_config(), **self.method_config()}
        )
        return config
