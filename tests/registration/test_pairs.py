"""Tests of registration batches (VoxelMorph's format) and labelled evaluation pairs."""

import numpy as np
import pytest

from sshn_keras.registration import (
    RegistrationPairs,
    as_tuples,
    deformed_pairs,
    load_oasis_pairs,
    pair_batches,
    scan_to_scan,
    subject_pairs,
)

SEG4_TABLE = "0 Unknown 0 0 0 0\n1 Cortex 245 245 245 0\n2 Subcortical-GM 220 248 164 0\n3 White-Matter 120 18 134 0\n4 CSF 60 58 210 0\n"


def scenes(n=6, size=(24, 28), seed=0):
    """Images and label maps of a shifted square: every pair of images differs."""
    rng = np.random.default_rng(seed)
    labels = np.zeros((n, *size), np.int32)
    for i in range(n):
        r, c = rng.integers(2, 8, 2)
        labels[i, r : r + 12, c : c + 12] = 1
        labels[i, r + 4 : r + 8, c + 4 : c + 8] = 2
    images = (labels[..., None] / 2.0).astype(np.float32)
    return images, labels


def test_scan_to_scan_yields_voxelmorph_batches():
    images, _ = scenes()
    gen = scan_to_scan(images, batch_size=3, seed=0)
    (moving, fixed), (target, zeros) = next(gen)
    assert moving.shape == fixed.shape == (3, 24, 28, 1) and target is fixed
    assert zeros.shape == (3, 24, 28, 2) and not zeros.any() and zeros.dtype == np.float32
    (again, _), _ = next(scan_to_scan(images, batch_size=3, seed=0))
    np.testing.assert_array_equal(again, moving)
    (m, f), _ = next(scan_to_scan(images, batch_size=2, prob_same=1.0, seed=0))
    np.testing.assert_array_equal(m, f)
    (m3, _), (_, z3) = next(scan_to_scan(np.zeros((2, 8, 8, 8, 1), np.float32)))
    assert m3.shape == (1, 8, 8, 8, 1) and z3.shape == (1, 8, 8, 8, 3)


def test_pair_batches_one_pass_covers_every_pair_once():
    images, _ = scenes(5)
    batches = list(pair_batches(images, images[::-1], batch_size=2, shuffle=False, repeat=False))
    assert [b[0][0].shape[0] for b in batches] == [2, 2, 1]
    np.testing.assert_array_equal(np.concatenate([b[0][1] for b in batches]), images[::-1])
    assert next(as_tuples(iter([([1, [2]], [3])]))) == ((1, (2,)), (3,))


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda im: scan_to_scan(im[..., 0]), "batch of 2D or 3D images"),
        (lambda im: scan_to_scan(im, batch_size=0), "batch_size"),
        (lambda im: scan_to_scan(im, prob_same=2.0), "prob_same"),
        (lambda im: pair_batches(im, im[:, :10]), "same shape"),
    ],
)
def test_batch_generators_check_arguments_eagerly(call, match):
    images, _ = scenes()
    with pytest.raises(ValueError, match=match):
        call(images)


def test_subject_pairs_never_pair_an_image_with_itself():
    images, labels = scenes(4)
    pairs = subject_pairs((images, labels), num_pairs=40, seed=0)
    assert pairs.num_pairs == 40 and pairs.image_shape == (24, 28, 1)
    assert not any(np.array_equal(m, f) for m, f in zip(pairs.moving, pairs.fixed))
    assert pairs.label_names == ["label_0", "label_1", "label_2"]
    assert np.all(pairs.dice_before() < 1.0)
    assert pairs.subset(slice(0, 5)).num_pairs == 5


def test_deformed_pairs_lower_dice_below_one():
    images, labels = scenes(3, (32, 32))
    pairs = deformed_pairs((images, labels), max_displacement=3.0, sigma=4.0, seed=0)
    assert pairs.num_pairs == 3 and pairs.moving_labels.dtype == labels.dtype
    before = pairs.dice_before()
    assert np.all((before > 0.3) & (before < 0.99))


def test_registration_pairs_validate():
    images, labels = scenes(2)
    with pytest.raises(ValueError, match="same shape"):
        RegistrationPairs(images, images[:, :10], labels, labels)
    with pytest.raises(ValueError, match="moving_labels"):
        RegistrationPairs(images, images, labels[:, :10], labels)
    with pytest.raises(ValueError, match="integer"):
        RegistrationPairs(images, images, labels.astype(float), labels)
    with pytest.raises(ValueError, match="channels last"):
        RegistrationPairs(images[..., 0], images[..., 0], labels, labels)
    with pytest.raises(ValueError, match="at least 2"):
        subject_pairs((images[:1], labels[:1]))
    with pytest.raises(TypeError, match="images"):
        subject_pairs(images)


def test_oasis_pairs_from_files_in_the_published_layout(tmp_path):
    nibabel = pytest.importorskip("nibabel")
    root = tmp_path / "oasis"
    root.mkdir()
    (root / "seg4_labels.txt").write_text(SEG4_TABLE)
    images, labels = scenes(6, (32, 40))
    for i in range(6):
        folder = root / f"OASIS_OAS1_{i + 1:04d}_MR1"
        folder.mkdir()
        seg4 = labels[i] * 2  # labels 0, 2, 4
        nibabel.save(nibabel.Nifti1Image(images[i, ..., 0], np.eye(4)), str(folder / "slice_norm.nii.gz"))
        nibabel.save(nibabel.Nifti1Image(seg4.astype(np.uint8), np.eye(4)), str(folder / "slice_seg4.nii.gz"))
    pairs = load_oasis_pairs(root, split=None, labels="seg4", num_pairs=8, seed=1, progress=False)
    assert pairs.num_pairs == 8 and pairs.image_shape == (32, 40, 1)
    assert pairs.label_names == ["Unknown", "Cortex", "Subcortical-GM", "White-Matter", "CSF"]
    assert set(np.unique(pairs.fixed_labels)) <= {0, 2, 4}
    assert "OASIS" in pairs.description and "->" in pairs.subjects[0]


def test_deformed_pairs_from_real_wbc_images():
    from sshn_keras.data import load_wbc

    try:
        data = load_wbc(split="test", target_size=(64, 64), grayscale=True, progress=False)
    except FileNotFoundError as error:
        pytest.skip(f"Real WBC data not available: {error}")
    pairs = deformed_pairs(data, max_displacement=4.0, sigma=6.0, seed=0)
    assert pairs.num_pairs == data.num_samples and pairs.label_names == ["background", "cytoplasm", "nucleus"]
    before = pairs.dice_before()
    assert 0.5 < before.mean() < 0.95  # measurable room for registration
