"""`FieldLayer`: the base of layers on one dense vector field `(batch, *spatial, ndims)`."""

from __future__ import annotations

import keras


class FieldLayer(keras.layers.Layer):
    """A layer called on one vector field `(batch, *spatial, ndims)`, `ndims = len(spatial)` (`VecInt`, `RescaleTransform`).

    `build` and `checked_field` refuse a list of tensors and a field whose
    channel count is not its spatial rank, naming the layer and the field
    (`field_name`, e.g. "velocity"). A subclass that accepts other shapes
    too overrides `accepts_other_shape`.
    """

    field_name = "vector"

    def accepts_other_shape(self, shape: tuple) -> bool:
        """Whether `shape` is accepted although it is no vector field (default: never)."""
        return False

    def check_field_shape(self, shape) -> None:
        """Raise `ValueError` unless `shape` is a vector field's (or an accepted other shape)."""
        shape = tuple(shape)
        if self.accepts_other_shape(shape):
            return
        if len(shape) < 3 or (shape[-1] is not None and shape[-1] != len(shape) - 2):
            raise ValueError(
                f"{type(self).__name__} expects a {self.field_name} field (batch, *spatial, ndims) with ndims = "
                f"number of spatial axes. Received shape {shape}"
            )

    def build(self, input_shape):
        if isinstance(input_shape, list) and input_shape and isinstance(input_shape[0], (list, tuple)):
            raise ValueError(
                f"{type(self).__name__} takes a single {self.field_name} tensor, not a list. Received shapes {input_shape}"
            )
        self.check_field_shape(input_shape)
        self.built = True

    def checked_field(self, inputs):
        """`inputs`, once checked to be one tensor of a field's shape (for `call`)."""
        if isinstance(inputs, (list, tuple)):
            raise ValueError(f"{type(self).__name__} takes a single {self.field_name} tensor, not a list. Received {inputs!r}")
        self.check_field_shape(inputs.shape)
        return inputs
