"""pytest plugin: `--cpu-durations N` reports the CPU time each test and each file costs.

Wall-clock durations mean little on a shared machine; CPU time does not depend on what else runs.
Each test's cost is the process CPU time (``time.process_time``) plus the CPU time of child processes
that ended meanwhile (``resource.getrusage(RUSAGE_CHILDREN)``: notebook kernels, subprocesses), from the
start of its setup to the end of its teardown, so module-scoped fixtures count for the test that first
(or last) uses them. Under pytest-xdist every worker attaches its numbers to its test reports and the
controller adds them up; the worker that ran each test is recorded, so the table also shows each worker's
sum (the wall time of the run on idle cores, about).

Usage::

    python -m pytest -n 2 --dist loadfile --cpu-durations 20          # top 20 tests, every file
    python -m pytest ... --cpu-durations 0 --cpu-durations-json cpu.json  # all tests, and a JSON dump
    python -m pytest ... --cpu-durations 20 --cpu-durations-log cpu.jsonl  # a line per test as it ends

Registered by tests/conftest.py.
"""

import collections
import json
import resource
import time

import pytest

_KEY = "cpu_s"
_STARTUP_KEY = "cpu_startup_s"


def _cpu_now():
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def pytest_addoption(parser):
    group = parser.getgroup("cpu-durations")
    group.addoption("--cpu-durations", type=int, default=None, metavar="N",
                    help="report CPU seconds per file and the N most expensive tests (0: all tests)")
    group.addoption("--cpu-durations-json", default=None, metavar="PATH",
                    help="with --cpu-durations: also write per-test and per-file CPU seconds as JSON")
    group.addoption("--cpu-durations-log", default=None, metavar="PATH",
                    help="with --cpu-durations: append a JSON line per finished test (readable during the run)")


class CpuDurations:
    def __init__(self, config):
        self.config = config
        self.mark = None
        self.startup_sent = False
        self.tests = collections.defaultdict(float)  # nodeid -> CPU s
        self.worker_of = {}  # nodeid -> worker id
        self.startup = {}  # worker id -> CPU s before its first test (imports, collection)

    # Worker side (or the only process): measure.
    @pytest.hookimpl(hookwrapper=True, tryfirst=True)
    def pytest_runtest_protocol(self, item):
        self.mark = _cpu_now()
        yield

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        now = _cpu_now()
        report.user_properties = list(report.user_properties) + [(_KEY, now - self.mark)]
        if not self.startup_sent:
            report.user_properties.append((_STARTUP_KEY, self.mark))
            self.startup_sent = True
        self.mark = now

    # Controller side (or the only process): collect.
    def pytest_runtest_logreport(self, report):
        if hasattr(self.config, "workerinput"):  # an xdist worker: the controller collects
            return
        node = getattr(report, "node", None)
        worker = node.gateway.id if node is not None else "main"
        for key, value in report.user_properties:
            if key == _KEY:
                self.tests[report.nodeid] += value
                self.worker_of[report.nodeid] = worker
            elif key == _STARTUP_KEY:
                self.startup[worker] = self.startup.get(worker, 0.0) + value
        log = self.config.getoption("--cpu-durations-log")
        if log and report.when == "teardown" and report.nodeid in self.tests:
            with open(log, "a") as f:
                f.write(json.dumps({"test": report.nodeid, "cpu_s": round(self.tests[report.nodeid], 3),
                                    "worker": worker}) + "\n")

    def pytest_terminal_summary(self, terminalreporter):
        if not self.tests:
            return
        files = collections.defaultdict(float)
        file_worker = {}
        workers = collections.defaultdict(float)
        for nodeid, cpu in self.tests.items():
            path = nodeid.split("::")[0]
            files[path] += cpu
            file_worker.setdefault(path, set()).add(self.worker_of[nodeid])
            workers[self.worker_of[nodeid]] += cpu
        for worker, cpu in self.startup.items():
            workers[worker] += cpu
        total = sum(files.values())
        startup = sum(self.startup.values())
        count = self.config.getoption("--cpu-durations")
        tw = terminalreporter
        tw.write_sep("=", "CPU seconds per file (process + finished children)")
        for path, cpu in sorted(files.items(), key=lambda kv: -kv[1]):
            tw.write_line(f"{cpu:9.1f}  {path}  [{','.join(sorted(file_worker[path]))}]")
        tw.write_line(f"{total:9.1f}  total over {len(files)} files, {len(self.tests)} tests")
        tw.write_line(f"{startup:9.1f}  worker start-up (imports, collection), all workers")
        tw.write_line("per worker (tests + start-up): " + ", ".join(
            f"{w} {cpu:.1f}" for w, cpu in sorted(workers.items())))
        ranked = sorted(self.tests.items(), key=lambda kv: -kv[1])
        if count:
            ranked = ranked[:count]
        tw.write_sep("=", f"CPU seconds per test (top {len(ranked)})")
        for nodeid, cpu in ranked:
            tw.write_line(f"{cpu:9.2f}  {nodeid}")
        path = self.config.getoption("--cpu-durations-json")
        if path:
            with open(path, "w") as f:
                json.dump({"tests": dict(self.tests), "files": dict(files), "workers": dict(workers),
                           "startup": self.startup, "worker_of": self.worker_of}, f, indent=1, sort_keys=True)
            tw.write_line(f"wrote {path}")


def pytest_configure(config):
    if config.getoption("--cpu-durations") is not None:
        config.pluginmanager.register(CpuDurations(config), "cpu_durations_plugin")
