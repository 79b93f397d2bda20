"""Read legacy Keras `.h5` weights (as VoxelMorph's TensorFlow code writes them) into a Keras 3 model.

VoxelMorph 0.2 saves with tf.keras 2: `model.save_weights("w.h5")` writes
one HDF5 group per layer (root attribute `layer_names`, each group's
`weight_names`), and `model.save("m.h5")` the same under `model_weights`.
`load_vxm_h5_weights` matches those groups to a model's layers by name, or,
when the saved model had another name prefix, by the order of the layers
that hold weights, and checks every shape before assigning anything.
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np


def _text(value) -> str:
    return value.decode("utf8") if isinstance(value, bytes) else str(value)


def read_h5_weights(path: Path) -> list:
    """`[(layer_name, [arrays...]), ...]` of the layers with weights in a legacy Keras `.h5` file, in file order.

    Raises:
        FileNotFoundError: for a missing file.
        ValueError: for a file that is not a Keras `.h5` weights or model file.
    """
    import h5py

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No weights file at {str(path)!r}")
    with h5py.File(path, "r") as f:
        group = f
        if "layer_names" not in f.attrs and "model_weights" in f:
            group = f["model_weights"]
        if "layer_names" not in group.attrs:
            raise ValueError(
                f"{str(path)!r} is not a Keras .h5 weights file (no 'layer_names' attribute at its root or "
                "under 'model_weights')."
            )
        layers = []
        for name in (_text(n) for n in group.attrs["layer_names"]):
            weight_names = [_text(w) for w in group[name].attrs.get("weight_names", [])]
            if weight_names:
                layers.append((name, [np.asarray(group[name][w]) for w in weight_names]))
    return layers


def load_vxm_h5_weights(model: keras.Model, path: Path) -> None:
    """Assign the weights of a legacy Keras `.h5` file (e.g. VoxelMorph's) to `model`, layer by layer.

    Layers are matched by name when every layer of `model` that has weights
    has a group of the same name in the file; otherwise by the order of the
    layers with weights (Keras' own rule for `.h5` files). Nothing is
    assigned unless every layer's weight count and shapes match.

    Args:
        model: the Keras 3 model (e.g. `VxmDense` with the architecture the
            weights were trained with).
        path: the `.h5` file from `save_weights` or `save`.

    Raises:
        ValueError: naming the layer and the expected and received shapes,
            when the file holds a different architecture (another number of
            layers with weights, or other shapes).
    """
    saved = read_h5_weights(path)
    ours = [layer for layer in model.layers if layer.weights]
    by_name = dict(saved)
    if all(layer.name in by_name for layer in ours) and len(saved) == len(ours):
        pairs = [(layer, layer.name, by_name[layer.name]) for layer in ours]
    else:
        if len(saved) != len(ours):
            raise ValueError(
                f"{str(path)!r} holds weights for {len(saved)} layers, but {model.name!r} has {len(ours)} layers with "
                f"weights: the file is from a different architecture. Expected layers "
                f"{[(l.name, [tuple(w.shape) for w in l.weights]) for l in ours]}; received "
                f"{[(n, [a.shape for a in arrays]) for n, arrays in saved]}"
            )
        pairs = [(layer, name, arrays) for layer, (name, arrays) in zip(ours, saved)]
    for layer, name, arrays in pairs:
        expected = [tuple(w.shape) for w in layer.weights]
        received = [tuple(a.shape) for a in arrays]
        if expected != received:
            raise ValueError(
                f"Weights of layer {layer.name!r} do not match {str(path)!r} (saved layer {name!r}): expected shapes "
                f"{expected}, received {received}. The file is from a different architecture (check inshape, "
                "nb_unet_features, src_feats / trg_feats, use_probs)."
            )
    for layer, _, arrays in pairs:
        layer.set_weights(arrays)
