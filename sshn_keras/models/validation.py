"""Checks of user arrays before they reach a model (defined in `sshn_keras.tasks.validation`)."""

from sshn_keras.tasks.validation import check_fit_arrays, check_images, check_labels, check_not_empty

__all__ = ["check_fit_arrays", "check_images", "check_labels", "check_not_empty"]
