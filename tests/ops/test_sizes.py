import pytest

from sshn_keras.ops.sizes import scaled_size, stage_shapes


@pytest.mark.parametrize(
    "n, phi, expected",
    [
        (5, 0.5, 3),  # 2.5 rounds half up
        (7, 0.5, 4),  # 3.5 -> 4
        (9, 0.5, 5),
        (8, 0.5, 4),
        (5, 0.7, 4),  # 3.5 with 0.7 not exactly representable
        (10, 0.35, 4),  # 3.5 -> 4
        (160, 0.01, 2),  # 1.6 -> 2
        (40, 0.01, 1),  # 0.4 -> 0 -> clamped to 1
        (1, 0.5, 1),  # 0.5 -> 1
        (3, 0.1, 1),  # 0.3 -> 0 -> 1
        (192, 0.3, 58),  # 57.6 -> 58
        (161, 1.0, 161),
    ],
)
def test_rounding_rule(n, phi, expected):
    assert scaled_size(n, phi) == expected


def test_float32_phi_rounds_like_its_decimal():
    import numpy as np

    assert scaled_size(5, float(np.float32(0.7))) == 4
    assert scaled_size(10, float(np.float32(0.35))) == 4


def test_stage_shapes_apply_phi_to_previous_stage():
    assert stage_shapes((160, 192), 0.5, 5) == [(160, 192), (80, 96), (40, 48), (20, 24), (10, 12)]
    # 0.3: 160 -> 48 -> 14.4=14 -> 4.2=4 -> 1.2=1 (not round(0.3**4 * 160) = 1.3)
    assert [s[0] for s in stage_shapes((161, 161), 0.3, 5)] == [161, 48, 14, 4, 1]


def test_python_and_graph_sizes_agree_bit_for_bit():
    import numpy as np

    from sshn_keras.ops.sizes import scaled_size_tensor

    ns = np.arange(1, 400)
    for phi in np.round(np.arange(0.01, 1.0001, 0.01), 2):
        graph = np.asarray(scaled_size_tensor(ns, np.float32(phi)))
        python = [scaled_size(int(n), float(phi)) for n in ns]
        assert graph.tolist() == python, phi
    assert scaled_size(190, 0.35) == 67  # 66.5 rounds up despite float32(0.35) < 0.35
