"""VoxelMorph's losses (`NCC`, `MSE`, `Grad`, `Dice`, `TukeyBiweight`) against VoxelMorph 0.2's values (tests/fixtures/vxm/losses.npz)."""

from pathlib import Path

import keras
import numpy as np
import pytest

from sshn_keras.losses import MSE, NCC, Dice, Grad, TukeyBiweight

REF = np.load(Path(__file__).resolve().parents[1] / "fixtures" / "vxm" / "losses.npz")
CASES = ["2d", "2d_2ch", "3d"]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("suffix, loss", [("ncc", NCC()), ("ncc_win5", NCC(win=5)), ("ncc_signed", NCC(signed=True))])
def test_ncc_matches_voxelmorph(case, suffix, loss):
    y_true, y_pred = REF[f"{case}_true"], REF[f"{case}_pred"]
    ref = REF[f"{case}_{suffix}"]
    per_image = np.asarray(loss.loss(y_true, y_pred))
    diff = float(np.abs(per_image - ref).max())
    print(f"NCC {case} {suffix}: {per_image} vs VoxelMorph {ref}, max abs diff {diff:.1e}")
    assert per_image.shape == ref.shape and diff <= 1e-5
    # As a Keras loss: the batch mean of the same values.
    np.testing.assert_allclose(float(loss(y_true, y_pred)), ref.mean(), atol=1e-5)


@pytest.mark.parametrize("case", CASES)
def test_tukey_biweight_matches_voxelmorph(case):
    y_true, y_pred = REF[f"{case}_true"], REF[f"{case}_pred"]
    loss = TukeyBiweight(c=0.2)  # |differences| up to 0.5: some voxels above the threshold, some below
    value = float(loss.loss(y_true, y_pred))
    print(f"TukeyBiweight {case}: {value:.7f} vs VoxelMorph {float(REF[f'{case}_tukey_c0.2']):.7f}")
    np.testing.assert_allclose(value, REF[f"{case}_tukey_c0.2"], rtol=1e-5)
    np.testing.assert_allclose(float(loss(y_true, y_pred)), value, rtol=1e-5)  # as a Keras loss: equal-size images
    assert TukeyBiweight.from_config(loss.get_config()).c == 0.2
    with pytest.raises(ValueError, match="`c` must be a positive"):
        TukeyBiweight(c=0.0)


@pytest.mark.parametrize("case", CASES)
def test_mse_grad_dice_match_voxelmorph(case):
    y_true, y_pred = REF[f"{case}_true"], REF[f"{case}_pred"]
    np.testing.assert_allclose(float(MSE(0.5).loss(y_true, y_pred)), REF[f"{case}_mse"], rtol=1e-5)
    np.testing.assert_allclose(np.asarray(Grad("l1").loss(None, y_pred)), REF[f"{case}_grad_l1"], rtol=1e-5)
    np.testing.assert_allclose(np.asarray(Grad("l2", loss_mult=2).loss(None, y_pred)), REF[f"{case}_grad_l2"], rtol=1e-5)
    np.testing.assert_allclose(float(Dice().loss(y_true, y_pred)), REF[f"{case}_dice"], rtol=1e-5)
    np.testing.assert_allclose(float(Dice()(y_true, y_pred)), REF[f"{case}_dice"], rtol=1e-5)


def test_ncc_properties_and_config():
    image = np.random.default_rng(0).random((2, 16, 16, 1)).astype("float32")
    np.testing.assert_allclose(np.asarray(NCC().loss(image, 3 * image)), [-1.0, -1.0], atol=1e-4)
    assert float(NCC().loss(image, image, reduce="max")[0]) == pytest.approx(-1.0, abs=1e-4)
    loss = NCC(win=[5, 7], signed=True, name="local_cc")
    clone = NCC.from_config(loss.get_config())
    assert clone.get_config() == loss.get_config()
    restored = keras.losses.deserialize(keras.losses.serialize(loss))
    assert isinstance(restored, NCC) and restored.win == [5, 7]


@pytest.mark.parametrize(
    "kwargs, match",
    [(dict(win=0), "win"), (dict(win=[3, "a"]), "win"), (dict(win=2.5), "win"), (dict(eps=-1.0), "eps")],
)
def test_ncc_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        NCC(**kwargs)


def test_ncc_bad_calls():
    image = np.zeros((1, 8, 8, 1), "float32")
    with pytest.raises(ValueError, match="one size per spatial axis"):
        NCC(win=[3, 3, 3]).loss(image, image)
    with pytest.raises(ValueError, match="reduce"):
        NCC().loss(image, image, reduce="sum")
    with pytest.raises(ValueError, match="reduce"):
        MSE().loss(image, image, reduce="median")
