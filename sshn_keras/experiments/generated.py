"""Generated blocks in Markdown files: text between markers that a command rewrites from data.

A block is

    <!-- generated: NAME ARG ... -->
    ...text written by `fill_blocks`...
    <!-- /generated -->

where NAME picks a generator and the ARGs (e.g. experiment folders) are passed
to it. Everything outside the markers is left byte for byte as it was.
"""

import re
from collections.abc import Callable, Mapping

_BLOCK = re.compile(r"(<!-- generated: ([^>]*?) -->\n)(.*?)(<!-- /generated -->)", re.S)
_OPEN = re.compile(r"<!-- generated: ")
_CLOSE = "<!-- /generated -->"


def find_blocks(text: str) -> list:
    """`[(name, args, body), ...]` for every generated block of `text`, in order.

    Raises:
        ValueError: if markers are unbalanced or a block names nothing.
    """
    blocks = []
    for match in _BLOCK.finditer(text):
        words = match.group(2).split()
        if not words:
            raise ValueError(f"A generated block names no generator: received {match.group(1).strip()!r}.")
        blocks.append((words[0], words[1:], match.group(3)))
    opened, closed = len(_OPEN.findall(text)), text.count(_CLOSE)
    if not opened == closed == len(blocks):
        raise ValueError(f"Unbalanced generated-block markers: {opened} openings, {closed} closings, "
                         f"{len(blocks)} well-formed blocks (expected `<!-- generated: NAME ARG ... -->` on its own "
                         f"line, the text, then `{_CLOSE}`).")
    return blocks


def fill_blocks(text: str, generators: Mapping[str, Callable[..., str]]) -> str:
    """`text` with the body of every generated block replaced by `generators[NAME](*ARGS)`.

    Args:
        text: Markdown with generated blocks.
        generators: `{name: function(*args) -> str}`.

    Raises:
        ValueError: for unbalanced markers or a name that `generators` does not know.
    """
    find_blocks(text)

    def replace(match):
        name, *args = match.group(2).split()
        if name not in generators:
            raise ValueError(f"Unknown generated block {name!r}; expected one of {sorted(generators)}.")
        return match.group(1) + generators[name](*args).rstrip("\n") + "\n" + match.group(4)

    return _BLOCK.sub(replace, text)


def strip_blocks(text: str) -> str:
    """`text` without its generated blocks (markers included): the hand-written part."""
    find_blocks(text)
    return _BLOCK.sub("", text)
