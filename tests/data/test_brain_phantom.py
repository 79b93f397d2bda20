"""The simulated brain dataset: layout read by the OASIS loaders, labels, determinism, diffeomorphic geometry."""

import numpy as np
import pytest

from sshn_keras.data import load_brain_phantom, load_oasis, write_brain_phantom
from sshn_keras.data.brain_simulation import SimulationSettings, simulate_slice, simulate_volume
from sshn_keras.data.brain_template import DEEP_BOX_MM, SEG4_LABEL_NAMES, load_brain_template
from sshn_keras.registration import load_oasis_pairs
from sshn_keras.registration.jacobian import jacobian_determinant


@pytest.fixture(scope="module")
def phantom(tmp_path_factory):
    return write_brain_phantom(tmp_path_factory.mktemp("phantom"), num_subjects=5, seed=3)


def test_template_labels_follow_the_stated_derivation():
    template = load_brain_template()
    assert template.seg4.shape == (197, 233, 189)
    assert set(np.unique(template.seg4)) == {0, 1, 2, 3, 4}
    brain = template.t1 > 0
    assert np.array_equal(template.seg4 > 0, brain)
    # subcortical grey matter only inside the stated box around the basal ganglia and thalami
    i, j, k = np.nonzero(template.seg4 == 2)
    x, y, z = (np.stack([i, j, k], 1) @ template.affine[:3, :3].T + template.affine[:3, 3]).T
    assert np.abs(x).max() <= DEEP_BOX_MM["abs_x"][1] and DEEP_BOX_MM["y"][0] <= y.min() and z.max() <= DEEP_BOX_MM["z"][1]
    # white matter where the white-matter map dominates
    wm = template.seg4 == 3
    assert np.all(template.wm[wm] >= template.gm[wm])


def test_layout_is_read_by_the_oasis_loaders(phantom):
    assert "NOT OASIS" in (phantom / "SIMULATED.txt").read_text()
    folders = sorted(p.name for p in phantom.iterdir() if p.is_dir())
    assert folders == [f"OASIS_OAS1_{i:04d}_MR1" for i in range(1, 6)]
    data = load_oasis(phantom, labels="seg4", progress=False)
    assert data.images.shape == (5, 160, 192, 1) and data.labels.shape == (5, 160, 192)
    assert data.label_names == list(SEG4_LABEL_NAMES)
    assert 0 <= data.images.min() and data.images.max() <= 1
    assert np.all(data.images[..., 0][data.labels == 0] == 0)  # skull-stripped: background is 0
    pairs = load_oasis_pairs(phantom, split=None, num_pairs=4, progress=False)
    assert pairs.num_pairs == 4 and 0.3 < float(np.nanmean(pairs.dice_before())) < 0.95


def test_every_slice_has_all_four_tissues_and_plausible_contrast(phantom):
    data = load_brain_phantom(phantom, num_subjects=5, seed=3)
    assert data.names[0] == "phantom_0001" and not any("OASIS" in n for n in data.names)
    for image, labels in zip(data.images[..., 0], data.labels):
        assert set(np.unique(labels)) == {0, 1, 2, 3, 4}
        mean = {k: image[labels == k].mean() for k in range(1, 5)}
        assert mean[4] < mean[1] < mean[3]  # CSF darker than cortex, cortex darker than white matter (T1)


def test_simulation_is_deterministic_per_subject(phantom, tmp_path):
    again = write_brain_phantom(tmp_path / "again", num_subjects=2, seed=3)
    first = load_oasis(phantom, labels="seg4", progress=False)
    second = load_oasis(again, labels="seg4", progress=False)
    np.testing.assert_array_equal(first.images[:2], second.images)  # subject i depends on (seed, i) only
    np.testing.assert_array_equal(first.labels[:2], second.labels)
    other = load_oasis(write_brain_phantom(tmp_path / "other", num_subjects=1, seed=4), labels="seg4", progress=False)
    assert not np.array_equal(other.images[0], first.images[0])


def test_deformations_are_diffeomorphic():
    template = load_brain_template()
    subject = simulate_slice(template, np.random.default_rng(0), SimulationSettings(max_velocity_mm=12.0))
    assert np.abs(subject["displacement"]).max() > 3  # a real deformation
    assert jacobian_determinant(subject["displacement"]).min() > 0
    volume = simulate_volume(template, np.random.default_rng(1), shape=(24, 28, 32), spacing=6.8)
    assert volume["norm"].shape == (24, 28, 32) and set(np.unique(volume["seg4"])) <= {0, 1, 2, 3, 4}
    assert jacobian_determinant(volume["displacement"]).min() > 0


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="num_subjects"):
        write_brain_phantom(tmp_path, num_subjects=0)
    with pytest.raises(ValueError, match="seed"):
        write_brain_phantom(tmp_path, num_subjects=1, seed=-1)
    with pytest.raises(ValueError, match="max_velocity_mm"):
        SimulationSettings(max_velocity_mm=-1.0)
    with pytest.raises(ValueError, match="smoothness_mm"):
        SimulationSettings(smoothness_mm=0.0)
