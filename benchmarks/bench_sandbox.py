"""Benchmark: the order-book sandbox -- simulated flow, user actions, one widget update.

A script, not a test: ``uv run python benchmarks/bench_sandbox.py [events] [repeats]`` (default
20,000 events, 3 repeats; best of the repeats). Rows:

- ``Sandbox.step(events)`` on the balanced scenario (order-level matching with ids and price-time
  queues, queue-reactive intensities from the live book, one history row per event) against the
  reference ``datasets.simulate(n_events=events)``, the aggregated-queue model it follows (no order
  ids, no user orders): the ratio is what the order identities cost per event;
- 100 user actions (place, cancel, market in turn) with the read-outs after each, on a fresh
  sandbox and after ``events`` events of history (the read-outs read the whole history: OFI sums
  every row);
- one ``OrderBookSandbox`` refresh (ladder frame, read-outs, sparkline buffers) after ``events``
  events, the Python work behind each click.
"""

from __future__ import annotations

import sys
import time

from obi_widgets import datasets
from obi_widgets.sandbox import Sandbox


def best(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def actions(sb: Sandbox) -> None:
    bb = sb.readouts.best_bid
    for i in range(100):
        kind = i % 3
        if kind == 0:
            oid = sb.place("bid", bb - 0.01 * (i % 5), 100)
        elif kind == 1:
            sb.cancel(oid)  # placed on the step before
        else:
            sb.market("buy" if i % 2 else "sell", 50)
        _ = sb.readouts


def main(events: int = 20_000, repeats: int = 3) -> None:
    _ = Sandbox(scenario="balanced").readouts  # the micro-price model's fit and numba's compilation, once
    rows = []
    t_sb = best(lambda: Sandbox(scenario="balanced", seed=1).step(events), repeats)
    t_ref = best(lambda: datasets.simulate(seed=1, n_events=events), repeats)
    rows.append((f"step({events:,})", f"simulate({events:,}) {t_ref * 1e3:.0f} ms", t_sb, t_sb / t_ref))
    t_fresh = best(lambda: actions(Sandbox(scenario="balanced", seed=1)), repeats)
    rows.append(("100 actions + read-outs, fresh", "", t_fresh, None))

    def long_session():
        sb = Sandbox(scenario="balanced", seed=1)
        sb.step(events)
        return sb

    sb = long_session()
    t_long = best(lambda: actions(sb), repeats)
    rows.append((f"100 actions + read-outs, {len(sb.history.book):,} rows", "", t_long, None))
    import obi_widgets as ow

    w = ow.OrderBookSandbox(scenario="balanced", seed=1)
    w.sandbox.step(events)
    t_refresh = best(w._refresh, repeats * 3)
    rows.append((f"widget refresh at {len(w.history.book):,} rows", "", t_refresh, None))
    print(f"{'what':42} {'reference':26} {'time':>10} {'ratio':>7}")
    for what, ref, t, ratio in rows:
        r = "" if ratio is None else f"{ratio:.2f}x"
        print(f"{what:42} {ref:26} {t * 1e3:8.1f} ms {r:>7}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
