import pytest

from sshn_keras.experiments.generated import fill_blocks, find_blocks, strip_blocks

TEXT = "intro 1\n<!-- generated: twice 21 -->\nold\n<!-- /generated -->\nmiddle\n<!-- generated: hello -->\n<!-- /generated -->\nend\n"
GENERATORS = {"twice": lambda x: str(2 * int(x)), "hello": lambda: "hi\n"}


def test_fill_rewrites_only_the_blocks():
    out = fill_blocks(TEXT, GENERATORS)
    assert out == ("intro 1\n<!-- generated: twice 21 -->\n42\n<!-- /generated -->\nmiddle\n"
                   "<!-- generated: hello -->\nhi\n<!-- /generated -->\nend\n")
    assert fill_blocks(out, GENERATORS) == out  # idempotent
    assert [(n, a) for n, a, _ in find_blocks(out)] == [("twice", ["21"]), ("hello", [])]
    assert strip_blocks(out) == "intro 1\n\nmiddle\n\nend\n"


def test_bad_markers_and_unknown_names_are_refused():
    with pytest.raises(ValueError, match="Unbalanced"):
        find_blocks(TEXT.replace("<!-- /generated -->\nmiddle", "middle"))
    with pytest.raises(ValueError, match="Unknown generated block 'hello'"):
        fill_blocks(TEXT, {"twice": GENERATORS["twice"]})
    with pytest.raises(ValueError, match="names no generator"):
        find_blocks("<!-- generated:  -->\n<!-- /generated -->")
