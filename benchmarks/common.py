"""Helpers shared by the benchmark scripts: interleaved timing and environment info."""

import argparse
import os
import platform
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import tensorflow as tf  # noqa: E402


def device_name() -> str:
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        return f"GPU ({', '.join(tf.config.experimental.get_device_details(g).get('device_name', g.name) for g in gpus)})"
    return f"CPU ({platform.processor() or platform.machine()}, {os.cpu_count()} cores)"


def interleaved_times(fns: dict, rounds: int = 5, reps: int = 5, warmup: int = 2) -> dict:
    """Median seconds per call of each function, timed in alternating rounds.

    Machines are noisy: alternating A, B, A, B... spreads any slow period
    over every candidate, so the printed ratios are fair.
    """
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    samples = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            start = time.perf_counter()
            for _ in range(reps):
                fn()
            samples[name].append((time.perf_counter() - start) / reps)
    return {name: statistics.median(v) for name, v in samples.items()}


def benchmark_parser(description: str, size=(128, 128), batch: int = 8, rounds: int | None = 5,
                     reps: int | None = 3) -> argparse.ArgumentParser:
    """The arguments every timing script takes: `--size H W`, `--batch`, and `--rounds` / `--reps` of
    `interleaved_times` (left out when None); add the script's own on the returned parser."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--size", type=int, nargs=2, default=tuple(size), help="image height and width")
    parser.add_argument("--batch", type=int, default=batch, help="batch size")
    if rounds is not None:
        parser.add_argument("--rounds", type=int, default=rounds, help="alternating timing rounds")
    if reps is not None:
        parser.add_argument("--reps", type=int, default=reps, help="calls per round")
    return parser


def seeded_rng(seed: int = 0):
    """Seed Keras (weights, phi draws) and return a numpy generator with the same seed (the inputs)."""
    import keras
    import numpy as np

    keras.utils.set_random_seed(seed)
    return np.random.default_rng(seed)
