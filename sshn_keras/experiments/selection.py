"""Choosing phi from a sweep: accuracy tolerance, or a FLOPs / latency budget."""


def choose_phi(rows: list, tolerance: float | None = None, max_gflops: float | None = None, max_latency_ms: float | None = None) -> dict:
    """Pick one row of a sweep (see `sshn_keras.sweep.sweep_phi`).

    Exactly one criterion:

    * `tolerance`: the cheapest phi (fewest GFLOPs) whose Dice is within
      `tolerance` of the best Dice of the sweep;
    * `max_gflops` / `max_latency_ms`: the best Dice among phi that fit the
      budget (both may be given together).

    Returns:
        The chosen row (a dict with `phi`, `dice_mean`, `gflops`, ...).

    Raises:
        ValueError: for an empty sweep, no or conflicting criteria, a negative
            tolerance, or a budget no phi meets (the message gives the
            cheapest cost available).
    """
    if not rows:
        raise ValueError("The sweep is empty: nothing to choose from.")
    budgets = max_gflops is not None or max_latency_ms is not None
    if (tolerance is None) == (not budgets):
        raise ValueError("Give either `tolerance`, or `max_gflops` and/or `max_latency_ms` (exactly one kind).")
    if tolerance is not None:
        if not tolerance >= 0:
            raise ValueError(f"`tolerance` must be >= 0. Received tolerance={tolerance}")
        best = max(r["dice_mean"] for r in rows)
        ok = [r for r in rows if r["dice_mean"] >= best - tolerance]
        return min(ok, key=lambda r: (r["gflops"], r["phi"]))
    ok = [
        r
        for r in rows
        if (max_gflops is None or r["gflops"] <= max_gflops) and (max_latency_ms is None or r["latency_ms"] <= max_latency_ms)
    ]
    if not ok:
        cheapest = min(rows, key=lambda r: r["gflops"])
        fastest = min(rows, key=lambda r: r["latency_ms"])
        raise ValueError(
            f"No phi meets the budget (max_gflops={max_gflops}, max_latency_ms={max_latency_ms}); the cheapest "
            f"phi={cheapest['phi']} needs {cheapest['gflops']:.4f} GFLOPs, the fastest phi={fastest['phi']} "
            f"{fastest['latency_ms']:.2f} ms."
        )
    return max(ok, key=lambda r: (r["dice_mean"], -r["gflops"]))
