"""Read one image file into a numpy array; any failure names the file.

A truncated gzip, a cut-off PNG or a file that is not an image at all raises
`ValueError("... <path> ...")` chained to the library's own exception, so a
corrupted download is found by its file name and never skipped.
"""

from pathlib import Path

import numpy as np


def read_nifti_2d(path) -> np.ndarray:
    """Read a 2D NIfTI image (`.nii` / `.nii.gz`) with nibabel.

    Trailing singleton axes (a `(160, 192, 1)` slice) are dropped. The array
    keeps nibabel's voxel axis order; callers decide on any transpose.

    Args:
        path: the file.

    Returns:
        A 2D array in the file's own dtype.

    Raises:
        FileNotFoundError: if the file does not exist.
        ValueError: if the file cannot be read (truncated, not NIfTI) or is
            not 2D after dropping trailing singleton axes.
    """
    return read_nifti(path, dims=(2,))


def read_nifti(path, dims: tuple = (2, 3)) -> np.ndarray:
    """Read a 2D or 3D NIfTI image (`.nii` / `.nii.gz`) with nibabel.

    Trailing singleton axes are dropped (a `(160, 192, 1)` file is a 2D
    slice). The array keeps nibabel's voxel axis order.

    Args:
        path: the file.
        dims: the accepted numbers of axes after dropping trailing singletons.

    Returns:
        A 2D or 3D array in the file's own dtype.

    Raises:
        FileNotFoundError: if the file does not exist.
        ValueError: if the file cannot be read (truncated, not NIfTI) or its
            number of axes is not in `dims`.
    """
    import nibabel

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Missing file: {path}")
    try:
        array = np.asanyarray(nibabel.load(str(path)).dataobj)
    except Exception as error:  # nibabel raises many types for a damaged file
        raise ValueError(f"Cannot read NIfTI file {path}: {type(error).__name__}: {error}") from error
    while array.ndim > 2 and array.shape[-1] == 1:
        array = array[..., 0]
    if array.ndim not in dims:
        kinds = " or ".join(f"{d}D" for d in dims)
        raise ValueError(f"Expected a {kinds} image in {path} (optionally with trailing singleton axes). Received shape {array.shape}")
    return np.asarray(array)


def read_image(path, mode: str | None = None) -> np.ndarray:
    """Read a PNG / BMP / JPEG / TIFF file with Pillow.

    Args:
        path: the file.
        mode: Pillow mode to convert to (`"RGB"`, `"L"`), or None to keep
            the file's own.

    Returns:
        `(H, W)` or `(H, W, C)` array.

    Raises:
        FileNotFoundError: if the file does not exist.
        ValueError: if the file cannot be decoded (truncated, not an image).
    """
    from PIL import Image

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Missing file: {path}")
    try:
        with Image.open(path) as image:
            image.load()
            if mode is not None and image.mode != mode:
                image = image.convert(mode)
            return np.asarray(image)
    except Exception as error:  # Pillow raises OSError, SyntaxError, ValueError...
        raise ValueError(f"Cannot read image file {path}: {type(error).__name__}: {error}") from error


def read_mask(path) -> np.ndarray:
    """Read a label image as a 2D integer array.

    Grey and palette masks are returned as they are (palette: the indices);
    1-bit masks become 0 / 255, like their grey rendering. Colour masks whose channels are
    all equal (a grey mask saved as RGB) are reduced to one channel; any
    other colour mask is refused, as its colours have no declared order.

    Raises:
        FileNotFoundError: if the file does not exist.
        ValueError: if the file cannot be decoded, or is a true colour image.
    """
    mask = read_image(path)
    if mask.dtype == bool:
        mask = mask.astype(np.uint8) * 255
    if mask.ndim == 3:
        channels = mask[..., :3]
        if not np.all(channels == channels[..., :1]):
            raise ValueError(
                f"Mask {path} is a colour image with differing channels; expected a grey or palette mask "
                "whose pixel values are the label values."
            )
        mask = channels[..., 0]
    return mask.astype(np.int64)
