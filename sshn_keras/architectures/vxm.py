"""`VxmDenseSpec`: VoxelMorph's `VxmDense` U-Net layout, with its resizes left to the method.

VoxelMorph's U-Net (`voxelmorph.tf.networks.Unet`), layer for layer:

    concat(moving, fixed) -> per level: nb_conv_per_level x (Conv 3x3 + LeakyReLU(0.2)), skip, downsample
      -> per level, from the bottom: convs, upsample to the skip, concat
      -> extra full-resolution convolutions (the decoder's surplus entries)
      -> head (Conv 3x3, `ndims` channels)

with widths from `nb_unet_features` (VoxelMorph's rules, `unet_features`).
VoxelMorph downsamples with MaxPooling(2) and upsamples with nearest
UpSampling(2); the phi-conditioned models downsample with
`ResizeByFactor(phi)` and resize back to each skip's size instead. At
phi = 0.5 on sizes divisible by `2**(levels - 1)` every feature map has
VoxelMorph's size, so the Fixed network at 0.5 has exactly `VxmDense`'s
layers and weight shapes (its outputs differ only through bilinear resizes
in place of max pooling and nearest upsampling).
"""

from __future__ import annotations

import dataclasses
from typing import Callable

import keras
import numpy as np

from sshn_keras.architectures.factories import HEAD, resize_to_skip
from sshn_keras.architectures.spec import ArchitectureSpec
from sshn_keras.ops.checks import check_int


def default_unet_features() -> list:
    """VoxelMorph's default U-Net widths, `[encoder, decoder]`."""
    return [[16, 32, 32, 32], [32, 32, 32, 32, 32, 16, 16]]


def positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"`{name}` must be a positive int. Received {name}={value!r}")
    return int(value)


def unet_features(nb_features=None, nb_levels=None, feat_mult: float = 1, nb_conv_per_level: int = 1) -> tuple:
    """VoxelMorph's U-Net widths as `(encoder, decoder)` lists of ints.

    Args:
        nb_features: None (the defaults), `[encoder, decoder]` lists, or an
            int (the first level's width; needs `nb_levels`).
        nb_levels: levels of the U-Net, only with an int `nb_features`.
        feat_mult: width multiplier per level, only with an int `nb_features`.
        nb_conv_per_level: convolutions per level.

    Returns:
        `(encoder, decoder)`: `len(encoder)` is a multiple of
        `nb_conv_per_level`; decoder entries beyond `len(encoder)` are the
        full-resolution convolutions.

    Raises:
        ValueError: for an int without `nb_levels`, `nb_levels` with lists,
            lists that are not two lists of positive ints, or an encoder whose
            length is not a multiple of `nb_conv_per_level`, or a decoder
            shorter than the encoder.
    """
    nb_conv_per_level = positive_int("nb_unet_conv_per_level", nb_conv_per_level)
    if nb_features is None:
        nb_features = default_unet_features()
    if isinstance(nb_features, (int, np.integer)) and not isinstance(nb_features, bool):
        if nb_levels is None:
            raise ValueError("`nb_unet_levels` is required when `nb_unet_features` is an int. Received nb_unet_levels=None")
        nb_levels = positive_int("nb_unet_levels", nb_levels)
        if nb_levels < 2:
            raise ValueError(f"`nb_unet_levels` must be at least 2. Received nb_unet_levels={nb_levels}")
        feats = np.round(int(nb_features) * float(feat_mult) ** np.arange(nb_levels)).astype(int)
        encoder = np.repeat(feats[:-1], nb_conv_per_level).tolist()
        decoder = np.repeat(np.flip(feats), nb_conv_per_level).tolist()
    else:
        if nb_levels is not None:
            raise ValueError(
                f"`nb_unet_levels` is only used with an int `nb_unet_features`. Received nb_unet_levels={nb_levels!r} "
                f"with nb_unet_features={nb_features!r}"
            )
        ok = isinstance(nb_features, (list, tuple)) and len(nb_features) == 2
        ok = ok and all(isinstance(part, (list, tuple, np.ndarray)) for part in nb_features)
        if not ok:
            raise ValueError(
                "`nb_unet_features` must be None, an int, or two lists [encoder, decoder]. "
                f"Received nb_unet_features={nb_features!r}"
            )
        encoder, decoder = ([int(f) for f in part] for part in nb_features)
    if min(encoder + decoder, default=1) < 1 or not encoder:
        raise ValueError(f"U-Net widths must be positive ints, with a non-empty encoder. Received {[encoder, decoder]}")
    if len(encoder) % nb_conv_per_level:
        raise ValueError(
            f"The encoder has {len(encoder)} convolutions, not a multiple of nb_unet_conv_per_level={nb_conv_per_level}. "
            f"Received nb_unet_features={[encoder, decoder]}"
        )
    if len(decoder) < len(encoder):
        raise ValueError(
            f"The decoder needs at least as many convolutions as the encoder ({len(encoder)}). "
            f"Received nb_unet_features={[encoder, decoder]}"
        )
    return encoder, decoder


def vxm_unet_graph(
    x,
    encoder,
    decoder,
    nb_conv_per_level: int,
    conv: Callable,
    downsample: Callable,
    upsample: Callable = resize_to_skip,
    negative_slope: float = 0.2,
    nb_upsample_skips: int = 0,
    prefix: str = "",
):
    """VoxelMorph's U-Net features on `x` (no head), with the given convolution and resizes.

    Layer names are VoxelMorph's after `prefix`: `{prefix}enc_conv_{level}_{i}`
    (its activation `..._activation`), `{prefix}enc_pooling_{level}` (the
    downsample), `{prefix}dec_conv_{level}_{i}`, `{prefix}dec_upsample_{level}`
    and `..._concat`, `{prefix}dec_final_conv_{i}`.

    Args:
        x: the input tensor.
        encoder, decoder: widths (see `unet_features`).
        nb_conv_per_level: convolutions per level.
        conv: `conv(x, filters, kernel_size, name)`, linear.
        downsample: `downsample(x, name)`.
        upsample: `upsample(x, skip, name)`.
        negative_slope: LeakyReLU slope (VoxelMorph: 0.2).
        nb_upsample_skips: upsamplings left out at the top (VoxelMorph's
            half-resolution velocity).
        prefix: prefix of every layer name.
    """
    nb_dec_convs = len(encoder)
    final_convs = decoder[nb_dec_convs:]
    decoder = decoder[:nb_dec_convs]
    nb_levels = nb_dec_convs // nb_conv_per_level + 1

    def block(x, filters, name):
        x = conv(x, int(filters), 3, name)
        return keras.layers.LeakyReLU(negative_slope, name=f"{name}_activation")(x)

    skips = []
    for level in range(nb_levels - 1):
        for i in range(nb_conv_per_level):
            x = block(x, encoder[level * nb_conv_per_level + i], f"{prefix}enc_conv_{level}_{i}")
        skips.append(x)
        x = downsample(x, f"{prefix}enc_pooling_{level}")
    for level in range(nb_levels - 1):
        real_level = nb_levels - level - 2
        for i in range(nb_conv_per_level):
            x = block(x, decoder[level * nb_conv_per_level + i], f"{prefix}dec_conv_{real_level}_{i}")
        if level < nb_levels - 1 - nb_upsample_skips:
            up = f"{prefix}dec_upsample_{real_level}"
            skip = skips.pop()
            x = upsample(x, skip, up)
            x = keras.layers.Concatenate(name=f"{up}_concat")([x, skip])
    for num, filters in enumerate(final_convs):
        x = block(x, filters, f"{prefix}dec_final_conv_{num}")
    return x


@dataclasses.dataclass(frozen=True)
class VxmDenseSpec(ArchitectureSpec):
    """VoxelMorph's `VxmDense` U-Net, with VoxelMorph's arguments and defaults.

    Args:
        inshape: spatial shape of the images, `(H, W)` or `(D, H, W)`
            (None entries allowed for phi-conditioned use).
        src_feats: channels of each image (moving and fixed).
        nb_unet_features: `[encoder, decoder]` lists, or an int with
            `nb_unet_levels` (None: VoxelMorph's defaults
            `[[16, 32, 32, 32], [32, 32, 32, 32, 32, 16, 16]]`).
        nb_unet_levels: levels, with an int `nb_unet_features`.
        unet_feat_mult: per-level width multiplier, with an int `nb_unet_features`.
        nb_unet_conv_per_level: convolutions per level (default 1).

    Raises:
        ValueError: for an `inshape` that is not 2 or 3 positive ints (or
            None), widths breaking VoxelMorph's rules (see `unet_features`),
            or known sizes smaller than `2**(levels - 1)`.

    Example:
    >>> spec = VxmDenseSpec(inshape=(64, 64))
    >>> spec.encoder, spec.decoder, spec.num_stages
    ([16, 32, 32, 32], [32, 32, 32, 32, 32, 16, 16], 5)
    >>> spec.build_fixed(0.5).count_params()  # VoxelMorph's VxmDense(inshape=(64, 64)) has 109170
    109170
    """

    inshape: tuple = (None, None)
    src_feats: int = 1
    nb_unet_features: object = None
    nb_unet_levels: int | None = None
    unet_feat_mult: float = 1
    nb_unet_conv_per_level: int = 1
    name = "vxm_dense"
    default_task_name = "registration"
    negative_slope = 0.2  # VoxelMorph's LeakyReLU
    kernel_initializer = "he_normal"  # VoxelMorph's convolutions

    def __post_init__(self):
        inshape = self.inshape
        ok = isinstance(inshape, (list, tuple)) and len(inshape) in (2, 3)
        ok = ok and all(n is None or (isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n > 0) for n in inshape)
        if not ok:
            raise ValueError(
                "`inshape` must be the spatial shape of the images, 2 or 3 positive ints (or None), e.g. (160, 192). "
                f"Received inshape={inshape!r}"
            )
        object.__setattr__(self, "inshape", tuple(None if n is None else int(n) for n in inshape))
        object.__setattr__(self, "src_feats", check_int(self.src_feats, "src_feats", 1))
        encoder, decoder = unet_features(
            self.nb_unet_features, self.nb_unet_levels, self.unet_feat_mult, self.nb_unet_conv_per_level
        )
        if self.nb_unet_features is not None and not isinstance(self.nb_unet_features, (int, np.integer)):
            object.__setattr__(self, "nb_unet_features", (tuple(encoder), tuple(decoder)))
        object.__setattr__(self, "nb_unet_conv_per_level", int(self.nb_unet_conv_per_level))
        min_size = self.min_size()
        if any(n is not None and n < min_size for n in self.inshape):
            raise ValueError(
                f"Spatial size {self.inshape} is too small for a U-Net of {self.num_stages} levels: every axis needs "
                f"at least {min_size} voxels (2**(levels - 1))."
            )

    @property
    def widths(self) -> tuple:
        """`(encoder, decoder)` widths (see `unet_features`)."""
        return unet_features(self.nb_unet_features, self.nb_unet_levels, self.unet_feat_mult, self.nb_unet_conv_per_level)

    @property
    def encoder(self) -> list:
        return self.widths[0]

    @property
    def decoder(self) -> list:
        return self.widths[1]

    @property
    def input_shape(self) -> tuple:
        return (*self.inshape, self.src_feats)

    @property
    def num_stages(self) -> int:
        return len(self.encoder) // self.nb_unet_conv_per_level + 1

    def with_input_shape(self, input_shape) -> "VxmDenseSpec":
        """A copy for images of `input_shape` `(*spatial, C)`: `inshape` and `src_feats` replaced."""
        input_shape = tuple(input_shape)
        return self.replace(inshape=input_shape[:-1], src_feats=input_shape[-1])

    def build(self, x, out_channels: int, conv: Callable, downsample: Callable, upsample: Callable = resize_to_skip):
        """VoxelMorph's U-Net on `x` and its 3x3 head (named `"head"`, `out_channels` channels, linear)."""
        encoder, decoder = self.widths
        x = vxm_unet_graph(x, encoder, decoder, self.nb_unet_conv_per_level, conv, downsample, upsample, self.negative_slope)
        return conv(x, int(out_channels), 3, HEAD)
