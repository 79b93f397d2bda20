import numpy as np
import pytest

from sshn_keras.experiments import ExperimentConfig
from sshn_keras.experiments.analysis import prior_width_experiment, transfer_weights, weight_transfer_experiment
from sshn_keras.experiments.config import PRESETS
from sshn_keras.models import SSHNUNet, build_unet


def test_transfer_from_fixed_and_from_sshn(tiny_data, tiny_arch):
    x, y = tiny_data
    fixed = build_unet(**{**tiny_arch, "convs_per_stage": 1}, phi=0.5)
    arch = {**tiny_arch, "convs_per_stage": 1}  # from the config, not from the layer names
    with pytest.raises(ValueError, match="give `arch`"):
        transfer_weights(fixed, 0.25)
    with pytest.raises(ValueError):  # another architecture's weights do not fit
        transfer_weights(fixed, 0.25, arch=tiny_arch)
    moved = transfer_weights(fixed, 0.25, arch=arch)
    for a, b in zip(moved.get_weights(), fixed.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert moved.get_layer("enc1_resize").factor == 0.25
    sshn = SSHNUNet(**arch)
    from_sshn = transfer_weights(sshn, 0.25, arch=tiny_arch)  # a phi-conditioned model's own spec wins
    for a, b in zip(from_sshn.get_weights(), sshn.materialize(0.5).get_weights()):
        np.testing.assert_array_equal(a, b)
    out = weight_transfer_experiment({"sshn": sshn, "fixed": fixed}, x[:8], y[:8], [0.25, 0.5], arch)
    assert set(out) == {"sshn, weights for phi=0.5", "sshn, weights predicted at each phi", "fixed, weights for phi=0.5"}
    # at the source phi, transferred weights are the model's own
    assert out["sshn, weights for phi=0.5"][1]["dice_mean"] == pytest.approx(
        out["sshn, weights predicted at each phi"][1]["dice_mean"])


@pytest.mark.slow
def test_prior_width_experiment_caches(tmp_path):
    config = ExperimentConfig.from_dict(PRESETS["synthetic_smoke"].to_dict())
    rows = prior_width_experiment(config, str(tmp_path), radii=(0.0, 0.05), verbose=0)
    assert [r["radius"] for r in rows] == [0.0, 0.05] and all(r["phi"] == 0.5 for r in rows)
    assert (tmp_path / "prior_width.png").stat().st_size > 0
    assert not (tmp_path / "backup").exists() or not any((tmp_path / "backup").iterdir())  # removed once tested
    again = prior_width_experiment(config, str(tmp_path), radii=(0.0, 0.05), verbose=0)
    assert again == rows


def test_prior_radius_outside_range_is_refused_before_training(tmp_path):
    config = ExperimentConfig.from_dict(PRESETS["synthetic_smoke"].to_dict())
    with pytest.raises(ValueError, match="Prior radius must lie in"):
        prior_width_experiment(config, str(tmp_path), radii=(0.0, 0.6), verbose=0)
    assert not (tmp_path / "prior_width").exists()
