"""Progress bars that cost nothing when they are off."""


def progress_bar(iterable, enabled: bool = True, **kwargs):
    """`tqdm.auto.tqdm(iterable, **kwargs)` when `enabled`, else `iterable` itself.

    `tqdm.auto` is imported only when a bar is shown: in a notebook without
    ipywidgets, importing it emits a `TqdmWarning` that names the
    installation's path.

    Example:
    >>> list(progress_bar(range(3), enabled=False))
    [0, 1, 2]
    """
    if not enabled:
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, **kwargs)
