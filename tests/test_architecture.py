"""The package's import graph: no cycles, and imports flow one way through declared levels.

Every module of `sshn_keras` is parsed (not imported); every `import` and
`from ... import` statement counts, including those inside functions. An
edge `a -> b` means module `a` imports module `b`
(`from sshn_keras.x import name` is an edge to `sshn_keras.x.name` when that
is a module, else to `sshn_keras.x`).
"""

from __future__ import annotations

import ast
import importlib
import pathlib

import sshn_keras

PACKAGE = "sshn_keras"
ROOT = pathlib.Path(sshn_keras.__file__).parent

# The declared layering, lowest first. A module may import modules of its own
# level or of lower levels, never of a higher one. Each name is a top-level
# module or subpackage of sshn_keras (a subpackage covers all its modules).
LEVELS = (
    ("ops", ("ops", "registry")),  # pure functions; the generic Registry
    ("foundation", ("labels", "priors", "atomic", "locking", "determinism", "progress", "data")),
    ("layers", ("layers",)),
    ("losses and metrics", ("losses", "metrics", "callbacks")),
    ("tasks", ("tasks",)),  # what a network is for: inputs, head, outputs, data checks
    ("architectures", ("architectures",)),  # specs: graph, Fixed network, FLOPs
    ("models", ("models",)),
    ("applications", ("flops", "sweep", "training", "resumable", "export", "saving", "registration", "plots")),
    ("compatibility", ("vxm",)),  # VoxelMorph's namespaces over layers, losses and registration
    ("experiments", ("experiments",)),
    ("entry points", ("demo", "train_cli", "cli", "__main__")),
)


def module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def package_modules() -> dict:
    """`{module name: path}` of every module of the package."""
    return {module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def imports_of(name: str, path: pathlib.Path, modules: dict) -> set:
    """The package modules that module `name` imports (any statement, at any depth)."""
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in modules else target)
    return {m for m in found if m == PACKAGE or m.startswith(PACKAGE + ".")} - {name}


def import_graph() -> dict:
    modules = package_modules()
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def component(module: str) -> str:
    """The top-level module or subpackage of sshn_keras that `module` belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else PACKAGE


def level_of(module: str) -> int:
    comp = component(module)
    if comp == PACKAGE:
        return 0  # the package's own __init__ imports nothing
    for i, (_, members) in enumerate(LEVELS):
        if comp in members:
            return i
    raise KeyError(comp)


def find_cycle(graph: dict) -> list | None:
    """One cycle of `graph` as a list of nodes `[a, b, ..., a]`, or None."""
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def test_every_module_has_a_declared_level():
    undeclared = sorted({component(m) for m in package_modules()} - {PACKAGE} - {c for _, cs in LEVELS for c in cs})
    assert not undeclared, f"Declare the level of {undeclared} in LEVELS of tests/test_architecture.py"


def test_no_import_cycle_between_modules():
    cycle = find_cycle(import_graph())
    assert cycle is None, "Import cycle: " + " -> ".join(cycle)


def test_no_import_cycle_between_subpackages():
    graph = {}
    for a, targets in import_graph().items():
        for b in targets:
            if component(a) != component(b):
                graph.setdefault(component(a), set()).add(component(b))
    cycle = find_cycle(graph)
    assert cycle is None, "Import cycle between subpackages: " + " -> ".join(cycle)


def test_imports_flow_down_the_levels():
    upward = []
    for a, targets in sorted(import_graph().items()):
        for b in sorted(targets):
            if level_of(b) > level_of(a):
                upward.append(f"{a} ({LEVELS[level_of(a)][0]}) imports {b} ({LEVELS[level_of(b)][0]})")
    assert not upward, "Upward imports:\n" + "\n".join(upward)


def test_ops_import_nothing_else_from_the_package():
    outside = sorted(
        f"{a} imports {b}" for a, targets in import_graph().items() if component(a) == "ops"
        for b in targets if component(b) != "ops"
    )
    assert not outside, "sshn_keras.ops must only import sshn_keras.ops:\n" + "\n".join(outside)


def test_no_module_level_getattr():
    lazy = sorted(
        name for name, path in package_modules().items()
        if any(isinstance(n, ast.FunctionDef) and n.name == "__getattr__" for n in ast.parse(path.read_text()).body)
    )
    assert not lazy, f"Lazy module __getattr__ in {lazy}: import eagerly (imports flow one way, no cycle to hide)"


def test_the_checks_catch_what_they_should(tmp_path):
    """The cycle finder and the level rule report the offending edge."""
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
    assert level_of("sshn_keras.ops.warp") < level_of("sshn_keras.layers.spatial_transformer")
    assert level_of("sshn_keras.registration.graph") > level_of("sshn_keras.layers.vec_int")
    # an upward import, written as layers code importing registration, is found
    module = tmp_path / "sshn_keras" / "layers" / "bad.py"
    module.parent.mkdir(parents=True)
    module.write_text("def f():\n    from sshn_keras.registration import warp\n")
    modules = {"sshn_keras.registration": None, "sshn_keras.layers.bad": module}
    assert imports_of("sshn_keras.layers.bad", module, modules) == {"sshn_keras.registration"}


def test_every_module_imports():
    """Every module imports (`__main__` runs the CLI, so it is left out)."""
    for name in sorted(set(package_modules()) - {"sshn_keras.__main__"}):
        assert importlib.import_module(name).__name__ == name
