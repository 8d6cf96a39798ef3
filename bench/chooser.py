"""What the join-or-new chooser costs a plain `cockpit` start (issue 12 item 1).

Run: .venv/bin/python bench/chooser.py [--events N] [--incidents N]
Prints figures; not a test. A plain start reads the journal's active incidents
(cockpit/journal/active.py) in a thread while the app module loads; this measures that read
alone, on a journal of N events spread over M incidents of which the last few are active (one
of them long: most of the events), against an empty or missing journal (no read at all).
Target: well under the ~100 ms the app import takes, so the read hides behind it.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cockpit.journal.active import active_incidents
from cockpit.journal.store import Journal
from cockpit.model import Draft, format_ts


async def _fill(path: Path, events: int, incidents: int) -> None:
    now = datetime.now(UTC)
    drafts: list[Draft] = []
    old = incidents - 3  # resolved, two days ago
    per_old = max(1, events // 10 // max(old, 1))
    for i in range(old):
        ts = format_ts(now - timedelta(days=2, minutes=i))
        inc = f"INC-OLD-{i:04d}"
        drafts += [
            Draft(inc, "note.added", "a", {"type": "note", "text": f"n{j}"}, ts=ts)
            for j in range(per_old)
        ]
        drafts.append(Draft(inc, "status.changed", "a", {"status": "resolved"}, ts=ts))
    live = events - len(drafts)
    for k in range(3):  # active: the first one holds most of the events (system changes)
        inc = f"INC-LIVE-{k}"
        n = live * 8 // 10 if k == 0 else live // 10
        ts = format_ts(now - timedelta(minutes=30 - k))
        drafts.append(Draft(inc, "session.started", "a", {"mode": "live", "session": f"s{k}"}))
        drafts.append(Draft(inc, "incident.declared", "a", {"title": f"incident {k}"}, ts=ts))
        drafts += [
            Draft(inc, "system.k8s.warning", "k8s", {"reason": "R", "object": f"Pod/p{j}"}, ts=ts)
            for j in range(n)
        ]
    async with await Journal.open(path) as journal:
        for start in range(0, len(drafts), 5000):
            await journal.append_many(drafts[start : start + 5000])


def _time(path: Path, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        found = active_incidents(path)
        samples.append(time.perf_counter() - started)
    assert path.stat().st_size == 0 or found, "the filled journal should have active incidents"
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--incidents", type=int, default=50)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cockpit-bench-chooser-") as tmp:
        empty = Path(tmp) / "empty.sqlite"
        empty.touch()
        full = Path(tmp) / "full.sqlite"
        asyncio.run(_fill(full, args.events, args.incidents))
        print(f"active_incidents(), {args.runs} runs each:")
        for name, path in (("empty journal", empty), (f"{args.events} events", full)):
            s = _time(path, args.runs)
            print(
                f"  {name:16} p50 {statistics.median(s) * 1e3:7.1f} ms   max {max(s) * 1e3:7.1f} ms"
            )


if __name__ == "__main__":
    main()
