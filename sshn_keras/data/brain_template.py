"""The MNI ICBM152 2009 brain template shipped with nilearn, and OASIS seg4-like labels derived from it.

`nilearn`'s wheel contains the symmetric MNI ICBM152 2009a nonlinear T1
template at 1 mm (197 x 233 x 189 voxels, skull-stripped) with grey- and
white-matter probability maps. `load_brain_template` reads them and derives
four tissue labels like the neurite-oasis `seg4` segmentation:

* brain: voxels where the T1 template is non-zero;
* tissue probabilities: grey matter `gm`, white matter `wm` (the template's
  maps, scaled to [0, 1]) and CSF `1 - gm - wm` (clipped at 0) inside the
  brain; each brain voxel takes the most probable tissue;
* grey matter is split into subcortical grey matter (label 2) and cortex
  (label 1): a grey-matter voxel is subcortical when it lies at least
  `DEEP_DISTANCE_MM` from the outside of the (hole-filled) brain mask and
  inside the box `DEEP_BOX_MM` around the basal ganglia and thalami (MNI
  millimetres); every other grey-matter voxel is cortex (the cerebellar
  cortex included). This approximates, and is not, FreeSurfer's
  segmentation that neurite-oasis used;
* labels: 0 background, 1 cortex, 2 subcortical grey matter, 3 white
  matter, 4 CSF (ventricles and the CSF inside the brain mask).

Reference:
    Fonov et al., Unbiased average age-appropriate atlases for pediatric
    studies, NeuroImage 2011; Fonov et al., NeuroImage 2009 (MNI ICBM152
    2009). Abraham et al., Machine learning for neuroimaging with
    scikit-learn, Front. Neuroinform. 2014 (nilearn).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SEG4_LABEL_NAMES = ("Unknown", "Cortex", "Subcortical-Gray-Matter", "White-Matter", "CSF")
TEMPLATE_FILES = {key: f"mni_icbm152_{key}_tal_nlin_sym_09a_converted.nii.gz" for key in ("t1", "gm", "wm")}
DEEP_DISTANCE_MM = 14.0
# (min, max) MNI millimetres per axis (x: left-right as |x|, y: posterior-anterior, z: inferior-superior)
DEEP_BOX_MM = {"abs_x": (0.0, 34.0), "y": (-45.0, 30.0), "z": (-25.0, 22.0)}


@dataclass(frozen=True)
class BrainTemplate:
    """The template volumes on their 1 mm grid (axes: x, y, z of MNI space, RAS).

    Attributes:
        t1: T1 intensities in [0, 1], float32.
        gm, wm, csf: tissue probabilities in [0, 1], float32.
        deep: float32 0/1 mask of the region whose grey matter is subcortical.
        seg4: labels 0..4 (`SEG4_LABEL_NAMES`), uint8.
        affine: voxel index to MNI millimetres, `(4, 4)`.
    """

    t1: np.ndarray
    gm: np.ndarray
    wm: np.ndarray
    csf: np.ndarray
    deep: np.ndarray
    seg4: np.ndarray
    affine: np.ndarray

    def to_voxel(self, mm: np.ndarray) -> np.ndarray:
        """MNI millimetres `(..., 3)` to (fractional) voxel indices `(3, ...)`, ready for `map_coordinates`."""
        inverse = np.linalg.inv(self.affine)
        mm = np.asarray(mm, np.float64)
        return np.moveaxis(mm @ inverse[:3, :3].T + inverse[:3, 3], -1, 0)


def template_folder() -> Path:
    """The folder of nilearn's packaged templates.

    Raises:
        ImportError: if nilearn is not installed (it is a dependency of sshn-keras).
    """
    try:
        import nilearn
    except ImportError as error:  # pragma: no cover - nilearn is a declared dependency
        raise ImportError("The brain phantom needs nilearn (`pip install nilearn`), which ships the MNI template.") from error
    return Path(nilearn.__file__).parent / "datasets" / "data"


def derive_seg4(gm: np.ndarray, wm: np.ndarray, brain: np.ndarray, affine: np.ndarray) -> tuple:
    """`(seg4 uint8, csf float32, deep float32)` from tissue maps (see the module docstring)."""
    from scipy import ndimage

    csf = np.where(brain, np.clip(1.0 - gm - wm, 0.0, 1.0), 0.0).astype(np.float32)
    tissue = np.argmax(np.stack([csf, gm, wm]), axis=0)  # 0 csf, 1 gm, 2 wm
    distance = ndimage.distance_transform_edt(ndimage.binary_fill_holes(brain))
    index = np.indices(brain.shape, dtype=np.float32)
    mm = [affine[a, a] * index[a] + affine[a, 3] for a in range(3)]
    deep = (distance >= DEEP_DISTANCE_MM) & (np.abs(mm[0]) <= DEEP_BOX_MM["abs_x"][1])
    for axis, key in ((1, "y"), (2, "z")):
        lo, hi = DEEP_BOX_MM[key]
        deep &= (mm[axis] >= lo) & (mm[axis] <= hi)
    seg4 = np.zeros(brain.shape, np.uint8)
    seg4[brain & (tissue == 1)] = 1
    seg4[brain & (tissue == 1) & deep] = 2
    seg4[brain & (tissue == 2)] = 3
    seg4[brain & (tissue == 0)] = 4
    return seg4, csf, deep.astype(np.float32)


@functools.lru_cache(maxsize=1)
def load_brain_template() -> BrainTemplate:
    """Read nilearn's MNI ICBM152 2009 template and derive its seg4-like labels (cached).

    Returns:
        `BrainTemplate` (volumes 197 x 233 x 189 at 1 mm).

    Raises:
        ImportError: without nilearn.
        FileNotFoundError: if the installed nilearn lacks the template files.
    """
    import nibabel

    folder = template_folder()
    volumes = {}
    for key, name in TEMPLATE_FILES.items():
        path = folder / name
        if not path.is_file():
            raise FileNotFoundError(f"nilearn's MNI ICBM152 2009 template file is missing: {path}")
        image = nibabel.load(str(path))
        volumes[key] = np.asarray(image.dataobj, np.float32) / 255.0
        affine = np.asarray(image.affine, np.float64)
    brain = volumes["t1"] > 0
    seg4, csf, deep = derive_seg4(volumes["gm"], volumes["wm"], brain, affine)
    return BrainTemplate(volumes["t1"], volumes["gm"], volumes["wm"], csf, deep, seg4, affine)
