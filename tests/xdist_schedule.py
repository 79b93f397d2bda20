"""pytest plugin: spread the suite over pytest-xdist workers so that they finish together.

`make test` runs ``pytest -n 2 --dist loadgroup --no-loadscope-reorder``. With this plugin (registered by
tests/conftest.py) and ``--dist loadgroup``:

* every test is grouped with the rest of its file, so a module-scoped fixture (a model trained once for many
  tests) is built on one worker only, as with ``--dist loadfile``;
* a test marked ``independent`` (it shares nothing with its file: a notebook run, the demo's full training) is a
  group of its own, so the expensive ones of one file can run on different workers;
* expensive work is sent first (the longest jobs first keeps the workers' loads even): independent tests, then
  files with ``slow`` tests (the most first), then the rest (the most tests first, as xdist would order them).

Without ``--dist loadgroup`` (a plain ``pytest`` run, or ``--dist loadfile``) nothing changes.
"""

import pytest


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "independent: shares no fixture with its file's other tests; pytest-xdist may run it on any worker")


def _loadgroup(config) -> bool:
    # On a worker `--dist` reads "no": xdist passes `--dist loadgroup` to its workers as the `loadgroup` option.
    return config.pluginmanager.hasplugin("xdist") and (
        config.getoption("dist", "no") == "loadgroup" or bool(getattr(config.option, "loadgroup", False)))


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook turns `xdist_group` marks into the nodeid's "@group"
def pytest_collection_modifyitems(config, items):
    if not _loadgroup(config):
        return
    slow, count = {}, {}
    for item in items:
        path = item.nodeid.split("::", 1)[0]
        count[path] = count.get(path, 0) + 1
        slow[path] = slow.get(path, 0) + (item.get_closest_marker("slow") is not None)
        if item.get_closest_marker("independent") is None:
            item.add_marker(pytest.mark.xdist_group(path))

    def cost(item):
        path = item.nodeid.split("::", 1)[0]
        alone = item.get_closest_marker("independent") is not None
        return (not alone, -slow[path], -count[path], path)

    items.sort(key=cost)  # stable: a file's tests keep their order
