"""Stand-in data in the exact OASIS 2D layout, for offline runs (tutorials, CI).

The real neurite-oasis 2D release cannot be downloaded everywhere (e.g. in
CI). `write_oasis_standin` writes *synthetic* brain-like slices in exactly
its layout (`OASIS_OAS1_XXXX_MR1/slice_{norm,orig,seg4,seg24}.nii.gz`,
`seg4_labels.txt`, `seg24_labels.txt`), so that every step of a tutorial
runs unchanged. The folder gets a `STAND-IN.txt` saying it is not OASIS.

Anatomy of a stand-in slice: an elliptical head of random size and
rotation; seg4 labels 1 cortex (outer band), 2 subcortical grey matter
(two deep blobs), 3 white matter (inside), 4 CSF (ventricles and the rim);
seg24 splits each seg4 label into 6 angular sectors (left/right x 3).
"""

from pathlib import Path

import numpy as np

SEG4_NAMES = ("Unknown", "Cortex", "Subcortical-Gray-Matter", "White-Matter", "CSF")
SECTORS = ("Left-Anterior", "Left-Middle", "Left-Posterior", "Right-Anterior", "Right-Middle", "Right-Posterior")


def _colour_table(names) -> str:
    lines = ["# Colour table of a SYNTHETIC STAND-IN for neurite-oasis (FreeSurfer LUT format)", "#No. Label Name: R G B A"]
    for k, name in enumerate(names):
        lines.append(f"{k:<3d} {name:<40s} {(k * 47) % 256:3d} {(k * 91) % 256:3d} {(k * 151) % 256:3d} 0")
    return "\n".join(lines) + "\n"


def standin_slice(rng: np.random.Generator, size=(160, 192)):
    """One synthetic slice: `(norm float32 in [0, 1], seg4 uint8, seg24 uint8)`."""
    h, w = size
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    cy, cx = h / 2 + rng.normal(0, 3), w / 2 + rng.normal(0, 3)
    a, b = h * rng.uniform(0.36, 0.42), w * rng.uniform(0.30, 0.36)
    t = rng.normal(0, 0.08)
    u = ((yy - cy) * np.cos(t) + (xx - cx) * np.sin(t)) / a
    v = (-(yy - cy) * np.sin(t) + (xx - cx) * np.cos(t)) / b
    r = np.sqrt(u**2 + v**2)
    wobble = 0.03 * np.sin(rng.uniform(5, 9) * np.arctan2(u, v) + rng.uniform(0, 6))
    seg4 = np.zeros(size, np.uint8)
    seg4[r < 1.0 + wobble] = 4  # CSF rim
    seg4[r < 0.95 + wobble] = 1  # cortex
    seg4[r < 0.80 + wobble] = 3  # white matter
    for side in (-1, 1):
        blob = ((u - rng.normal(0.05, 0.03)) / 0.18) ** 2 + ((v - side * rng.uniform(0.22, 0.3)) / 0.12) ** 2 < 1
        seg4[blob] = 2
        vent = ((u + 0.05) / rng.uniform(0.25, 0.35)) ** 2 + ((v - side * 0.08) / 0.06) ** 2 < 1
        seg4[vent] = 4
    angle = np.arctan2(u, np.abs(v) + 1e-6)  # -pi/2 (anterior) .. pi/2 (posterior)
    sector = np.clip(((angle + np.pi / 2) / np.pi * 3).astype(int), 0, 2) + 3 * (v > 0)
    seg24 = np.where(seg4 > 0, (seg4.astype(int) - 1) * 6 + sector + 1, 0).astype(np.uint8)
    means = np.array([0.0, 0.55, 0.65, 0.85, 0.25], np.float32)
    norm = means[seg4] + rng.normal(0, 0.03, size).astype(np.float32)
    norm = np.clip(np.where(seg4 > 0, norm, 0.0), 0.0, 1.0).astype(np.float32)
    return norm, seg4, seg24


def write_oasis_standin(root, num_subjects: int = 24, size=(160, 192), seed: int = 0) -> Path:
    """Write `num_subjects` synthetic slices in the neurite-oasis 2D layout under `root`.

    Args:
        root: target folder (created).
        num_subjects: number of `OASIS_OAS1_XXXX_MR1` folders (> 0).
        size: slice size (the real release is 160x192).
        seed: random seed.

    Returns:
        The folder, ready for `sshn_keras.data.load_oasis(root)`.

    Raises:
        ValueError: for `num_subjects < 1`.
    """
    import nibabel

    if isinstance(num_subjects, bool) or not isinstance(num_subjects, int) or num_subjects < 1:
        raise ValueError(f"`num_subjects` must be a positive int. Received num_subjects={num_subjects!r}")
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    (root / "STAND-IN.txt").write_text(
        "SYNTHETIC STAND-IN DATA written by sshn_keras.data.standin.write_oasis_standin.\n"
        "Same layout and formats as neurite-oasis 2D, but NOT real MRI: do not report results on it.\n"
    )
    (root / "seg4_labels.txt").write_text(_colour_table(SEG4_NAMES))
    seg24_names = ["Unknown"] + [f"{n}-{s}" for n in SEG4_NAMES[1:] for s in SECTORS]
    (root / "seg24_labels.txt").write_text(_colour_table(seg24_names))
    rng = np.random.default_rng(seed)
    for i in range(num_subjects):
        norm, seg4, seg24 = standin_slice(rng, size)
        folder = root / f"OASIS_OAS1_{i + 1:04d}_MR1"
        folder.mkdir(exist_ok=True)
        for name, array in (
            ("slice_norm", norm),
            ("slice_orig", (norm * 200).astype(np.float32)),
            ("slice_seg4", seg4),
            ("slice_seg24", seg24),
        ):
            nibabel.save(nibabel.Nifti1Image(array, np.eye(4)), str(folder / f"{name}.nii.gz"))
    return root
