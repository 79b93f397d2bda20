"""A shared minimum for every public layer, after Keras' `run_layer_test`.

`check_layer(make_layer, inputs, tmp_path)` checks, on tiny inputs:

1. config: `from_config(get_config())` gives the same config, and with the
   same weights the same outputs;
2. shapes: `compute_output_shape` of the static input shapes is the shape of
   the eager output (`None` where a size depends on a tensor input);
3. None spatial sizes (`none_spatial=True`): a functional model whose inputs
   have unknown spatial sizes gives the eager output;
4. saving: a `.keras` file of that model reloads with `safe_mode=True` and
   gives identical outputs;
5. one `fit` step: the loss is finite and the trainable weights move (a
   weightless layer gets an identity `Dense` in front of its first input,
   so the step checks that gradients flow through it);
6. mixed precision: the layer built with `dtype="mixed_bfloat16"` and the
   same weights computes in bfloat16 and stays close to float32.

Inputs are numpy arrays with a shared batch axis; arrays of rank >= 3 are
maps `(batch, *spatial, channels)`, the others (phi, embeddings) are not.
"""

from __future__ import annotations

import keras
import numpy as np


def _np(x) -> np.ndarray:
    return np.asarray(keras.ops.convert_to_numpy(x))


def _arg(values):
    return values[0] if len(values) == 1 else list(values)


def _symbolic_inputs(inputs, none_spatial: bool) -> list:
    tensors = []
    for i, x in enumerate(inputs):
        shape = x.shape[1:]
        if none_spatial and x.ndim >= 3:
            shape = (None,) * (x.ndim - 2) + (x.shape[-1],)
        tensors.append(keras.Input(shape=shape, dtype=str(x.dtype), name=f"input{i}"))
    return tensors


def check_layer(make_layer, inputs, tmp_path, none_spatial: bool = True, rtol: float = 1e-5) -> None:
    """Run the shared layer checks (see the module docstring); raises AssertionError on failure.

    Args:
        make_layer: `make_layer(**overrides)` returns a fresh layer (e.g.
            `lambda **kw: SpatialTransformer(fill_value=0.0, **kw)`).
        inputs: list of numpy arrays the layer is called on (one array: called
            on the array itself).
        tmp_path: a folder for the `.keras` file.
        none_spatial: also build with unknown spatial sizes.
        rtol: tolerance between eager and functional outputs.
    """
    layer = make_layer()
    cls = type(layer)

    eager = _arg([keras.ops.convert_to_tensor(x) for x in inputs])

    # 1. config round trip: same config, and with the same weights the same outputs
    config = layer.get_config()
    expected = _np(layer(eager))
    clone = cls.from_config(config)
    assert clone.get_config() == config, f"{cls.__name__}: get_config does not round-trip"
    clone(eager)
    clone.set_weights(layer.get_weights())
    same = np.allclose(_np(clone(eager)), expected, rtol=rtol, atol=rtol)
    assert same, f"{cls.__name__}: a layer rebuilt from get_config() computes something else (config does not round-trip)"

    # 2. compute_output_shape
    static = tuple(layer.compute_output_shape(_arg([tuple(x.shape) for x in inputs])))
    fits = len(static) == expected.ndim and all(s is None or s == n for s, n in zip(static, expected.shape))
    assert fits, f"{cls.__name__}: compute_output_shape {static} does not fit the output shape {expected.shape}"

    # 3. functional model, unknown spatial sizes where supported
    symbolic = _symbolic_inputs(inputs, none_spatial)
    out = layer(_arg(symbolic))
    assert len(out.shape) == expected.ndim and out.shape[-1] == expected.shape[-1], (out.shape, expected.shape)
    model = keras.Model(_arg(symbolic), out)
    np.testing.assert_allclose(_np(model(_arg(inputs))), expected, rtol=rtol, atol=rtol)

    # 4. `.keras` save and safe-mode reload
    path = str(tmp_path / f"{cls.__name__}.keras")
    model.save(path)
    reloaded = keras.saving.load_model(path, safe_mode=True)
    np.testing.assert_array_equal(_np(reloaded(_arg(inputs))), _np(model(_arg(inputs))))

    # 5. one fit step
    fresh = make_layer()
    tensors = _symbolic_inputs(inputs, none_spatial=False)
    first = tensors[0]
    front = None
    if keras.backend.is_float_dtype(first.dtype) and not _has_weights(fresh, inputs):
        front = keras.layers.Dense(first.shape[-1], kernel_initializer="identity", name="front")
        first = front(first)
    y = fresh(_arg([first] + tensors[1:]))
    trainable = keras.Model(_arg(tensors), y)
    trainable.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    before = [_np(w) for w in trainable.trainable_weights]
    assert before, f"{cls.__name__}: nothing to train"
    target = np.asarray(expected, np.float32) + 1.0
    history = trainable.fit(_arg(inputs), target, batch_size=inputs[0].shape[0], epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0]), f"{cls.__name__}: non-finite loss"
    moved = [not np.array_equal(b, _np(w)) for b, w in zip(before, trainable.trainable_weights)]
    assert any(moved), f"{cls.__name__}: one fit step changed no weight (no gradient through the layer)"

    # 6. mixed precision
    mixed = make_layer(dtype="mixed_bfloat16")
    mixed_out = mixed(_arg([keras.ops.convert_to_tensor(x) for x in inputs]))
    mixed.set_weights(layer.get_weights())
    mixed_out = mixed(_arg([keras.ops.convert_to_tensor(x) for x in inputs]))
    if keras.backend.is_float_dtype(expected.dtype):
        assert keras.backend.standardize_dtype(mixed_out.dtype) == "bfloat16", (cls.__name__, mixed_out.dtype)
        scale = 1.0 + float(np.max(np.abs(expected)))
        np.testing.assert_allclose(_np(keras.ops.cast(mixed_out, "float32")), expected, atol=0.03 * scale, rtol=0.03)


def _has_weights(layer, inputs) -> bool:
    if not layer.built:
        layer(_arg([keras.ops.convert_to_tensor(x) for x in inputs]))
    return bool(layer.trainable_weights)
