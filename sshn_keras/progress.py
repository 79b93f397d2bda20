"""Progress bars that cost nothing when they are off."""


def progress_bar(iterable, enabled: bool = True, **kwargs):
    """`tqdm.auto.tqdm(iterable, **kwargs)` when `enabled`, else `iterable` itself.

    `tqdm.auto` is imported only when a bar is shown, and only when
    ipywidgets is installed: without it, `tqdm.auto` emits a `TqdmWarning`
    that names the installation's path, so the plain text bar is used.

    Example:
    >>> list(progress_bar(range(3), enabled=False))
    [0, 1, 2]
    """
    if not enabled:
        return iterable
    try:
        import ipywidgets  # noqa: F401  (what tqdm.auto needs for notebook bars)
        from tqdm.auto import tqdm
    except ImportError:
        from tqdm import tqdm

    return tqdm(iterable, **kwargs)
