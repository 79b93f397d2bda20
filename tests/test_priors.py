"""`sshn_keras.priors`: the phi grid a prior is validated on."""

import pytest

from sshn_keras.priors import UniformPrior, validation_grid


def test_validation_grid_of_priors():
    assert validation_grid(UniformPrior(0.0, 0.5)) == (0.05, 0.1, 0.2, 0.3, 0.4, 0.5)
    assert validation_grid((0.0, 1.0)) == (0.05, 0.2, 0.4, 0.6, 0.8, 1.0)  # thinned to 6
    assert validation_grid((0.45, 0.55)) == (0.45, 0.5, 0.55)
    assert validation_grid((0.5, 0.5)) == (0.5,)
    assert validation_grid((0.0, 0.02)) == (0.02,)
    with pytest.raises(ValueError, match="max_points"):
        validation_grid((0.0, 0.5), max_points=1)
