"""`RegistrationModel` (defined in `sshn_keras.tasks.registration_model`)."""

from sshn_keras.tasks.registration_model import RegistrationModel, tuples_for_fit

__all__ = ["RegistrationModel", "tuples_for_fit"]
