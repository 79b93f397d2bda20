"""`PhiModel`: one phi-conditioned model = an architecture spec x a method x a task.

* the architecture (`sshn_keras.architectures`: `UNetSpec`, `VxmDenseSpec`)
  lays out the graph and builds the Fixed network at any phi;
* the method (`sshn_keras.models.strategies`: sshn, stochastic, film) makes
  the convolutions and the plain weights at phi;
* the task (`sshn_keras.tasks`: segmentation, registration) gives inputs,
  head, outputs and data checks.

The wrapped functional network takes the task's images and `phi`. This
class decides which phi it gets:

* training (`fit`): one phi per step for the whole batch, drawn from the prior
  as a pure function of `(seed, optimizer step)`: no per-step retracing, the
  same phi on every replica, and the same sequence after a resume;
* inference: the phi given to `predict(x, phi=...)` / `evaluate(..., phi=...)`
  (held in a non-trainable variable, so changing it never retraces), or a
  `phi` entry of a dict input.

Under a mixed-precision policy phi stays float32 everywhere (inputs are not
cast to the compute dtype; the rescaled sizes are computed from it).
`SSHNUNet`, `SSHNVxmDense` and the other named classes are thin
constructors of this class.
"""

import contextlib
import warnings

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from sshn_keras.architectures import get_architecture, resize_downsample
from sshn_keras.callbacks import PhiGridValidation, is_reiterable_dataset
from sshn_keras.layers.precision import KeepsInputDtypes
from sshn_keras.models.strategies import STRATEGIES
from sshn_keras.models.views import attribute_of
from sshn_keras.ops.checks import check_batch_size, check_int, checked_phi
from sshn_keras.priors import get_prior, validate_phi, validation_grid
from sshn_keras.tasks import get_task
from sshn_keras.tasks.validation import check_not_empty


def build_optimizer_variables(model: keras.Model) -> None:
    """Create a compiled model's optimizer variables before `fit` traces the training step.

    Keras (TensorFlow backend, no distribution strategy) creates them while
    tracing the first step, which makes TensorFlow trace the whole step a
    second time: about half the cost of a small model's first `fit`. The
    training is the same either way (zeros are zeros). Under a strategy Keras
    builds them itself, in the strategy's scope, and this does nothing.

    Args:
        model: a `keras.Model`; nothing happens unless it is built and compiled.
    """
    optimizer = getattr(model, "optimizer", None)
    if (optimizer is not None and not optimizer.built and model.built
            and getattr(model, "_distribute_strategy", None) is None):
        optimizer.build(model.trainable_variables)


@keras.saving.register_keras_serializable(package="sshn_keras")
class PhiModel(KeepsInputDtypes, keras.Model):
    """A network conditioned on the rescaling factor phi: architecture x method x task.

    Args:
        architecture: an `ArchitectureSpec` (e.g. `UNetSpec(...)`,
            `VxmDenseSpec(...)`) or its config dict.
        method: a registered phi-conditioned method: `"sshn"`,
            `"stochastic"` or `"film"`.
        task: a `Task`, a registered task name or a task config (default:
            the architecture's default task).
        method_options: the method's options (SSHN: `hyper_units`,
            `normalize_embedding`, `head_rank`; FiLM: `film_units`).
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

    Input shape:
        The task's: segmentation `image (batch, *spatial, C)` (or a dict with
        `image` and optionally `phi`); registration `[moving, fixed]` (or a
        dict with `moving`, `fixed` and optionally `phi`).

    Output shape:
        The task's: segmentation `(batch, *spatial, num_classes)`
        probabilities; registration `[moved, flow]`.

    Raises:
        TypeError: for an argument of the wrong type.
        ValueError: for out-of-range or non-finite values, an unknown
            method or task (naming the registered ones).

    Run-time checks (every path: numpy, tensors, `tf.data`, dicts,
    `tf.function`): images must be finite and of the model's shape; a given
    phi must be finite, in (0, 1] and one value for the whole batch (a
    per-sample phi whose values differ is refused); see `sshn_keras.ops.checks`.

    Example:
    >>> from sshn_keras.architectures import VxmDenseSpec
    >>> model = PhiModel(VxmDenseSpec(inshape=(32, 32)), method="sshn", task="registration")
    >>> [tuple(o.shape) for o in model.materialize(0.5).outputs]
    [(None, 32, 32, 1), (None, 16, 16, 2)]
    """

    network_name = None  # default: "{name}_network"

    def __init__(
        self,
        architecture,
        method: str = "sshn",
        task=None,
        method_options: dict | None = None,
        prior=None,
        inference_phi: float | None = None,
        seed: int = 0,
        validation_phis="auto",
        **kwargs,
    ):
        # KeepsInputDtypes: inputs go to the functional network as given (it
        # casts the images); Keras would cast a dict input's phi to a mixed
        # policy's compute dtype, changing the rescaled sizes.
        super().__init__(**kwargs)
        self.spec = get_architecture(architecture)
        self.task = self.spec.default_task() if task is None else get_task(task)
        self.task.check(self.spec.input_shape)
        self.method = STRATEGIES.check(method, "method")
        self.strategy = STRATEGIES.get(self.method)
        self.method_options = self.strategy.check_options(method_options)
        self.prior = get_prior(prior)
        if inference_phi is None:
            inference_phi = self.prior.mean
        self.default_phi = validate_phi(inference_phi, "inference_phi")
        self.validation_phis = _validation_phis(validation_phis, self.prior)
        self._validation_phis_arg = validation_phis if isinstance(validation_phis, str) else list(self.validation_phis)
        self.seed = check_int(seed, "seed")
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
        if self.task.output_names:
            # Keras names per-output losses and metrics after `output_names`
            # (`moved_loss`, `flow_loss`, as for the Fixed network).
            self.output_names = list(self.task.output_names)
        self.built = True  # every variable exists now (the network is built)

    # -- the parts -----------------------------------------------------------
    image_shape = attribute_of("spec.input_shape", "Shape of one input image, `(*spatial, C)`.")
    num_stages = attribute_of("spec.num_stages", "Resolution levels of the architecture.")
    ndims = attribute_of("spec.ndims", "Spatial axes (2 or 3).")

    @property
    def num_classes(self) -> int:
        """Channels of the head (segmentation: classes; registration: ndims)."""
        return self.task.out_channels(self.spec.ndims)

    def build_network(self) -> keras.Model:
        """The functional network `{*task inputs, phi} -> task outputs`."""
        inputs = self.task.inputs(self.spec.input_shape)
        phi = keras.Input((1,), name="phi")
        conv = self.strategy.conv_factory(
            phi, self.spec.ndims, self.spec.negative_slope, self.task.head_init_stddev, self.method_options,
            self.spec.kernel_initializer,
        )
        head = self.spec.build(
            self.task.backbone_input(inputs), self.task.out_channels(self.spec.ndims), conv, resize_downsample(phi)
        )
        outputs = self.task.outputs(inputs, head)
        return keras.Model({**inputs, "phi": phi}, outputs, name=self.network_name or f"{self.name}_network")

    def materialize(self, phi: float) -> keras.Model:
        """The plain network at `phi`: the architecture's Fixed network holding this model's weights at `phi`.

        SSHN's hypernetwork is evaluated once and dropped; FiLM is folded
        into its convolutions; Stochastic's weights are copied. Predictions
        equal `self.predict(x, phi=phi)` to float tolerance.
        """
        phi = validate_phi(phi)
        model = self.spec.build_fixed(phi, self.task, name=f"{self.name}_phi{phi:g}")
        weights = self.strategy.weights(self.network, phi, self.method_options)
        for layer in model.layers:
            if layer.weights:
                layer.set_weights(weights[layer.name])
        return model

    def flops(self, phi: float) -> dict:
        """Exact FLOPs of the materialised network at `phi` (see `ArchitectureSpec.flops`)."""
        return self.spec.flops(phi, self.task)

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
        """Set the phi used by `predict` / `evaluate` / `call(training=False)` from now on.

        The model's config (`inference_phi`) follows, so a saved and
        reloaded model uses the same phi. (`predict(x, phi=p)` and
        `evaluate(..., phi=p)` use `p` for that call only.)
        """
        phi = validate_phi(phi)
        self.inference_phi.assign(phi)
        if np.float32(phi) != np.float32(self.default_phi):  # a float32 read-back keeps the config's value
            self.default_phi = phi

    @contextlib.contextmanager
    def _at_phi(self, phi):
        """Run the body at `phi` (None: the current inference phi), then restore the inference phi."""
        if phi is None:
            yield
            return
        phi = validate_phi(phi)
        previous = self.inference_phi.numpy()
        self.inference_phi.assign(phi)
        try:
            yield
        finally:
            self.inference_phi.assign(previous)

    def call(self, inputs, training=False):
        images, phi = self.task.split_inputs(inputs)
        images = self.task.checked_images(images, self.image_shape, self.spec.min_size())
        out = self.network({**images, "phi": self.resolve_phi(phi, training)}, training=training)
        return self.task.call_outputs(out)

    def resolve_phi(self, phi, training):
        """The `(1, 1)` float32 phi of this call: given (checked), drawn from the prior, or the inference phi.

        A given phi may be a number or a tensor of one value per batch (e.g.
        a `(batch, 1)` column of equal values); a per-sample phi whose values
        differ is refused (`InvalidArgumentError` in a graph, `TypeError`
        eagerly), as are NaN, infinities and values outside (0, 1].
        """
        if phi is None:
            phi = self.sample_phi() if training else self.inference_phi
            return ops.reshape(ops.cast(phi, "float32"), (1, 1))
        if isinstance(phi, (list, tuple)):  # a vector of phis: refused (one phi per batch)
            phi = validate_phi(np.asarray([np.asarray(p) for p in phi]))
        elif isinstance(phi, (int, float, np.ndarray, np.number)) or (tf.is_tensor(phi) and tf.executing_eagerly()):
            phi = validate_phi(phi if not tf.is_tensor(phi) else phi.numpy())
        return checked_phi(phi)

    # -- user-facing conveniences --------------------------------------------
    def predict(self, x, phi: float | None = None, **kwargs):
        """`keras.Model.predict` at `phi` (default: the inference phi); `phi` holds for this call only."""
        self._check_inputs(x)
        check_batch_size(kwargs)
        with self._at_phi(phi):
            return super().predict(x, **kwargs)

    def evaluate(self, x=None, y=None, phi: float | None = None, **kwargs):
        """`keras.Model.evaluate` at `phi` (default: the inference phi); `phi` holds for this call only."""
        if isinstance(x, np.ndarray) and y is None:
            raise ValueError(
                "evaluate needs labels: with numpy images `x`, pass `y` (integer or one-hot label maps). Received y=None"
            )
        self._check_inputs(x, y)
        check_batch_size(kwargs)
        with self._at_phi(phi):
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
        that are best across the prior, not at its middle (on WBC, validating
        at one phi left the SSHN Dice points behind Fixed U-Nets at small phi;
        README's quickstart and RESULTS.md give the numbers).

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
        x, kwargs = self.task.prepare_fit(x, kwargs)  # registration: VoxelMorph's generators of lists
        self._check_inputs(x, y)
        check_batch_size(kwargs)
        validation_data = kwargs.get("validation_data")
        if isinstance(validation_data, (tuple, list)) and len(validation_data) >= 2:
            self._check_inputs(validation_data[0], validation_data[1], "validation_data")
        else:
            check_not_empty(validation_data, "validation_data")
        phis = self.validation_phis if validation_phis is None else _validation_phis(validation_phis, self.prior)
        x, y, kwargs = self._grid_validation(x, y, phis, kwargs)
        build_optimizer_variables(self)
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

    def register(self, moving, fixed, phi: float | None = None, batch_size: int = 8) -> np.ndarray:
        """Registration: the displacement `(N, *spatial, ndims)` that warps each moving image onto its fixed one.

        VoxelMorph's `register`; for `int_steps > 0` the integrated field.

        Raises:
            TypeError: for a model whose task has no displacement (segmentation).
        """
        outputs = self.network.output
        if not isinstance(outputs, dict) or "displacement" not in outputs:
            raise TypeError(f"`register` is for registration models; this one's task is {self.task.name!r}.")
        moving, fixed = np.asarray(moving), np.asarray(fixed)
        self._check_inputs([moving, fixed])
        phi = float(self.inference_phi.numpy()) if phi is None else validate_phi(phi)
        phis = np.full((moving.shape[0], 1), phi, np.float32)
        out = self.network.predict({"moving": moving, "fixed": fixed, "phi": phis}, batch_size=batch_size, verbose=0)
        return out["displacement"]

    def _check_inputs(self, x, y=None, what="x"):
        self.task.check_data(x, y, self.image_shape, self.num_stages, what)

    # -- serialization ----------------------------------------------------------
    def phi_config(self) -> dict:
        """The phi arguments of the config (prior, inference phi, seed, validation grid)."""
        return {
            "prior": keras.saving.serialize_keras_object(self.prior),
            "inference_phi": self.default_phi,
            "seed": self.seed,
            "validation_phis": self._validation_phis_arg,
        }

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "architecture": self.spec.to_config(),
                "method": self.method,
                "task": self.task.to_config(),
                "method_options": {k: list(v) if isinstance(v, tuple) else v for k, v in self.method_options.items()},
                **self.phi_config(),
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config.pop("trainable", None)
        config.pop("dtype", None)
        return cls(**config)


PhiConditionedModel = PhiModel  # the name the package used before architectures, methods and tasks were parts


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
