"""Read a FreeSurfer colour table (`FreeSurferColorLUT.txt`-style) into label names."""

from pathlib import Path


def read_colour_table(path) -> dict:
    """Parse lines `index name [R G B [A]]`; blank lines and `#` comments are skipped.

    Args:
        path: the text file (e.g. neurite-oasis' `seg24_labels.txt`).

    Returns:
        `{index: name}` in file order.

    Raises:
        FileNotFoundError: if the file is missing.
        ValueError: for a line that does not start with an integer index and
            a name, for non-integer colour values, a repeated index, or a file
            without any entry; the message gives the file and line number.

    Example:
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "lut.txt")
    >>> _ = open(path, "w").write("# idx name R G B A\\n0 Unknown 0 0 0 0\\n1 Left-Cortex 245 245 245 0\\n")
    >>> read_colour_table(path)
    {0: 'Unknown', 1: 'Left-Cortex'}
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Missing colour table {path}")
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"Cannot read colour table {path}: {error}") from error
    table = {}
    for number, line in enumerate(text.splitlines(), start=1):
        fields = line.split("#", 1)[0].split()
        if not fields:
            continue
        where = f"{path}, line {number}: {line.strip()!r}"
        if len(fields) < 2 or not _is_int(fields[0]) or not all(_is_int(f) for f in fields[2:]):
            raise ValueError(f"Malformed colour table entry at {where}; expected 'index name [R G B [A]]'.")
        index = int(fields[0])
        if index in table:
            raise ValueError(f"Label index {index} appears twice in the colour table at {where}.")
        table[index] = fields[1]
    if not table:
        raise ValueError(f"Colour table {path} holds no entries.")
    return table


def _is_int(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True
