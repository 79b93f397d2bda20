"""Simulated subjects from one brain template: deformation, affine change, tissue intensities, artefacts.

Every simulated subject is the MNI ICBM152 2009 template (`brain_template`)
seen through a random transform and a random scanner:

1. geometry: a random smooth diffeomorphic displacement (a Gaussian-smoothed
   random velocity field integrated by scaling and squaring, the package's
   `random_displacement(..., diffeomorphic=True)`, i.e. `VecInt`), then a
   small random affine change (rotation about each axis, scaling per axis,
   translation). Output voxel `p` shows the template at
   `A (p + u(p)) + t`; the map is a diffeomorphism when `p + u(p)` is one
   (its Jacobian determinant is positive everywhere, checked in the tests);
2. intensities: each tissue draws its own mean (CSF, cortex, subcortical grey
   matter, white matter) mixed by the template's tissue probabilities
   (partial volume), blended with the template's own T1 intensities;
3. scanner: a smooth multiplicative bias field, Gaussian blur, Gaussian noise,
   background set to 0 and intensities scaled to [0, 1] (like neurite-oasis'
   `slice_norm`).

Geometry of the outputs (millimetres in MNI space, RAS):

* 2D slices, `(160, 192)` at 1 mm: a coronal plane near `y = -12 mm`
  (through thalami, hippocampi, basal ganglia and ventricles) jittered by up
  to `slice_jitter_mm` and tilted by the affine's rotations; rows run from
  superior to inferior, columns from the subject's right to left;
* 3D volumes, `(96, 112, 128)` at 1.7 mm: axes superior-to-inferior,
  right-to-left, posterior-to-anterior, so that axes 0 and 1 are those of the
  2D slices (aligned).

Each subject is a pure function of `(seed, subject index)`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from sshn_keras.data.brain_template import BrainTemplate

SLICE_SHAPE = (160, 192)
VOLUME_SHAPE = (96, 112, 128)
VOLUME_SPACING_MM = 1.7
CORONAL_Y_MM = -12.0
CENTRE_Z_MM = 5.0
CENTRE_Y_MM = -17.0
# per-tissue mean intensity ranges (before scaling to [0, 1]): CSF, cortex, subcortical GM, WM
TISSUE_MEANS = {"csf": (0.12, 0.32), "cortex": (0.45, 0.58), "subcortical": (0.55, 0.68), "wm": (0.78, 0.95)}


@dataclass(frozen=True)
class SimulationSettings:
    """Ranges of the random draws of one simulated subject.

    Args:
        max_velocity_mm: longest vector of the random velocity field, mm.
        smoothness_mm: Gaussian smoothing of the velocity field, mm.
        rotation_deg: rotations about each axis drawn in +-this, degrees.
        scale: per-axis scaling drawn in `1 +- scale`.
        translation_mm: translation per axis drawn in +-this, mm.
        slice_jitter_mm: the coronal plane moves by up to +-this along y (2D).
        bias: the log bias field's amplitude is drawn in `[0, bias]`.
        blur_voxels: Gaussian blur sigma drawn in this range (voxels).
        noise: noise standard deviation drawn in this range (of the [0, 1] scale).
        template_weight: weight of the template's own T1 drawn in this range
            (the rest is the per-tissue mixture).

    Raises:
        ValueError: for negative or non-finite values.
    """

    max_velocity_mm: float = 7.0
    smoothness_mm: float = 12.0
    rotation_deg: float = 2.0
    scale: float = 0.03
    translation_mm: float = 2.0
    slice_jitter_mm: float = 4.0
    bias: float = 0.25
    blur_voxels: tuple = (0.3, 1.0)
    noise: tuple = (0.01, 0.03)
    template_weight: tuple = (0.3, 0.6)

    def __post_init__(self):
        for name, value in self.__dict__.items():
            values = value if isinstance(value, tuple) else (value,)
            if any(isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v < float("inf") for v in values):
                raise ValueError(f"`{name}` must be a non-negative finite number (or range). Received {name}={value!r}")
        if self.smoothness_mm <= 0:
            raise ValueError(f"`smoothness_mm` must be positive. Received smoothness_mm={self.smoothness_mm}")


def rotation_matrix(angles_deg: np.ndarray) -> np.ndarray:
    """Rotation about x, then y, then z by the given angles (degrees), `(3, 3)`."""
    ax, ay, az = np.deg2rad(angles_deg)
    rx = np.array([[1, 0, 0], [0, np.cos(ax), -np.sin(ax)], [0, np.sin(ax), np.cos(ax)]])
    ry = np.array([[np.cos(ay), 0, np.sin(ay)], [0, 1, 0], [-np.sin(ay), 0, np.cos(ay)]])
    rz = np.array([[np.cos(az), -np.sin(az), 0], [np.sin(az), np.cos(az), 0], [0, 0, 1]])
    return rz @ ry @ rx


def draw_geometry(rng: np.random.Generator, shape: tuple, spacing: float, settings: SimulationSettings) -> tuple:
    """`(displacement in voxels (*shape, ndims), matrix (3, 3), translation mm (3,))` for one subject."""
    from sshn_keras.ops.deformations import random_displacement

    displacement = random_displacement(
        shape,
        max_displacement=settings.max_velocity_mm / spacing,
        sigma=settings.smoothness_mm / spacing,
        diffeomorphic=True,
        seed=rng,
    )
    matrix = rotation_matrix(rng.uniform(-settings.rotation_deg, settings.rotation_deg, 3))
    matrix = matrix @ np.diag(rng.uniform(1 - settings.scale, 1 + settings.scale, 3))
    translation = rng.uniform(-settings.translation_mm, settings.translation_mm, 3)
    return displacement, matrix, translation


def grid_to_mni(points: np.ndarray, origin_mm: np.ndarray) -> np.ndarray:
    """Output-grid millimetres `(..., 3)` (superior-to-inferior, right-to-left, posterior-to-anterior) to MNI `(x, y, z)`."""
    down, left, forward = points[..., 0], points[..., 1], points[..., 2]
    return np.stack([origin_mm[0] - left, origin_mm[1] + forward, origin_mm[2] - down], axis=-1)


def sample_template(template: BrainTemplate, mni: np.ndarray) -> dict:
    """The template's maps at MNI points `(..., 3)`: linear for intensities and probabilities, nearest for labels."""
    coords = template.to_voxel(mni)
    maps = {key: ndimage.map_coordinates(getattr(template, key), coords, order=1, mode="constant", cval=0.0)
            for key in ("t1", "gm", "wm", "csf", "deep")}
    maps["seg4"] = ndimage.map_coordinates(template.seg4, coords, order=0, mode="constant", cval=0)
    return maps


def render(maps: dict, rng: np.random.Generator, settings: SimulationSettings) -> tuple:
    """`(norm float32 in [0, 1], orig float32, seg4 uint8)` from sampled template maps (see the module docstring)."""
    means = {key: rng.uniform(*bounds) for key, bounds in TISSUE_MEANS.items()}
    grey = maps["deep"] * means["subcortical"] + (1.0 - maps["deep"]) * means["cortex"]
    mixture = maps["csf"] * means["csf"] + maps["gm"] * grey + maps["wm"] * means["wm"]
    weight = rng.uniform(*settings.template_weight)
    image = weight * maps["t1"] + (1.0 - weight) * mixture
    shape = image.shape
    axes = np.meshgrid(*[np.linspace(-1.0, 1.0, n) for n in shape], indexing="ij")
    log_bias = sum(rng.normal() * a for a in axes) + sum(rng.normal() * 0.5 * a * a for a in axes)
    amplitude = rng.uniform(0.0, settings.bias)
    log_bias = log_bias / max(float(np.abs(log_bias).max()), 1e-6) * amplitude
    image = ndimage.gaussian_filter(image * np.exp(log_bias), rng.uniform(*settings.blur_voxels))
    image = image + rng.normal(0.0, rng.uniform(*settings.noise), shape)
    seg4 = maps["seg4"].astype(np.uint8)
    brain = seg4 > 0
    image = np.where(brain, np.maximum(image, 0.0), 0.0)
    top = float(np.percentile(image[brain], 99.9)) if brain.any() else 1.0
    norm = np.clip(image / max(top, 1e-6), 0.0, 1.0).astype(np.float32)
    orig = (image * rng.uniform(80.0, 160.0)).astype(np.float32)
    return norm, orig, seg4


def simulate_slice(template: BrainTemplate, rng: np.random.Generator, settings: SimulationSettings = SimulationSettings()) -> dict:
    """One simulated 2D coronal slice `SLICE_SHAPE` at 1 mm.

    Returns:
        `{"norm", "orig", "seg4", "displacement"}`: images `(160, 192)`,
        labels uint8, and the in-plane displacement `(160, 192, 2)` in voxels.
    """
    displacement, matrix, translation = draw_geometry(rng, SLICE_SHAPE, 1.0, settings)
    centre = (np.asarray(SLICE_SHAPE) - 1) / 2.0
    grid = np.indices(SLICE_SHAPE, dtype=np.float64).transpose(1, 2, 0) + displacement - centre
    points = np.concatenate([grid, np.zeros(SLICE_SHAPE + (1,))], axis=-1) @ matrix.T + translation
    y = CORONAL_Y_MM + rng.uniform(-settings.slice_jitter_mm, settings.slice_jitter_mm)
    maps = sample_template(template, grid_to_mni(points, np.array([0.0, y, CENTRE_Z_MM])))
    norm, orig, seg4 = render(maps, rng, settings)
    return {"norm": norm, "orig": orig, "seg4": seg4, "displacement": displacement}


def simulate_volume(
    template: BrainTemplate,
    rng: np.random.Generator,
    settings: SimulationSettings = SimulationSettings(),
    shape: tuple = VOLUME_SHAPE,
    spacing: float = VOLUME_SPACING_MM,
) -> dict:
    """One simulated 3D volume (`VOLUME_SHAPE` at `VOLUME_SPACING_MM` by default).

    Returns:
        `{"norm", "orig", "seg4", "displacement"}`: volumes `shape`, labels
        uint8, the displacement `(*shape, 3)` in voxels.
    """
    displacement, matrix, translation = draw_geometry(rng, tuple(shape), spacing, settings)
    centre = (np.asarray(shape) - 1) / 2.0
    grid = (np.indices(shape, dtype=np.float64).transpose(1, 2, 3, 0) + displacement - centre) * spacing
    points = grid @ matrix.T + translation
    maps = sample_template(template, grid_to_mni(points, np.array([0.0, CENTRE_Y_MM, CENTRE_Z_MM])))
    norm, orig, seg4 = render(maps, rng, settings)
    return {"norm": norm, "orig": orig, "seg4": seg4, "displacement": displacement}
