"""Base class of the models that take phi as an input (SSHN, Stochastic, FiLM).

The wrapped functional network has two inputs, `image` and `phi`. This class
decides which phi it gets:

* training (`fit`): one phi per step for the whole batch, drawn from the prior
  as a pure function of `(seed, optimizer step)`: no per-step retracing, the
  same phi on every replica, and the same sequence after a resume;
* inference: the phi given to `predict(x, phi=...)` / `evaluate(..., phi=...)`
  (held in a non-trainable variable, so changing it never retraces), or a
  `{"image": x, "phi": p}` input.

Under a mixed-precision policy phi stays float32 everywhere (inputs are not
cast to the compute dtype; the rescaled sizes are computed from it).
"""

import warnings

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from sshn_keras.callbacks import PhiGridValidation, is_reiterable_dataset
from sshn_keras.layers.precision import as_tensors
from sshn_keras.models.validation import check_images, check_labels, check_not_empty
from sshn_keras.priors import get_prior, validate_phi, validation_grid


class PhiConditionedModel(keras.Model):
    """A segmentation U-Net conditioned on the rescaling factor phi.

    Subclasses implement `build_network()` (the functional `{image, phi}`
    network) and `materialize(phi)`.

    Args:
        input_shape: `(H, W, C)` or `(D, H, W, C)` (spatial sizes may be None).
        num_classes: classes, background included.
        filters, num_stages, convs_per_stage, kernel_size, negative_slope:
            the primary U-Net (see `build_unet`).
        prior: training prior over phi (`UniformPrior`, a `(low, high)` pair;
            default `U(0, 0.5)`).
        inference_phi: phi used at inference when none is given (default:
            the prior's mean).
        validation_phis: the phi values `fit` validates at (see `fit`):
            `"auto"` (default) for the prior's grid
            (`sshn_keras.priors.validation_grid`, `(0.05, 0.1, 0.2, 0.3, 0.4,
            0.5)` for `U(0, 0.5)`), a sequence of phi in (0, 1], or `()` to
            validate at the inference phi only, as Keras does.
        seed: seed of the per-step phi draws.
    """

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
        **kwargs,
    ):
        super().__init__(**kwargs)
        # Inputs go to the functional network as given (it casts the image);
        # Keras would cast a `{"image", "phi"}` input's phi to a mixed
        # policy's compute dtype, changing the rescaled sizes.
        self._convert_input_args = False
        self.image_shape = tuple(input_shape)
        self.num_classes = num_classes
        self.filters = filters if isinstance(filters, int) else [int(f) for f in filters]
        self.num_stages = num_stages
        self.convs_per_stage = convs_per_stage
        self.kernel_size = kernel_size
        self.negative_slope = float(negative_slope)
        self.prior = get_prior(prior)
        if inference_phi is None:
            inference_phi = self.prior.mean
        self.default_phi = validate_phi(inference_phi, "inference_phi")
        self.validation_phis = _validation_phis(validation_phis, self.prior)
        self._validation_phis_arg = validation_phis if isinstance(validation_phis, str) else list(self.validation_phis)
        self.seed = int(seed)
        self.network = self.build_network()
        self.inference_phi = self.add_weight(
            name="inference_phi",
            shape=(),
            initializer=keras.initializers.Constant(self.default_phi),
            trainable=False,
            dtype="float32",
            autocast=False,  # read as float32 under mixed precision (sizes depend on it)
        )
        self._phi_seed_generator = keras.random.SeedGenerator(self.seed, name="phi_seed")
        self.built = True  # every variable exists now (the network is built)

    # -- to implement -----------------------------------------------------
    def build_network(self) -> keras.Model:
        raise NotImplementedError

    def materialize(self, phi: float) -> keras.Model:
        raise NotImplementedError

    # -- phi handling -------------------------------------------------------
    def sample_phi(self):
        """The phi of the current training step (float32 scalar)."""
        optimizer = getattr(self, "optimizer", None)
        if optimizer is not None and getattr(optimizer, "built", False):
            step = ops.cast(optimizer.iterations, "int64")
            seed = ops.stack([ops.convert_to_tensor(self.seed, "int64"), step])
        else:
            seed = ops.cast(self._phi_seed_generator.next(), "int64")
        return self.prior.sample(seed)

    def set_inference_phi(self, phi: float) -> None:
        """Set the phi used by `predict` / `evaluate` / `call(training=False)`."""
        self.inference_phi.assign(validate_phi(phi))

    def __call__(self, inputs, *args, **kwargs):
        return super().__call__(as_tensors(inputs), *args, **kwargs)

    def call(self, inputs, training=False):
        phi = None
        if isinstance(inputs, dict):
            if "image" not in inputs:
                raise ValueError(f"A dict input must have the key 'image' (and optionally 'phi'). Received keys {list(inputs)}")
            image, phi = inputs["image"], inputs.get("phi")
        else:
            image = inputs
        if phi is None:
            phi = self.sample_phi() if training else self.inference_phi
        elif isinstance(phi, (list, tuple)):  # a vector of phis: refused (one phi per batch)
            phi = validate_phi(np.asarray([np.asarray(p) for p in phi]))
        elif isinstance(phi, (int, float, np.ndarray, np.number)) or (
            tf.is_tensor(phi) and tf.executing_eagerly()
        ):
            phi = validate_phi(phi if not tf.is_tensor(phi) else phi.numpy())
        phi = ops.reshape(ops.cast(phi, "float32"), (-1, 1))[:1]
        return self.network({"image": image, "phi": phi}, training=training)

    # -- user-facing conveniences --------------------------------------------
    def predict(self, x, phi: float | None = None, **kwargs):
        """`keras.Model.predict` at `phi` (default: the current inference phi)."""
        self._check_inputs(x)
        if phi is not None:
            self.set_inference_phi(phi)
        return super().predict(x, **kwargs)

    def evaluate(self, x=None, y=None, phi: float | None = None, **kwargs):
        """`keras.Model.evaluate` at `phi` (default: the current inference phi)."""
        self._check_inputs(x, y)
        if phi is not None:
            self.set_inference_phi(phi)
        result = super().evaluate(x, y, **kwargs)
        if result is None or (hasattr(result, "__len__") and len(result) == 0):
            raise ValueError("evaluate ran on no batch: the data is empty.")
        return result

    def fit(self, x=None, y=None, validation_phis=None, **kwargs):
        """`keras.Model.fit`; each step draws its own phi from the prior.

        Validation runs across phi: with `validation_data` (or
        `validation_split`), the model is evaluated at every phi of its
        validation grid at the end of each epoch (`PhiGridValidation`). The
        history holds each phi's values (`val_loss_phi0.05`,
        `val_dice_phi0.05`, ...) and their mean as `val_loss`, `val_dice`, so
        `keras.callbacks.EarlyStopping(monitor="val_loss")` keeps the weights
        that are best across the prior, not at its middle: on WBC this made
        the SSHN as accurate as Fixed U-Nets at small phi, where validating at
        one phi left it up to 3.3 Dice points behind (RESULTS.md).

        Args:
            validation_phis: the grid for this call (default: the model's
                `validation_phis`); `()` validates at the inference phi only.
            Other arguments: as `keras.Model.fit`. `validation_freq` and
            `validation_batch_size` apply to the grid too.

        Raises:
            ValueError: for bad data (see `_check_inputs`), a bad grid, or
                `validation_split` with data that cannot be split (pass
                `validation_data` instead).
        """
        self._check_inputs(x, y)
        validation_data = kwargs.get("validation_data")
        if isinstance(validation_data, (tuple, list)) and len(validation_data) >= 2:
            self._check_inputs(validation_data[0], validation_data[1], "validation_data")
        else:
            check_not_empty(validation_data, "validation_data")
        phis = self.validation_phis if validation_phis is None else _validation_phis(validation_phis, self.prior)
        x, y, kwargs = self._grid_validation(x, y, phis, kwargs)
        history = super().fit(x, y, **kwargs)
        if kwargs.get("epochs", 1) > kwargs.get("initial_epoch", 0) and not history.history:
            raise ValueError("fit ran no training step: the training data produced no batch (an empty dataset?).")
        return history

    def _grid_validation(self, x, y, phis, kwargs):
        """Move `fit`'s validation into a `PhiGridValidation` callback at `phis`."""
        callbacks = list(kwargs.get("callbacks") or [])
        if not phis or any(isinstance(c, PhiGridValidation) for c in callbacks):
            return x, y, kwargs
        kwargs = dict(kwargs)
        split = kwargs.pop("validation_split", None) or 0.0
        data = kwargs.get("validation_data")
        if data is None and split:
            if not (isinstance(x, np.ndarray) and isinstance(y, np.ndarray)) or kwargs.get("sample_weight") is not None:
                raise ValueError(
                    "`validation_split` with phi-grid validation needs numpy arrays `x` and `y` and no "
                    "`sample_weight`; pass `validation_data` instead (or `validation_phis=()`)."
                )
            at = int(np.floor(len(x) * (1.0 - split)))  # the rows Keras would keep for training
            x, y, data = x[:at], y[:at], (x[at:], y[at:])
        if data is None:
            return x, y, kwargs
        if not isinstance(data, (tuple, list)) and not is_reiterable_dataset(data):
            warnings.warn(
                f"validation_data is a {type(data).__name__}, which can be read only once: validating at the "
                f"inference phi {self.default_phi:g} only, not across the grid {phis}. Pass arrays or a "
                "tf.data.Dataset to validate across phi.",
                stacklevel=3,
            )
            return x, y, kwargs
        batch_size = kwargs.pop("validation_batch_size", None) or kwargs.get("batch_size")
        grid = PhiGridValidation(data, phis, batch_size=batch_size, freq=kwargs.pop("validation_freq", 1))
        kwargs["validation_data"] = None
        kwargs["callbacks"] = [grid, *callbacks]
        return x, y, kwargs

    def _check_inputs(self, x, y=None, what="x"):
        check_not_empty(x, what)
        if isinstance(x, np.ndarray):
            check_images(x, self.image_shape, self.num_stages, what)
        if isinstance(y, np.ndarray):
            check_labels(y, self.num_classes, x.shape if isinstance(x, np.ndarray) else None)

    # -- serialization ----------------------------------------------------------
    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "input_shape": list(self.image_shape),
                "num_classes": self.num_classes,
                "filters": self.filters,
                "num_stages": self.num_stages,
                "convs_per_stage": self.convs_per_stage,
                "kernel_size": self.kernel_size,
                "negative_slope": self.negative_slope,
                "prior": keras.saving.serialize_keras_object(self.prior),
                "inference_phi": self.default_phi,
                "seed": self.seed,
                "validation_phis": self._validation_phis_arg,
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config.pop("trainable", None)
        config.pop("dtype", None)
        return cls(**config)

    def architecture(self) -> dict:
        """The primary U-Net's arguments, as `build_unet` takes them."""
        return {
            "input_shape": self.image_shape,
            "num_classes": self.num_classes,
            "filters": self.filters,
            "num_stages": self.num_stages,
            "convs_per_stage": self.convs_per_stage,
            "kernel_size": self.kernel_size,
            "negative_slope": self.negative_slope,
        }


def _validation_phis(value, prior) -> tuple:
    """`"auto"` -> the prior's grid; a sequence -> checked phis; `()` / None -> no grid."""
    if isinstance(value, str):
        if value != "auto":
            raise ValueError(f"`validation_phis` must be 'auto', a sequence of phi in (0, 1] or (). Received {value!r}")
        return validation_grid(prior)
    if value is None:
        return ()
    if np.ndim(value) != 1:
        raise ValueError(f"`validation_phis` must be 'auto', a sequence of phi in (0, 1] or (). Received {value!r}")
    return tuple(validate_phi(p, "validation_phis entry") for p in value)
