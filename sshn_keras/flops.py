"""Exact inference FLOPs of the primary U-Net at any phi and input size.

Counting convention (one FLOP = one multiply or one add):

* convolution ("same" padding, stride 1): `2 * k**d * C_in * C_out` per
  output pixel (multiply-adds counted as two), plus `C_out` bias adds;
* linear resize (bilinear / trilinear): per output value, `2**d` corner
  weights multiplied and `2**d - 1` adds, i.e. `2**(d+1) - 1` FLOPs per
  output element and channel;
* activations, concatenation and softmax are not counted (they are O(pixels)
  and the same for every method), matching what TensorFlow's profiler counts
  for convolutions.

Feature-map sizes follow `sshn_keras.ops.sizes` exactly (the same rule as
`ResizeByFactor`), so these numbers are exact for the network that runs.
"""

from typing import Sequence

from sshn_keras.ops.flops import conv_flops, resize_flops
from sshn_keras.ops.sizes import stage_shapes
from sshn_keras.priors import validate_phi

__all__ = ["conv_flops", "model_flops", "resize_flops", "unet_flops"]


def unet_flops(
    input_shape: Sequence[int],
    num_classes: int,
    phi: float,
    filters=32,
    num_stages: int = 5,
    convs_per_stage: int = 2,
    kernel_size: int = 3,
    **unused,
) -> dict:
    """FLOPs of one forward pass of the primary U-Net on one image.

    Args:
        input_shape: `(H, W, C)` or `(D, H, W, C)` with known sizes.
        num_classes, phi, filters, num_stages, convs_per_stage, kernel_size:
            the architecture, as `build_unet` takes it.

    Returns:
        `{"conv": int, "resize": int, "total": int}`.

    Example:
    >>> f = unet_flops((160, 192, 1), 4, 0.5)
    >>> f["total"] == f["conv"] + f["resize"]
    True
    """
    phi = validate_phi(phi)
    *spatial, channels = (int(n) for n in input_shape)
    if isinstance(filters, int):
        filters = [filters] * num_stages
    shapes = stage_shapes(spatial, phi, num_stages)
    conv = resize = 0
    c = channels
    for s in range(num_stages):
        if s > 0:
            resize += resize_flops(shapes[s], c)
        for _ in range(convs_per_stage):
            conv += conv_flops(shapes[s], c, filters[s], kernel_size)
            c = filters[s]
    for s in range(num_stages - 2, -1, -1):
        resize += resize_flops(shapes[s], c)
        c = c + filters[s]
        for _ in range(convs_per_stage):
            conv += conv_flops(shapes[s], c, filters[s], kernel_size)
            c = filters[s]
    conv += conv_flops(shapes[0], c, num_classes, 1)
    return {"conv": conv, "resize": resize, "total": conv + resize}


def model_flops(model, phi: float, input_shape: Sequence[int] | None = None) -> dict:
    """`unet_flops` for a phi-conditioned model or a materialised U-Net's config.

    A `PhiModel` built from an architecture spec (no `architecture()`
    method) is counted by its spec (`ArchitectureSpec.flops`, the same rule).
    """
    if not hasattr(model, "architecture") and hasattr(model, "spec"):
        spec = model.spec if input_shape is None else model.spec.with_input_shape(input_shape)
        return spec.flops(phi, model.task)
    arch = model.architecture()
    if input_shape is not None:
        arch["input_shape"] = tuple(input_shape)
    if any(n is None for n in arch["input_shape"]):
        raise ValueError(
            f"FLOPs need a known input size; the model takes {arch['input_shape']}. Pass `input_shape`."
        )
    return unet_flops(phi=phi, **arch)
