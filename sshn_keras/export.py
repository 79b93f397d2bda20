"""Export to TensorFlow SavedModel with a `serving_default` signature (TF Serving).

Two forms:

* `export_saved_model(model, path, phi=0.25)`: a plain U-Net at one phi (an
  SSHN is materialised first: hypernetwork dropped). Signature
  `serving_default(image) -> {probabilities, segmentation}`.
* `export_saved_model(sshn, path)` with no phi: the whole phi-conditioned
  model. Signature `serving_default(image, phi) -> {...}`, so one deployment
  can change its cost with each request.

`load_saved_model(path)` loads either back, with a clear error for a
missing, truncated or corrupted SavedModel.

Under a mixed-precision policy the model computes in float16 / bfloat16
inside, but the signature still takes float32 images and returns float32
probabilities.
"""

import errno
import os

import keras
import tensorflow as tf

from sshn_keras.atomic import atomic_write_folder
from sshn_keras.ops.checks import checked_images, checked_phi
from sshn_keras.models.phi_model import PhiConditionedModel
from sshn_keras.models.unet import min_input_size
from sshn_keras.priors import validate_phi


def export_saved_model(model: keras.Model, path: str, phi: float | None = None, verbose: bool = False) -> str:
    """Write `model` as a SavedModel for TF Serving and return `path`.

    Args:
        model: a Fixed / materialised U-Net (`keras.Model` with one image
            input), or a phi-conditioned model (`SSHNUNet`, ...).
        path: output folder (must not exist or be empty).
        phi: for a phi-conditioned model, materialise at this phi and export
            a plain U-Net; None exports the whole model with a `phi` input.
        verbose: let Keras print the exported variables.

    Returns:
        `path`.

    The folder is written beside `path` and renamed into place: a failed
    export (a full disk, a kill) leaves nothing at `path`. The signature
    checks every request at run time (`InvalidArgumentError` naming the
    input): finite images of the exported spatial shape, and for the whole
    model a finite scalar `phi` in (0, 1].

    Raises:
        ValueError: if `phi` is invalid, or given for a plain model, or the
            folder is not empty.
        OSError: naming `path`, if the folder cannot be written.

    Example:
    >>> export_saved_model(sshn, "served/unet_phi0.25", phi=0.25)   # doctest: +SKIP
    >>> f = tf.saved_model.load("served/unet_phi0.25").signatures["serving_default"]  # doctest: +SKIP
    >>> f(image=tf.zeros((1, 64, 64, 1)))["segmentation"].shape     # doctest: +SKIP
    """
    path = check_export_folder(path)
    model, phi_model = materialize_for_export(
        model, phi, isinstance(model, PhiConditionedModel), "SSHNUNet, StochasticUNet, FiLMUNet"
    )
    image_shape = model.image_shape if phi_model else tuple(model.inputs[0].shape[1:])
    image_spec = tf.TensorSpec((None, *image_shape), tf.float32, name="image")
    min_size = min_input_size(model.num_stages) if phi_model else 1

    def checked(image):
        return checked_images(image, "image", min_size, image_shape[:-1], image_shape[-1])

    archive = keras.export.ExportArchive()
    archive.track(model)
    if phi_model:
        network = model.network

        def serve(image, phi):
            return _outputs(network({"image": checked(image), "phi": checked_phi(phi)}, training=False))

        signature = [image_spec, tf.TensorSpec((), tf.float32, name="phi")]
    else:

        def serve(image):
            return _outputs(model(checked(image), training=False))

        signature = [image_spec]
    archive.add_endpoint("serving_default", serve, input_signature=signature)
    return write_archive(archive, path, verbose)


def write_archive(archive, path: str, verbose: bool = False) -> str:
    """Write a `keras.export.ExportArchive` at `path` atomically (beside, then renamed).

    A failure (a full disk, a kill) leaves no partial folder at `path`, so a
    retry starts clean.

    Raises:
        OSError: naming `path`, if the SavedModel cannot be written.
    """

    def write(tmp):
        try:
            archive.write_out(tmp, verbose=verbose)
        except tf.errors.OpError as error:
            raise OSError(errno.EIO, f"Cannot write the SavedModel {path}: {error.message}", path) from error

    return atomic_write_folder(path, write)


def check_export_folder(path) -> str:
    """`path` as a string; raises `ValueError` if it exists and is not an empty folder."""
    path = os.fspath(path)
    if os.path.exists(path) and (not os.path.isdir(path) or os.listdir(path)):
        raise ValueError(f"Export folder {path!r} already exists and is not empty; choose a new folder.")
    return path


def materialize_for_export(model, phi, phi_model: bool, kinds: str) -> tuple:
    """`(model, phi_model)` to export: materialised at `phi` when one is given.

    Raises:
        ValueError: for an invalid `phi`, or a `phi` given for a model whose
            phi is built in (`kinds` names the phi-conditioned classes).
    """
    if phi is None:
        return model, phi_model
    phi = validate_phi(phi)
    if not phi_model:
        raise ValueError(f"`phi` is only for phi-conditioned models ({kinds}); {model.name!r} has its phi built in.")
    return model.materialize(phi), False


def _outputs(probs):
    return {"probabilities": probs, "segmentation": tf.argmax(probs, axis=-1, output_type=tf.int32)}


def load_saved_model(path):
    """Load a SavedModel written by `export_saved_model`; returns the loaded object.

    Call `loaded.signatures["serving_default"](image=...)` (and `phi=...`
    for a whole phi-conditioned model).

    Args:
        path: the SavedModel folder.

    Raises:
        FileNotFoundError: if `path` does not exist.
        ValueError: if `path` is not a SavedModel folder, or its
            `saved_model.pb` or variables are missing, truncated or
            corrupted, or it has no `serving_default` signature; the
            message names the folder and the failing part.

    Example:
    >>> serve = load_saved_model("served/unet_phi0.25").signatures["serving_default"]   # doctest: +SKIP
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"No SavedModel at {path}")
    if not os.path.isdir(path):
        raise ValueError(f"{path} is a file; a SavedModel is a folder holding saved_model.pb and variables/.")
    if not os.path.isfile(os.path.join(path, "saved_model.pb")):
        raise ValueError(f"{path} is not a SavedModel folder: saved_model.pb is missing.")
    try:
        loaded = tf.saved_model.load(path)
    except (OSError, IndexError, ValueError, tf.errors.OpError) as error:
        raise ValueError(
            f"Cannot load the SavedModel {path}: its graph (saved_model.pb) or variables (variables/) are missing, "
            f"truncated or corrupted ({type(error).__name__}: {str(error)[:300]}). Export the model again."
        ) from error
    if "serving_default" not in getattr(loaded, "signatures", {}):
        raise ValueError(f"The SavedModel {path} has no 'serving_default' signature; it was not written by export_saved_model.")
    return loaded
