"""`RegistrationModel`: a functional registration network with VoxelMorph's methods and `fit`.

The Fixed registration network (`build_vxm_dense`) and `VxmDense` are
functional models of this class. On top of `keras.Model` it gives:

* `fit` on VoxelMorph's generators: a Python generator yielding
  `([moving, fixed], [fixed, zeros])` *lists* is accepted as is. (Keras 3
  feeds generators through `tf.data`, which refuses lists: "`output_signature`
  must contain objects that are subclass of `tf.TypeSpec`"; the lists become
  tuples, with the same indexing.)
* VoxelMorph's `get_registration_model`, `register` and `apply_transform`.

A plain `keras.Model(inputs, outputs)` subclass without its own `__init__`,
so it saves and loads as any functional model.
"""

from __future__ import annotations

import types
from collections.abc import Iterator

import keras
import numpy as np

from sshn_keras.layers import SpatialTransformer


def as_tuples(generator) -> Iterator:
    """Yield the batches of `generator` with every list turned into a tuple (see the module docstring).

    Example:
    >>> next(as_tuples(iter([([1, 2], [3, 4])])))
    ((1, 2), (3, 4))
    """

    def convert(item):
        if isinstance(item, (list, tuple)):
            return tuple(convert(i) for i in item)
        return item

    for batch in generator:
        yield convert(batch)


def tuples_for_fit(x, kwargs: dict):
    """`x` and `fit`'s keyword arguments with VoxelMorph's list generators turned into tuple generators.

    Python generators (for `x` and `validation_data`) are wrapped with
    `as_tuples`; a generator is not shuffled by Keras, so `shuffle` defaults
    to False for one. Anything else is returned unchanged.
    """
    if isinstance(x, types.GeneratorType):
        x = as_tuples(x)
        kwargs.setdefault("shuffle", False)
    if isinstance(kwargs.get("validation_data"), types.GeneratorType):
        kwargs["validation_data"] = as_tuples(kwargs["validation_data"])
    return x, kwargs


@keras.saving.register_keras_serializable(package="sshn_keras")
class RegistrationModel(keras.Model):
    """A functional registration network `[moving, fixed] -> [moved, ..., flow]` (VoxelMorph's `VxmDense` API).

    Built as `RegistrationModel(inputs, outputs, name=...)`. The final warp
    (the displacement that moves the first input onto the second, at full
    resolution) is the output of the layer named by `warp_layer_name`.

    Example:
    >>> from sshn_keras.registration import build_vxm_dense
    >>> model = build_vxm_dense((32, 32, 1), filters=4, num_stages=3)
    >>> moving = fixed = np.zeros((1, 32, 32, 1), "float32")
    >>> model.register(moving, fixed).shape
    (1, 32, 32, 2)
    """

    def fit(self, x=None, y=None, **kwargs):
        """`keras.Model.fit`, also on generators yielding VoxelMorph's `([moving, fixed], [fixed, zeros])` lists."""
        x, kwargs = tuples_for_fit(x, kwargs)
        return super().fit(x, y, **kwargs)

    def warp_layer_name(self) -> str:
        """Name of the layer whose output is the final full-resolution warp."""
        names = {layer.name for layer in self.layers}
        for name in ("displacement", "flow"):
            if name in names:
                return name
        raise ValueError(f"{self.name!r} has no 'displacement' or 'flow' layer to take the warp from.")

    def get_registration_model(self) -> keras.Model:
        """`[moving, fixed] -> warp`: the network up to the final displacement, sharing this model's layers."""
        return keras.Model(self.inputs, self.get_layer(self.warp_layer_name()).output, name=f"{self.name}_warp")

    def register(self, src, trg, batch_size: int | None = None) -> np.ndarray:
        """The displacement `(N, *spatial, ndims)` that warps each `src` image onto its `trg` (VoxelMorph's `register`)."""
        return self.get_registration_model().predict([src, trg], batch_size=batch_size, verbose=0)

    def apply_transform(self, src, trg, img, interp_method: str = "linear") -> np.ndarray:
        """Register `src` to `trg` and warp `img` (e.g. `src`'s label map) with that transform.

        Args:
            src, trg: moving and fixed images `(N, *spatial, C)`.
            img: `(N, *spatial, channels)`, any channel count.
            interp_method: `"linear"` or `"nearest"` (label maps).

        Returns:
            The warped `img` as a numpy array.

        Raises:
            ValueError: for an unknown `interp_method` or an `img` whose batch
                or spatial shape differs from the warp's.
        """
        warp = self.register(src, trg)
        img = np.asarray(img)
        warped = SpatialTransformer(interp_method=interp_method)([keras.ops.convert_to_tensor(img), warp])
        return np.asarray(keras.ops.convert_to_numpy(warped))
