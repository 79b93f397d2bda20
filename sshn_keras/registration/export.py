"""Export a registration network to a TensorFlow SavedModel (`serving_default` signature).

As `sshn_keras.export.export_saved_model` for segmentation, two forms:

* a Fixed network, or a phi-conditioned one materialised at `phi`
  (hypernetwork dropped): `serving_default(moving, fixed) -> {moved, flow}`;
* a whole phi-conditioned network (`phi=None`):
  `serving_default(moving, fixed, phi) -> {moved, flow}`, phi a float32
  scalar in (0, 1] checked at run time.

The served `flow` is the displacement that warped `moving` into `moved`
(voxels, channels-last, `ij`): the integrated field when `int_steps > 0`,
so a client can apply it to other images (e.g. label maps) directly.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from sshn_keras.ops.checks import checked_images, checked_phi
from sshn_keras.export import check_export_folder, materialize_for_export, write_archive
from sshn_keras.registration.phi_networks import is_phi_registration_model


def export_registration_saved_model(model: keras.Model, path, phi: float | None = None, verbose: bool = False) -> str:
    """Write a registration network as a SavedModel for TF Serving and return `path`.

    Args:
        model: a Fixed / materialised network (`build_vxm_dense`) or a
            phi-conditioned one (`SSHNVxmDense`, ...).
        path: output folder (must not exist or be empty).
        phi: for a phi-conditioned network, materialise at this phi; None
            exports the whole network with a `phi` input.
        verbose: let Keras print the exported variables.

    Returns:
        `path` (a string).

    Raises:
        ValueError: for an invalid `phi`, a `phi` given for a Fixed
            network, a model that is not a registration network, or a
            folder that is not empty.
        OSError: naming `path`, if the folder cannot be written (the
            export is atomic: nothing is left at `path`).

    Example:
    >>> export_registration_saved_model(sshn, "served/vxm_phi0.25", phi=0.25)   # doctest: +SKIP
    >>> serve = tf.saved_model.load("served/vxm_phi0.25").signatures["serving_default"]  # doctest: +SKIP
    >>> serve(moving=m, fixed=f)["flow"].shape                                  # doctest: +SKIP
    """
    path = check_export_folder(path)
    model, phi_model = materialize_for_export(
        model, phi, is_phi_registration_model(model), "SSHNVxmDense, StochasticVxmDense, FiLMVxmDense"
    )
    if phi_model:
        network = model.network
        image_shape = model.image_shape
    else:
        names = [layer.name for layer in model.layers]
        if "moved" not in names or "flow" not in names or len(model.inputs) != 2:
            raise ValueError(f"{model.name!r} is not a registration network built by `build_vxm_dense`.")
        image_shape = tuple(model.inputs[0].shape[1:])
        flow_layer = "displacement" if "displacement" in names else "flow"
        network = keras.Model(
            model.inputs, {"moved": model.get_layer("moved").output, "displacement": model.get_layer(flow_layer).output}
        )
    spec = [
        tf.TensorSpec((None, *image_shape), tf.float32, name="moving"),
        tf.TensorSpec((None, *image_shape), tf.float32, name="fixed"),
    ]

    def checked(image, name):
        return checked_images(image, name, 1, image_shape[:-1], image_shape[-1])

    archive = keras.export.ExportArchive()
    archive.track(network)
    if phi_model:

        def serve(moving, fixed, phi):
            moving, fixed = checked(moving, "moving"), checked(fixed, "fixed")
            out = network({"moving": moving, "fixed": fixed, "phi": checked_phi(phi)}, training=False)
            return {"moved": out["moved"], "flow": out["displacement"]}

        spec.append(tf.TensorSpec((), tf.float32, name="phi"))
    else:

        def serve(moving, fixed):
            out = network([checked(moving, "moving"), checked(fixed, "fixed")], training=False)
            return {"moved": out["moved"], "flow": out["displacement"]}

    archive.add_endpoint("serving_default", serve, input_signature=spec)
    return write_archive(archive, path, verbose)
