"""Loading `.keras` model files safely, with errors that name the file and the problem.

`keras.saving.load_model` reports a truncated or corrupted `.keras` file as
"File not found", and a damaged member as a bare `KeyError` or HDF5
`OSError`. `load_model` checks the archive first (a zip, CRCs intact, a
`config.json`), loads with `safe_mode=True` (no Lambda layer or other
arbitrary code is deserialized; the package's models contain none), and
turns every failure into a `ValueError` naming the file.
"""

import os
import zipfile
import zlib

import keras


def check_keras_file(path) -> str:
    """Raise unless `path` is an intact `.keras` archive; returns the path as a string.

    Raises:
        FileNotFoundError: if there is no file at `path`.
        ValueError: if the name does not end with `.keras`, or the file is
            not a zip archive (truncated, corrupted, another format), a
            member fails its CRC check, or `config.json` is missing.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"No model file at {path}")
    if not os.path.isfile(path):
        raise ValueError(f"{path} is not a file; a Keras model file is one `.keras` file.")
    if not path.endswith(".keras"):
        raise ValueError(
            f"{path} is not a `.keras` file. For a SavedModel folder use `sshn_keras.export.load_saved_model`."
        )
    size = os.path.getsize(path)
    if not zipfile.is_zipfile(path):
        raise ValueError(
            f"{path} ({size} bytes) is not a valid .keras file: not a zip archive (truncated, corrupted, or another "
            "format). Save the model again."
        )
    try:
        with zipfile.ZipFile(path) as archive:
            damaged = archive.testzip()
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as error:
        raise ValueError(f"{path} is a damaged .keras archive ({error}). Save the model again.") from error
    if damaged is not None:
        raise ValueError(f"{path} is a damaged .keras archive: member {damaged!r} fails its CRC check.")
    if "config.json" not in names:
        raise ValueError(f"{path} is not a Keras model file: it has no config.json (members: {sorted(names)}).")
    return path


def load_model(path, safe_mode: bool = True, compile: bool = True) -> keras.Model:
    """Load a `.keras` model file after checking it; `safe_mode=True` by default.

    Args:
        path: the `.keras` file.
        safe_mode: refuse to deserialize arbitrary code (Lambda layers);
            keep True for files you did not write yourself.
        compile: restore the training configuration too.

    Returns:
        The model.

    Raises:
        FileNotFoundError: if the file does not exist.
        ValueError: if the file is truncated, corrupted, not a Keras model,
            or refused by `safe_mode`, naming the file.

    Example:
    >>> model = load_model("runs/sshn/model.keras")   # doctest: +SKIP
    """
    import sshn_keras.losses  # noqa: F401  registers the package's classes for deserialization
    import sshn_keras.metrics  # noqa: F401
    import sshn_keras.models  # noqa: F401

    path = check_keras_file(path)
    try:
        return keras.saving.load_model(path, safe_mode=safe_mode, compile=compile)
    except (KeyError, OSError, ValueError, TypeError, AttributeError) as error:
        raise ValueError(f"Cannot load the Keras model file {path}: {type(error).__name__}: {error}") from error
