"""The dataset registry: named loaders that return train / validation / test splits.

An entry is a function called with keyword arguments `data_root` (folder,
None: the loader's default), `image_size` (side of the images), `seed` (of
the split or the generator), `num_images` (for generated data) and
`progress` (show a progress bar while reading files), and returning `{"train": (images, labels), "val": ..., "test": ...,
"label_names": [...]}`. Experiment configs and CLIs validate dataset names
against `DATASETS`; the experiment runner loads through it. To add a
dataset, write its loader and register it:

>>> @DATASETS.register("my_data")  # doctest: +SKIP
... def my_data(*, data_root, image_size, seed, num_images, progress=True):
...     return {"train": (x, y), "val": (xv, yv), "test": (xt, yt), "label_names": ["background", "cell"]}
"""

from __future__ import annotations

import tempfile

from sshn_keras.data.brain_phantom import load_brain_phantom
from sshn_keras.data.camus import load_camus
from sshn_keras.data.oasis import load_oasis
from sshn_keras.data.pandental import load_pandental
from sshn_keras.data.standin import write_oasis_standin
from sshn_keras.data.synthetic import make_synthetic_segmentation
from sshn_keras.data.wbc import load_wbc
from sshn_keras.registry import Registry

DATASETS = Registry("dataset")
SPLITS = ("train", "val", "test")


@DATASETS.register("synthetic")
def synthetic_splits(
    *, data_root=None, image_size: int = 64, seed: int = 0, num_images: int = 320, progress: bool = True
) -> dict:
    """The embedded synthetic dataset, split 64 / 16 / 20 in generation order (`data_root`, `progress` unused)."""
    data = make_synthetic_segmentation(num_images, size=image_size, seed=seed)
    a, b = int(0.64 * num_images), int(0.8 * num_images)
    return {
        "train": (data.images[:a], data.labels[:a]),
        "val": (data.images[a:b], data.labels[a:b]),
        "test": (data.images[b:], data.labels[b:]),
        "label_names": list(data.label_names),
    }


def file_splits(loader, data_root, target_size: tuple, seed: int, progress: bool = True) -> dict:
    """Load the three splits of a file-based loader (`load_wbc`, `load_camus`, ...) at `target_size`."""
    out = {}
    for split in SPLITS:
        data = loader(data_root, split=split, seed=seed, target_size=target_size, progress=progress)
        out[split] = (data.images, data.labels)
        out["label_names"] = data.label_names
    return out


@DATASETS.register("wbc")
def wbc_splits(*, data_root=None, image_size: int = 128, seed: int = 0, num_images=None, progress: bool = True) -> dict:
    """WBC, square images of side `image_size`, the paper's 64 / 16 / 20 split by `seed`."""
    return file_splits(load_wbc, data_root, (image_size, image_size), seed, progress)


@DATASETS.register("camus")
def camus_splits(*, data_root=None, image_size: int = 256, seed: int = 0, num_images=None, progress: bool = True) -> dict:
    """CAMUS, square images of side `image_size`, split by patient."""
    return file_splits(load_camus, data_root, (image_size, image_size), seed, progress)


@DATASETS.register("oasis")
def oasis_splits(*, data_root=None, image_size: int = 160, seed: int = 0, num_images=None, progress: bool = True) -> dict:
    """OASIS 2D slices, square images of side `image_size`, split by subject."""
    return file_splits(load_oasis, data_root, (image_size, image_size), seed, progress)


@DATASETS.register("pandental")
def pandental_splits(*, data_root=None, image_size: int = 256, seed: int = 0, num_images=None, progress: bool = True) -> dict:
    """PanDental panoramic X-rays, `image_size` high and twice as wide (the loader's 1:2 aspect)."""
    return file_splits(load_pandental, data_root, (image_size, 2 * image_size), seed, progress)


@DATASETS.register("brain_phantom")
def brain_phantom_splits(*, data_root=None, image_size: int = 160, seed: int = 0, num_images=None,
                         progress: bool = True) -> dict:
    """Simulated brains from the MNI152 template (`load_brain_phantom`): `image_size` high, 6:5 wide
    (160x192 at the default), one coronal slice per subject (`num_images` subjects, default 100), split by
    subject with `seed`; the simulation itself is fixed (seed 0)."""
    size = (image_size, round(1.2 * image_size))
    target = None if size == (160, 192) else size
    subjects = 100 if num_images is None else num_images
    out = {}
    for split in SPLITS:
        data = load_brain_phantom(data_root, split=split, num_subjects=subjects, split_seed=seed, target_size=target,
                                  progress=progress)
        out[split] = (data.images, data.labels)
        out["label_names"] = data.label_names
    return out


@DATASETS.register("oasis_standin")
def oasis_standin_splits(*, data_root=None, image_size: int = 160, seed: int = 0, num_images=None,
                         progress: bool = True) -> dict:
    """SYNTHETIC stand-in slices in the OASIS 2D layout (`write_oasis_standin`, NOT MRI), seg4 labels.

    `num_images` subjects (default 48) are written to a temporary folder with
    seed 0 and read back through `load_oasis` (split by subject with `seed`):
    what the registration experiments run on where OASIS cannot be had.
    `image_size` high and 6:5 wide (160x192 at the default, the native size);
    `data_root` is not used.
    """
    size = (image_size, round(1.2 * image_size))
    target = None if size == (160, 192) else size
    subjects = 48 if num_images is None else num_images
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = write_oasis_standin(tmp, subjects, seed=0)
        for split in SPLITS:
            data = load_oasis(root, split=split, seed=seed, labels="seg4", target_size=target, progress=progress)
            out[split] = (data.images, data.labels)
            out["label_names"] = data.label_names
    return out
