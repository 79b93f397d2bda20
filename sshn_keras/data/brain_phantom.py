"""A brain MRI dataset simulated from one template, in the neurite-oasis layout.

Real brain anatomy on any machine: `write_brain_phantom` simulates subjects
from the MNI ICBM152 2009 template that `nilearn` ships
(`brain_template`, `brain_simulation`) and writes them in the file layout of
the 2D neurite-oasis release, so that `load_oasis(root, labels="seg4")` and
`load_oasis_pairs(root)` read it unchanged::

    <root>/SIMULATED.txt                       what this is (not OASIS)
    <root>/seg4_labels.txt                     colour table, labels 0..4
    <root>/OASIS_OAS1_0001_MR1/slice_norm.nii.gz   160x192 in [0, 1]
                              /slice_orig.nii.gz   raw intensities
                              /slice_seg4.nii.gz   0 background, 1 cortex,
                                                   2 subcortical grey matter,
                                                   3 white matter, 4 CSF
                              /aligned_norm.nii.gz, aligned_seg4.nii.gz
                                                   (with `volumes=True`)
                                                   96x112x128 at 1.7 mm

The folder names follow the neurite-oasis pattern only because the loader
expects it; every subject is the same template under a random deformation
and a random scanner, *not* an OASIS subject, and there is no `seg24`.
`load_brain_phantom` writes the data once (into a cache folder by default)
and names the samples `phantom_XXXX`.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from pathlib import Path

import numpy as np

from sshn_keras.data.base import SegmentationData
from sshn_keras.data.brain_simulation import SimulationSettings, simulate_slice, simulate_volume
from sshn_keras.data.brain_template import SEG4_LABEL_NAMES, load_brain_template

logger = logging.getLogger(__name__)

DESCRIPTION = "brain phantom: subjects simulated from the MNI ICBM152 2009 template (not OASIS)"
NOTICE = (
    "SIMULATED DATA written by sshn_keras.data.write_brain_phantom (seed {seed}, {count} subjects).\n"
    "Every subject is the MNI ICBM152 2009 template (shipped with nilearn) under a random smooth diffeomorphic\n"
    "deformation, a small affine change, per-tissue intensities, bias field, blur and noise. The folders follow\n"
    "the neurite-oasis 2D layout so that the OASIS loaders read them, but this is NOT OASIS data: one template,\n"
    "simulated variation. Labels: 0 background, 1 cortex, 2 subcortical grey matter, 3 white matter, 4 CSF,\n"
    "derived from the template's tissue maps (see sshn_keras/data/brain_template.py).\n"
)


def _check_count(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"`{name}` must be a positive int. Received {name}={value!r}")
    return int(value)


def subject_folder(root: Path, index: int) -> Path:
    """The folder of subject `index` (0-based) in the neurite-oasis naming."""
    return Path(root) / f"OASIS_OAS1_{index + 1:04d}_MR1"


def colour_table() -> str:
    """The `seg4_labels.txt` text (FreeSurfer colour-table format)."""
    colours = ((0, 0, 0), (205, 62, 78), (230, 148, 34), (245, 245, 245), (120, 18, 134))
    lines = ["# seg4 labels of a SIMULATED brain phantom (MNI ICBM152 2009 template), FreeSurfer LUT format",
             "#No. Label Name: R G B A"]
    lines += [f"{k:<3d} {name:<40s} {r:3d} {g:3d} {b:3d} 0" for k, (name, (r, g, b)) in enumerate(zip(SEG4_LABEL_NAMES, colours))]
    return "\n".join(lines) + "\n"


def write_brain_phantom(
    root,
    num_subjects: int = 100,
    seed: int = 0,
    volumes: bool = False,
    settings: SimulationSettings | None = None,
) -> Path:
    """Simulate `num_subjects` subjects from the MNI template and write them in the neurite-oasis layout.

    Subject `i` depends only on `(seed, i)`: a larger `num_subjects` adds
    subjects and keeps the first ones.

    Args:
        root: target folder (created; existing subject files are overwritten).
        num_subjects: number of subjects (> 0).
        seed: random seed.
        volumes: also write the 3D volumes `aligned_norm.nii.gz` and
            `aligned_seg4.nii.gz` (96x112x128 at 1.7 mm; slower, ~4 MB each).
        settings: ranges of the random draws (`SimulationSettings`); None:
            the defaults.

    Returns:
        `root`, ready for `load_oasis(root, labels="seg4")`.

    Raises:
        ValueError: for a non-positive `num_subjects` or a bad `seed`.

    Example:
    >>> root = write_brain_phantom("brain_phantom", num_subjects=4)   # doctest: +SKIP
    >>> load_oasis(root, labels="seg4").images.shape                  # doctest: +SKIP
    (4, 160, 192, 1)
    """
    import nibabel

    num_subjects = _check_count("num_subjects", num_subjects)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"`seed` must be a non-negative int. Received seed={seed!r}")
    settings = SimulationSettings() if settings is None else settings
    template = load_brain_template()
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    (root / "SIMULATED.txt").write_text(NOTICE.format(seed=seed, count=num_subjects))
    (root / "seg4_labels.txt").write_text(colour_table())
    slice_affine = np.eye(4)
    volume_affine = np.diag([1.7, 1.7, 1.7, 1.0])
    for index in range(num_subjects):
        rng = np.random.default_rng([int(seed), index])
        folder = subject_folder(root, index)
        folder.mkdir(exist_ok=True)
        subject = simulate_slice(template, rng, settings)
        files = {"slice_norm": subject["norm"], "slice_orig": subject["orig"], "slice_seg4": subject["seg4"]}
        if volumes:
            volume = simulate_volume(template, np.random.default_rng([int(seed), index, 3]), settings)
            files.update(aligned_norm=volume["norm"], aligned_seg4=volume["seg4"])
        for name, array in files.items():
            affine = volume_affine if array.ndim == 3 else slice_affine
            nibabel.save(nibabel.Nifti1Image(array, affine), str(folder / f"{name}.nii.gz"))
    logger.info("Wrote %d simulated subjects (seed %d) to %s", num_subjects, seed, root)
    return root


def default_phantom_root(num_subjects: int, seed: int, volumes: bool) -> Path:
    """`$SSHN_CACHE_DIR` (default `~/.cache/sshn_keras`) `/brain_phantom_n<N>_s<seed>[_3d]`."""
    cache = Path(os.environ.get("SSHN_CACHE_DIR", Path.home() / ".cache" / "sshn_keras")).expanduser()
    return cache / f"brain_phantom_n{num_subjects}_s{seed}{'_3d' if volumes else ''}"


def ensure_brain_phantom(root=None, num_subjects: int = 100, seed: int = 0, volumes: bool = False) -> Path:
    """The phantom folder, written first when it lacks `SIMULATED.txt` or a subject (see `write_brain_phantom`)."""
    num_subjects = _check_count("num_subjects", num_subjects)
    root = default_phantom_root(num_subjects, seed, volumes) if root is None else Path(root)
    last = subject_folder(root, num_subjects - 1) / ("aligned_seg4.nii.gz" if volumes else "slice_seg4.nii.gz")
    if not (root / "SIMULATED.txt").is_file() or not last.is_file():
        write_brain_phantom(root, num_subjects, seed, volumes)
    return root


def _rename(data: SegmentationData) -> SegmentationData:
    """Name the samples `phantom_XXXX` (from their folder number) so that nothing calls them OASIS."""
    names = [f"phantom_{name.split('_')[2]}" for name in data.names]
    return dataclasses.replace(data, names=names, subjects=list(names))


def load_brain_phantom(
    root=None,
    split: str | None = None,
    num_subjects: int = 100,
    seed: int = 0,
    split_seed: int = 0,
    target_size: tuple | None = None,
    progress: bool = False,
) -> SegmentationData:
    """2D slices of the simulated brain dataset (written on first use), split by subject like OASIS.

    Args:
        root: the phantom folder; None: a cache folder (`default_phantom_root`).
        split: `"train"`, `"val"`, `"test"` or None (64% / 16% / 20%).
        num_subjects: number of simulated subjects.
        seed: seed of the simulation.
        split_seed: seed of the subject split.
        target_size: `(height, width)` to resize to, or None (160x192).
        progress: show a progress bar while reading.

    Returns:
        `SegmentationData`: images `(N, 160, 192, 1)` in [0, 1], labels 0..4
        (`SEG4_LABEL_NAMES`), samples named `phantom_XXXX`.

    Example:
    >>> train = load_brain_phantom(split="train", num_subjects=40)   # doctest: +SKIP
    """
    from sshn_keras.data.oasis import load_oasis

    root = ensure_brain_phantom(root, num_subjects, seed)
    data = load_oasis(root, split=split, seed=split_seed, labels="seg4", target_size=target_size, progress=progress)
    return _rename(data)


def load_brain_phantom_volumes(root=None, num_subjects: int = 20, seed: int = 0) -> tuple:
    """3D volumes of the simulated brain dataset (written on first use).

    Returns:
        `(images (N, 96, 112, 128, 1) float32 in [0, 1], labels (N, 96, 112, 128) int32, label names)`.
    """
    import nibabel

    root = ensure_brain_phantom(root, num_subjects, seed, volumes=True)
    images, labels = [], []
    for index in range(num_subjects):
        folder = subject_folder(root, index)
        images.append(np.asarray(nibabel.load(str(folder / "aligned_norm.nii.gz")).dataobj, np.float32)[..., None])
        labels.append(np.asarray(nibabel.load(str(folder / "aligned_seg4.nii.gz")).dataobj, np.int32))
    return np.stack(images), np.stack(labels), list(SEG4_LABEL_NAMES)
