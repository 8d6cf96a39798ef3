"""Age-tick benchmark: what the 1 s refresh of "Since"/"Age" cells costs (issue 11 item 9).

Run: .venv/bin/python bench/ages.py [--rows N] [--ticks N]
Prints figures; not a test. Headless alerts pane with N alerts (ages under a minute, so every
row's cell changes on every tick: the worst case) and, for comparison, the same list pushed
again whole as a new snapshot would. Each sample: the call's wall time, and the CPU time of the
call plus the repaint it asks for. Target: a tick of 200 changing rows <= 5 ms of CPU, so once
a second costs < 0.5 % of a core.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from textual.app import App, ComposeResult

from cockpit.model import Alert, format_ts
from cockpit.panes.alerts import AlertsPane

T0 = 1_795_892_700.0
TARGET_MS = 5.0


class PaneApp(App[None]):
    def compose(self) -> ComposeResult:
        yield AlertsPane()


def alerts(count: int) -> tuple[Alert, ...]:
    return tuple(
        Alert(
            fingerprint=f"fp{i}",
            name=f"Alert{i}",
            severity=("critical", "warning", "info")[i % 3],
            state="firing",
            labels={"alertname": f"Alert{i}", "service": f"svc{i % 7}"},
            annotations={},
            starts_at=format_ts(datetime.fromtimestamp(T0 - (i % 50), UTC)),
        )
        for i in range(count)
    )


async def measure(rows: int, ticks: int) -> dict[str, list[float]]:
    """Per sample: wall ms of the call alone, and CPU ms of call + the repaint it caused
    (process time, less the CPU of an idle pause: the harness's own cost)."""
    app = PaneApp()
    out: dict[str, list[float]] = {"idle": [], "tick call": [], "tick cpu": []}
    out.update({"show call": [], "show cpu": []})
    async with app.run_test(size=(160, 60)) as pilot:
        pane = app.query_one(AlertsPane)
        listed = alerts(rows)
        pane.show(listed, T0)
        await pilot.pause()
        for _ in range(ticks):
            cpu = time.process_time()
            await pilot.pause()
            out["idle"].append((time.process_time() - cpu) * 1000)
        idle = statistics.median(out["idle"])
        for k in range(1, 2 * ticks + 1):
            name = "tick" if k <= ticks else "show"
            cpu, wall = time.process_time(), time.perf_counter()
            if name == "tick":
                pane.refresh_ages(T0 + k)  # what the 1 s timer does
            else:
                pane.show(listed, T0 + k)  # what a poll does: every row's cells rebuilt
            out[f"{name} call"].append((time.perf_counter() - wall) * 1000)
            await pilot.pause()  # the repaint it asked for
            out[f"{name} cpu"].append((time.process_time() - cpu) * 1000 - idle)
    return out


def line(name: str, samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"  {name:<28} median {statistics.median(samples):6.2f} ms   p99 {p99:6.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--ticks", type=int, default=100)
    args = parser.parse_args()
    out = asyncio.run(measure(args.rows, args.ticks))
    print(f"alerts pane, {args.rows} rows, every age changing, {args.ticks} ticks:")
    print(line("idle pause, cpu (subtracted)", out["idle"]))
    print(line("refresh_ages call", out["tick call"]))
    print(line("refresh_ages + repaint, cpu", out["tick cpu"]))
    print(line("show (new snapshot) call", out["show call"]))
    print(line("show + repaint, cpu", out["show cpu"]))
    verdict = "ok" if statistics.median(out["tick cpu"]) <= TARGET_MS else "MISSED"
    print(f"  target: tick median <= {TARGET_MS:g} ms: {verdict}")


if __name__ == "__main__":
    main()
