"""md/html export of a 100k-event team incident: without team receipts (a journal that never
synced) and with a receipt for every event (one in 100 late, one actor's events inserted by
another role), so the "Team record" costs can be read off against the plain export.

Prints figures; not a test. Run: .venv/bin/python bench/export_team.py [COUNT] [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cockpit.journal.export import render
from cockpit.journal.store import Journal
from cockpit.model import Draft, format_ts

INCIDENT = "INC-20261128-1905"
START = datetime(2026, 11, 28, 19, 5, tzinfo=UTC)


def _event(i: int) -> Draft:
    ts = format_ts(START + timedelta(milliseconds=250 * i))
    actor = ("alice", "bob", "carol")[i % 3]
    data = {"type": "note", "text": f"checkout p99 is {i} ms after rev 42."}
    return Draft(INCIDENT, "note.added", actor, data, {"metrics": {"p99": 0.25}}, ts=ts)


def _receipts(journal: Path) -> int:
    """A receipt for every event, as the sync stores them: one in 100 reached the team store
    a minute late; carol's events were inserted by role bob."""
    from cockpit.journal.receipts import Receipt, ensure_table, side_file_of, store

    with sqlite3.connect(journal) as src:
        rows = src.execute("SELECT id, ts, actor FROM events ORDER BY seq").fetchall()
    arrival = sorted(
        range(len(rows)), key=lambda i: i + (240 if i % 100 == 50 else 0)
    )  # 240 events of 250 ms: a minute
    conn = sqlite3.connect(side_file_of(journal), isolation_level=None)
    ensure_table(conn)
    receipts = [
        Receipt(
            rows[i][0],
            INCIDENT,
            seq,
            rows[i][1],
            "bob" if rows[i][2] == "carol" else rows[i][2],
            rows[i][1],
        )
        for seq, i in enumerate(arrival, start=1)
    ]
    store(conn, "postgresql://bench@db/incidents", receipts)
    conn.close()
    return len(receipts)


async def _export(path: Path, fmt: str) -> tuple[float, int]:
    async with await Journal.open(path, create=False) as journal:
        start = time.perf_counter()
        text = await render(journal, INCIDENT, fmt)
        return time.perf_counter() - start, len(text)


async def main(count: int, runs: int, formats: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "j.sqlite")
        async with await Journal.open(path) as journal:
            for first in range(0, count, 2000):
                await journal.append_many(
                    [_event(i) for i in range(first, min(count, first + 2000))]
                )
        print(f"{count} events of {INCIDENT}")
        for label in ("no receipts", "receipts for every event"):
            if label != "no receipts":
                _receipts(path)
            for fmt in formats:
                times = []
                for _ in range(runs):
                    took, size = await _export(path, fmt)
                    times.append(took)
                shown = ", ".join(f"{t:.2f}" for t in times)
                print(f"  export {fmt:<4} {label:<26} {shown} s  ({size / 1e6:.1f} MB)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("count", nargs="?", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--formats", default="md,html")
    args = parser.parse_args()
    asyncio.run(main(args.count, args.runs, args.formats.split(",")))
