"""`VxmDense`: VoxelMorph's dense registration network, layer for layer, under Keras 3.

The architecture, initialisers, layer names, input and output names and
defaults are those of VoxelMorph 0.2's TensorFlow `vxm.networks.VxmDense`,
so weights saved by VoxelMorph (`model.save_weights("w.h5")` or
`model.save("m.h5")`) load with `model.load_weights(path)` and give the
same moved images and flows (to float32 rounding):

    source, target -> concat -> U-Net (Conv 3x3 + LeakyReLU(0.2), MaxPooling 2,
        nearest UpSampling 2 + skip concat, extra full-resolution convs)
      -> flow (Conv 3x3, RandomNormal(0, 1e-5)) [-> svf_resize]
      [-> flow_resize (1 / int_resolution) -> VecInt (scaling and squaring)
       -> diffflow (x int_resolution)] -> SpatialTransformer(source) -> moved

The U-Net's widths follow VoxelMorph's `nb_unet_features`: two lists
`[encoder, decoder]` (default `[[16, 32, 32, 32], [32, 32, 32, 32, 32, 16, 16]]`,
the decoder's surplus entries being full-resolution convolutions), or an
int with `nb_unet_levels`, `unet_feat_mult` and `nb_unet_conv_per_level`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Sequence

import keras
import numpy as np

from sshn_keras.architectures.vxm import positive_int, default_unet_features, unet_features, vxm_unet_graph  # noqa: F401
from sshn_keras.layers import RescaleTransform, SpatialTransformer, VecInt
from sshn_keras.layers.negate import Negate
from sshn_keras.layers.sample_normal import SampleNormalLogVar
from sshn_keras.registration.registration_model import RegistrationModel
from sshn_keras.registration.vxm_weights import load_vxm_h5_weights

logger = logging.getLogger(__name__)

REG_FIELDS = ("svf", "preintegrated", "postintegrated", "warp")


def _vxm_conv(x, filters: int, kernel_size: int, name: str):
    conv = keras.layers.Conv2D if len(x.shape) == 4 else keras.layers.Conv3D
    return conv(filters, kernel_size, padding="same", kernel_initializer="he_normal", name=name)(x)


def vxm_unet(x, encoder: Sequence[int], decoder: Sequence[int], nb_conv_per_level: int, nb_upsample_skips: int, name: str):
    """VoxelMorph's `Unet` on the tensor `x` (max pooling, nearest upsampling, skip concatenations).

    The layout is `sshn_keras.architectures.vxm_unet_graph` (shared with
    `VxmDenseSpec`) with VoxelMorph's own convolutions (He-normal) and resizes.
    """
    ndims = len(x.shape) - 2
    pooling = keras.layers.MaxPooling2D if ndims == 2 else keras.layers.MaxPooling3D
    upsampling = keras.layers.UpSampling2D if ndims == 2 else keras.layers.UpSampling3D
    return vxm_unet_graph(
        x, list(encoder), list(decoder), nb_conv_per_level, _vxm_conv,
        downsample=lambda t, layer_name: pooling(2, name=layer_name)(t),
        upsample=lambda t, skip, layer_name: upsampling(2, name=layer_name)(t),
        nb_upsample_skips=nb_upsample_skips, prefix=f"{name}_",
    )


def _check_inshape(inshape, nb_levels: int) -> tuple:
    ok = isinstance(inshape, (list, tuple)) and len(inshape) in (2, 3)
    ok = ok and all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n > 0 for n in inshape)
    if not ok:
        raise ValueError(
            "`inshape` must be the spatial shape of the images, 2 or 3 positive ints, e.g. (160, 192) or "
            f"(160, 192, 224) (channels are `src_feats` / `trg_feats`). Received inshape={inshape!r}"
        )
    step = 2 ** (nb_levels - 1)
    if any(int(n) % step for n in inshape):
        raise ValueError(
            f"Every spatial size must be divisible by {step} (the U-Net pools {nb_levels - 1} times by 2). "
            f"Received inshape={tuple(inshape)}"
        )
    return tuple(int(n) for n in inshape)


@keras.saving.register_keras_serializable(package="sshn_keras")
class VxmDense(RegistrationModel):
    """VoxelMorph's `VxmDense`: unsupervised deformable registration of a source image to a target.

    Exactly VoxelMorph 0.2's network (see the module docstring), so
    `load_weights("vxm_weights.h5")` reads weights saved by VoxelMorph's
    TensorFlow code. Channels-last, `ij` indexing, displacements in voxels.

    Args:
        inshape: spatial shape, `(H, W)` or `(D, H, W)`; each size divisible
            by `2 ** (levels - 1)`.
        nb_unet_features: U-Net widths, `[encoder, decoder]` lists or an int
            (None: VoxelMorph's defaults); see `unet_features`.
        nb_unet_levels: levels, with an int `nb_unet_features`.
        unet_feat_mult: per-level width multiplier, with an int `nb_unet_features`.
        nb_unet_conv_per_level: convolutions per level (default 1).
        int_steps: scaling-and-squaring steps (default 7; 0: the flow is the
            displacement, not diffeomorphic).
        svf_resolution: relative voxel size of the predicted velocity (default 1).
        int_resolution: relative voxel size of the integration (default 2).
        int_downsize: VoxelMorph's older name of `int_resolution`; when
            given, it is used instead.
        bidir: also warp the target to the source with the negated velocity
            (outputs `[moved, moved_target, flow]`).
        use_probs: predict a mean and a log-variance and sample the velocity
            (the last output is their concatenation, for `KL`).
        src_feats, trg_feats: channels of the source and target images.
        unet_half_res: VoxelMorph's older spelling of `svf_resolution=2`.
        input_model: a model whose first two outputs replace the source and
            target inputs (its inputs become this model's).
        fill_value: value of the moved image outside the source (None: clamp).
        reg_field: the field of the last output: `"preintegrated"` (default),
            `"svf"`, `"postintegrated"` or `"warp"`.
        name: model name, also the prefix of every layer name (default `"vxm_dense"`).

    Input shape:
        `[source (batch, *inshape, src_feats), target (batch, *inshape, trg_feats)]`,
        named `{name}_source_input`, `{name}_target_input`.

    Output shape:
        `[moved (batch, *inshape, src_feats), flow (batch, *field_shape, ndims)]`
        (with `bidir`, the moved target in between). The flow is the field
        `reg_field` names (by default the velocity at `1 / int_resolution`).

    Raises:
        ValueError: for an `inshape` that is not 2 or 3 positive ints
            divisible by the pooling, bad U-Net widths (see `unet_features`),
            negative `int_steps`, resolutions that are not positive ints, or
            an unknown `reg_field`.

    Example:
    >>> model = VxmDense(inshape=(64, 64))
    >>> model.count_params()
    109170
    >>> [tuple(o.shape) for o in model.outputs]
    [(None, 64, 64, 1), (None, 32, 32, 2)]

    Reference:
        Balakrishnan, Zhao, Sabuncu, Guttag, Dalca. VoxelMorph: A Learning
        Framework for Deformable Medical Image Registration. IEEE TMI 2019.
        Dalca, Balakrishnan, Guttag, Sabuncu. Unsupervised Learning for Fast
        Probabilistic Diffeomorphic Registration. MICCAI 2018.
    """

    def __init__(
        self,
        inshape: Sequence[int],
        nb_unet_features=None,
        nb_unet_levels: int | None = None,
        unet_feat_mult: float = 1,
        nb_unet_conv_per_level: int = 1,
        int_steps: int = 7,
        svf_resolution: int = 1,
        int_resolution: int = 2,
        int_downsize: int | None = None,
        bidir: bool = False,
        use_probs: bool = False,
        src_feats: int = 1,
        trg_feats: int = 1,
        unet_half_res: bool = False,
        input_model: keras.Model | None = None,
        fill_value: float | None = None,
        reg_field: str = "preintegrated",
        name: str = "vxm_dense",
        **kwargs,
    ):
        encoder, decoder = unet_features(nb_unet_features, nb_unet_levels, unet_feat_mult, nb_unet_conv_per_level)
        nb_levels = len(encoder) // int(nb_unet_conv_per_level) + 1
        inshape = _check_inshape(inshape, nb_levels)
        ndims = len(inshape)
        if isinstance(int_steps, bool) or not isinstance(int_steps, (int, np.integer)) or int_steps < 0:
            raise ValueError(f"`int_steps` must be a non-negative int. Received int_steps={int_steps!r}")
        if int_downsize is not None:
            int_resolution = int_downsize
        int_resolution = positive_int("int_resolution", int_resolution)
        svf_resolution = 2 if unet_half_res else positive_int("svf_resolution", svf_resolution)
        src_feats = positive_int("src_feats", src_feats)
        trg_feats = positive_int("trg_feats", trg_feats)
        if not isinstance(reg_field, str) or reg_field.lower() not in REG_FIELDS:
            raise ValueError(f"`reg_field` must be one of {REG_FIELDS}. Received reg_field={reg_field!r}")
        reg_field = reg_field.lower()

        if input_model is None:
            source = keras.Input((*inshape, src_feats), name=f"{name}_source_input")
            target = keras.Input((*inshape, trg_feats), name=f"{name}_target_input")
            inputs = [source, target]
        else:
            source, target = input_model.outputs[:2]
            inputs = list(input_model.inputs)

        nb_upsample_skips = int(np.floor(np.log(svf_resolution) / np.log(2)))
        x = keras.layers.Concatenate(name=f"{name}_unet_input_concat")([source, target])
        x = vxm_unet(x, encoder, decoder, int(nb_unet_conv_per_level), nb_upsample_skips, f"{name}_unet")
        conv = keras.layers.Conv2D if ndims == 2 else keras.layers.Conv3D
        flow_mean = conv(
            ndims, 3, padding="same", kernel_initializer=keras.initializers.RandomNormal(0.0, 1e-5), name=f"{name}_flow"
        )(x)
        if use_probs:
            flow_logsigma = conv(
                ndims, 3, padding="same", kernel_initializer=keras.initializers.RandomNormal(0.0, 1e-10),
                bias_initializer=keras.initializers.Constant(-10.0), name=f"{name}_log_sigma",
            )(x)
            flow_params = keras.layers.Concatenate(name=f"{name}_prob_concat")([flow_mean, flow_logsigma])
            flow = SampleNormalLogVar(name=f"{name}_z_sample")([flow_mean, flow_logsigma])
        else:
            flow = flow_mean

        # As VoxelMorph: factors from the first axis, sizes rounded.
        pre_svf_size = np.array(flow.shape[1:-1])
        svf_size = np.array([np.round(n / svf_resolution) for n in inshape])
        if not np.array_equal(pre_svf_size, svf_size):
            flow = RescaleTransform(svf_size[0] / pre_svf_size[0], name=f"{name}_svf_resize")(flow)
        svf = flow
        resized = int_steps > 0 and int_resolution > 1
        if resized:
            int_size = np.array([np.round(n / int_resolution) for n in inshape])
            if not np.array_equal(svf_size, int_size):
                flow = RescaleTransform(int_size[0] / svf_size[0], name=f"{name}_flow_resize")(flow)
        preint_flow = flow
        pos_flow = flow
        if bidir:
            neg_flow = Negate(name=f"{name}_neg_flow")(flow)
        if int_steps > 0:
            pos_flow = VecInt(int_steps=int(int_steps), method="ss", name=f"{name}_flow_int")(pos_flow)
            if bidir:
                neg_flow = VecInt(int_steps=int(int_steps), method="ss", name=f"{name}_neg_flow_int")(neg_flow)
        postint_flow = pos_flow
        if resized:
            factor = inshape[0] / int_size[0]
            pos_flow = RescaleTransform(factor, name=f"{name}_diffflow")(pos_flow)
            if bidir:
                neg_flow = RescaleTransform(factor, name=f"{name}_neg_diffflow")(neg_flow)
        if tuple(pos_flow.shape[1:-1]) != inshape:
            raise ValueError(
                f"The final warp has spatial shape {tuple(pos_flow.shape[1:-1])}, not inshape={inshape}: choose "
                f"sizes divisible by svf_resolution={svf_resolution} and int_resolution={int_resolution}."
            )
        y_source = SpatialTransformer(
            interp_method="linear", indexing="ij", fill_value=fill_value, name=f"{name}_transformer"
        )([source, pos_flow])
        outputs = [y_source]
        if bidir:
            y_target = SpatialTransformer(
                interp_method="linear", indexing="ij", fill_value=fill_value, name=f"{name}_neg_transformer"
            )([target, neg_flow])
            outputs.append(y_target)
        if use_probs:
            outputs.append(flow_params)
        else:
            outputs.append({"svf": svf, "preintegrated": preint_flow, "postintegrated": postint_flow, "warp": pos_flow}[reg_field])
        super().__init__(inputs=inputs, outputs=outputs, name=name, **kwargs)

        self._warp_layer = pos_flow._keras_history[0].name
        self._vxm_config = {
            "inshape": inshape,
            "nb_unet_features": [list(encoder), list(decoder)] if nb_unet_features is not None else None,
            "nb_unet_levels": None,
            "unet_feat_mult": 1,
            "nb_unet_conv_per_level": int(nb_unet_conv_per_level),
            "int_steps": int(int_steps),
            "svf_resolution": svf_resolution,
            "int_resolution": int_resolution,
            "int_downsize": None,
            "bidir": bool(bidir),
            "use_probs": bool(use_probs),
            "src_feats": src_feats,
            "trg_feats": trg_feats,
            "unet_half_res": False,
            "fill_value": None if fill_value is None else float(fill_value),
            "reg_field": reg_field,
            "name": name,
        }
        if input_model is not None:
            self._vxm_config["input_model"] = keras.saving.serialize_keras_object(input_model)

    def warp_layer_name(self) -> str:
        return self._warp_layer

    def load_weights(self, filepath, skip_mismatch: bool = False, **kwargs):
        """Load weights; legacy `.h5` / `.hdf5` files (VoxelMorph's) are matched layer by layer.

        For `.h5` files written by VoxelMorph's TensorFlow `VxmDense`
        (`save_weights` or `save`), or by this class, weights are matched by
        layer name, or, when the file's model had another name, by the order
        of the layers that have weights; see `load_vxm_h5_weights`. Other
        formats (Keras 3's `.weights.h5`, `.keras`) go to
        `keras.Model.load_weights`.

        Raises:
            ValueError: when the file's layers or weight shapes do not match
                this architecture (the message names expected and received
                shapes).
        """
        legacy = str(filepath).endswith((".h5", ".hdf5")) and not str(filepath).endswith(".weights.h5")
        if legacy and not kwargs and not skip_mismatch:
            load_vxm_h5_weights(self, Path(filepath))
            return
        super().load_weights(filepath, skip_mismatch=skip_mismatch, **kwargs)

    @classmethod
    def load(cls, path, by_name: bool = False, **kwargs) -> "VxmDense":
        """Load a model saved with `save` (VoxelMorph's `LoadableModel.load`).

        `.h5` files (written by VoxelMorph's `model.save` or by this class)
        hold the constructor arguments in their `model_config` attribute:
        the network is rebuilt from them (`kwargs` override them) and the
        weights loaded with `load_weights`. `.keras` files go to
        `keras.saving.load_model`.

        Args:
            path: the saved model.
            by_name: accepted for VoxelMorph's signature (weights are always
                matched by name when the names agree, else by order).
            **kwargs: constructor arguments replacing the saved ones.

        Raises:
            ValueError: for a file without a model configuration, one of
                another model class, or a HyperMorph model (`hyp_model`).
        """
        import json

        import h5py

        path = str(path)
        if path.endswith(".keras"):
            return keras.saving.load_model(path)
        with h5py.File(path, "r") as f:
            if "model_config" not in f.attrs:
                raise ValueError(f"{path!r} has no model configuration: load weights files with `load_weights`.")
            raw = f.attrs["model_config"]
        saved = json.loads(raw.decode("utf8") if isinstance(raw, bytes) else raw)
        if saved.get("class_name") not in ("VxmDense", "sshn_keras>VxmDense"):
            raise ValueError(f"{path!r} holds a {saved.get('class_name')!r} model, not a VxmDense.")
        config = dict(saved["config"])
        config.pop("metadata", None)
        if config.pop("hyp_model", None) is not None:
            raise ValueError(f"{path!r} is a HyperMorph model (hyp_model is set), which VxmDense does not build.")
        if config.get("enc_nf") and config.get("dec_nf"):
            config["nb_unet_features"] = [config.pop("enc_nf"), config.pop("dec_nf")]
        config.update(kwargs)
        model = cls.from_config(config)
        model.load_weights(path)
        return model

    def get_config(self):
        config = dict(self._vxm_config)
        if "input_model" not in config:
            config["input_model"] = None
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        if isinstance(config.get("input_model"), dict):
            config["input_model"] = keras.saving.deserialize_keras_object(config["input_model"], custom_objects=custom_objects)
        return cls(**config)
