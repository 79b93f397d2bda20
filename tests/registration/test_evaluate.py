"""Tests of registration evaluation (Dice, folding, GFLOPs sweeps), Pareto plots, and learning."""

import keras
import numpy as np
import pytest

from sshn_keras.flops import resize_flops, unet_flops
from sshn_keras.plots import plot_methods
from sshn_keras.registration import (
    SSHNVxmDense,
    build_vxm_dense,
    compile_registration,
    deformed_pairs,
    evaluate_registration,
    pair_batches,
    registration_flops,
    subject_pairs,
    sweep_registration_fixed,
    sweep_registration_phi,
    warp_labels,
)

ARCH = dict(input_shape=(32, 32, 1), filters=4, num_stages=3, int_steps=0)  # the U-Net layout, flow = displacement


@pytest.fixture
def pairs(tiny_data):
    images, labels = tiny_data
    return subject_pairs((images[:12], labels[:12]), num_pairs=6, seed=0)


def test_registration_flops_count_the_unet_at_phi_plus_the_warp():
    f = registration_flops((160, 192, 1), 0.5, filters=32)
    assert f["unet"] == unet_flops((160, 192, 2), 2, 0.5, 32)["total"]
    assert f["warp"] == resize_flops((160, 192), 1) + 2 * 160 * 192 and f["integration"] == 0
    assert f["total"] == f["unet"] + f["warp"]
    assert registration_flops((160, 192, 1), 0.25)["total"] < f["total"]
    integrated = registration_flops((160, 192, 1), 0.5, int_steps=7, int_downsize=2)
    assert integrated["integration"] > 0 and integrated["unet"] == f["unet"]
    assert registration_flops((16, 16, 16, 1), 0.5)["unet"] == unet_flops((16, 16, 16, 2), 3, 0.5)["total"]


def test_warp_labels_with_zero_and_integer_flows():
    labels = np.arange(2 * 4 * 5).reshape(2, 4, 5).astype(np.int32)
    np.testing.assert_array_equal(warp_labels(labels, np.zeros((2, 4, 5, 2))), labels)
    shift = np.zeros((2, 4, 5, 2), np.float32)
    shift[..., 1] = 1.0
    np.testing.assert_array_equal(warp_labels(labels, shift)[:, :, :4], labels[:, :, 1:])


def test_sweep_rows_and_registration_pareto_plots(pairs, tmp_path):
    model = SSHNVxmDense(**ARCH)  # untrained: the flow is ~0, so Dice equals Dice before
    rows = sweep_registration_phi(model, pairs, [0.1, 0.3, 0.5], batch_size=4, progress=False)
    assert [r["phi"] for r in rows] == [0.1, 0.3, 0.5]
    for row in rows:
        assert {"dice_mean", "dice_std", "dice_per_label", "dice_before_mean", "nonpositive_jacobian", "gflops", "latency_ms"} <= set(row)
        assert row["dice_mean"] == pytest.approx(row["dice_before_mean"], abs=1e-3)
        assert row["nonpositive_jacobian"] == 0.0
        assert sorted(row["dice_per_label"]) == ["label_1", "label_2", "label_3"]
    assert rows[0]["gflops"] < rows[-1]["gflops"]
    fixed = build_vxm_dense(**ARCH, phi=0.5)
    fixed_row = sweep_registration_fixed(fixed, pairs, 0.5, ARCH, batch_size=4)
    assert fixed_row["gflops"] == pytest.approx(rows[-1]["gflops"])
    results = {
        "config": {"dataset": "synthetic pairs"},
        "jobs": {
            "sshn_s0": {"method": "sshn", "seed": 0, "phi": None, "rows": rows},
            "fixed_phi0.5_s0": {"method": "fixed", "seed": 0, "phi": 0.5, "rows": [fixed_row]},
        },
    }
    paths = plot_methods(results, str(tmp_path))
    assert all((tmp_path / name).stat().st_size > 0 for name in ("dice_vs_phi.png", "dice_vs_gflops.png"))
    assert len(paths) == 2


def test_evaluation_refuses_bad_requests(pairs):
    fixed = build_vxm_dense(**ARCH, phi=0.5)
    with pytest.raises(ValueError, match="do not pass `phi`"):
        evaluate_registration(fixed, pairs, phi=0.5, arch={**ARCH, "phi": 0.5})
    with pytest.raises(ValueError, match="needs `arch`"):
        evaluate_registration(fixed, pairs)
    with pytest.raises(ValueError, match="'phi'"):
        evaluate_registration(fixed, pairs, arch=ARCH)
    with pytest.raises(TypeError, match="sweep_registration_fixed"):
        sweep_registration_phi(fixed, pairs, [0.2])


@pytest.mark.slow
def test_short_training_on_known_deformations_raises_label_dice():
    from sshn_keras.data import make_synthetic_segmentation

    keras.utils.set_random_seed(0)
    data = make_synthetic_segmentation(48, size=32, seed=3)
    pairs = deformed_pairs(data, max_displacement=3.0, sigma=4.0, seed=0)
    train, test = pairs.subset(slice(0, 40)), pairs.subset(slice(40, 48))
    model = compile_registration(SSHNVxmDense(**{**ARCH, "filters": 8}), learning_rate=1e-2, lambda_weight=0.01)
    model.fit(pair_batches(train.moving, train.fixed, batch_size=8, seed=0), steps_per_epoch=300, epochs=1, verbose=0)
    row = evaluate_registration(model, test, phi=0.25)
    assert row["dice_mean"] > row["dice_before_mean"] + 0.04, row
    assert row["nonpositive_jacobian"] < 0.01
