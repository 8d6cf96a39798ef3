"""Journal benchmark: durable append latency vs raw sqlite3, and 100k-event export/verify.

Run: .venv/bin/python bench/journal.py [--appends N] [--paced N] [--events N] [--dir DIR]
Prints figures; not a test. Targets: journal append p50 <= 1.5x raw, back to back and paced
like typing (one append per 100 ms, both sides idle between them); export md, export jsonl
and verify of 100,000 events <= 2 s each. Also: reading an incident whole against reading only
the events after a snapshot (what load_state does once one exists). Redaction: what secret
scanning costs per append (redact on/off), and cockpit's rules against detect-secrets when it
is installed, on the same corpus (--redaction-only for just these figures).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._redaction import report as redaction_report
from cockpit.journal.export import render
from cockpit.journal.store import Journal
from cockpit.model import Draft, utc_now_iso, uuid7

INCIDENT = "INC-20261128-1905"


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _note(i: int) -> Draft:
    return Draft(
        incident=INCIDENT,
        kind="note.added",
        actor="alice",
        data={"type": "note", "text": f"checkout p99 is {i} ms after rev 42, rolling back"},
        context={"alerts": ["HighErrorRate"], "selection": "deploys"},
    )


PACE_S = 0.1  # typing: one append per 100 ms


class RawJournal:
    """The floor: same pragmas and transaction shape, no Python-side work per event."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None, timeout=10)
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = FULL")
        self.conn.execute(
            "CREATE TABLE events (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
            " incident TEXT NOT NULL, version INTEGER NOT NULL, ts TEXT NOT NULL,"
            " actor TEXT NOT NULL, kind TEXT NOT NULL, schema INTEGER NOT NULL,"
            " data TEXT NOT NULL, context TEXT NOT NULL, prev_hash TEXT NOT NULL,"
            " hash TEXT NOT NULL, UNIQUE (incident, version))"
        )
        self.data = json.dumps({"text": "checkout p99 is 1 ms after rev 42", "type": "note"})
        self.context = json.dumps({"alerts": ["HighErrorRate"], "selection": "deploys"})
        self.fake_hash = hashlib.sha256(b"x").hexdigest()

    def append(self) -> float:
        """One durable append; its duration."""
        conn = self.conn
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        seq, _, version = conn.execute(
            "SELECT (SELECT seq FROM events ORDER BY seq DESC LIMIT 1),"
            " (SELECT hash FROM events ORDER BY seq DESC LIMIT 1),"
            " (SELECT max(version) FROM events WHERE incident = ?)",
            (INCIDENT,),
        ).fetchone()
        conn.execute(
            "INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                *((seq or 0) + 1, uuid7(), INCIDENT, (version or 0) + 1, utc_now_iso(), "alice"),
                *("note.added", 2, self.data, self.context, self.fake_hash, self.fake_hash),
            ),
        )
        conn.execute("COMMIT")
        return time.perf_counter() - start

    def close(self) -> None:
        self.conn.close()


def raw_appends(path: Path, count: int, pace: float = 0.0) -> list[float]:
    """Raw appends after 50 to warm up, `pace` s idle before each."""
    raw = RawJournal(path)
    for _ in range(50):
        raw.append()
    samples = []
    for _ in range(count):
        if pace:
            time.sleep(pace)
        samples.append(raw.append())
    raw.close()
    return samples


async def paired_appends(base: Path, count: int, pace: float) -> tuple[list[float], list[float]]:
    """(raw, Journal) samples taken in turns, which one goes first alternating, `pace` s idle
    before each: on a shared machine the fsync time drifts several-fold within a minute, and
    separate runs turned that drift into the ratio. Each side has its own file."""
    raw = RawJournal(base / f"raw-{pace}.sqlite")
    raw_samples: list[float] = []
    ours: list[float] = []
    async with await Journal.open(base / f"journal-{pace}.sqlite") as journal:
        for i in range(50):  # warm up caches and the statement cache
            raw.append()
            await journal.append(_note(i))
        for i in range(2 * count):
            if pace:
                await asyncio.sleep(pace)
            if (i // 2 + i) % 2:  # Journal, raw, raw, Journal, Journal, raw, ...
                raw_samples.append(raw.append())
            else:
                draft = _note(i)
                start = time.perf_counter()
                await journal.append(draft)
                ours.append(time.perf_counter() - start)
    raw.close()
    return raw_samples, ours


async def fill(path: Path, count: int) -> float:
    start = time.perf_counter()
    async with await Journal.open(path) as journal:
        batch = 2000
        for first in range(0, count, batch):
            await journal.append_many([_note(i) for i in range(first, min(count, first + batch))])
    return time.perf_counter() - start


async def timed_exports(path: Path) -> dict[str, tuple[float, int]]:
    out: dict[str, tuple[float, int]] = {}
    async with await Journal.open(path, create=False) as journal:
        for fmt in ("md", "jsonl"):
            start = time.perf_counter()
            text = await render(journal, INCIDENT, fmt)
            out[f"export {fmt}"] = (time.perf_counter() - start, len(text))
        start = time.perf_counter()
        result = await journal.verify()
        assert result.ok, result.line()
        out["verify"] = (time.perf_counter() - start, result.count)
    return out


async def timed_reads(path: Path) -> dict[str, tuple[float, int]]:
    """events() of the whole incident vs after_version (a snapshot 100 events behind)."""
    out: dict[str, tuple[float, int]] = {}
    async with await Journal.open(path, create=False) as journal:
        head, _ = await journal.head()  # one incident: its last version is the last seq
        # the short read first: a collection after the 100k-event one would be timed with it
        for name, after in (("read after", head - 100), ("read all", 0)):
            start = time.perf_counter()
            count = len(await journal.events(INCIDENT, after_version=after))
            out[name] = (time.perf_counter() - start, count)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--appends", type=int, default=2000)
    parser.add_argument(
        "--paced", type=int, default=100, help=f"appends {PACE_S * 1e3:.0f} ms apart (0: none)"
    )
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--dir", type=Path, default=None, help="where to put the files")
    parser.add_argument(
        "--redaction-only", action="store_true", help="only the secret redaction figures"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(dir=args.dir, prefix="cockpit-bench-") as tmp:
        base = Path(tmp)
        print(f"files in {base} (python {sys.version.split()[0]}, sqlite {sqlite3.sqlite_version})")
        redaction_report(base, args.appends)
        if args.redaction_only:
            return
        print("durable append (WAL, synchronous=FULL, BEGIN IMMEDIATE), raw and Journal in turns:")
        for label, count, pace in (
            ("back to back", args.appends, 0.0),
            (f"one per {PACE_S * 1e3:.0f} ms", args.paced, PACE_S),
        ):
            if not count:
                continue
            raw, ours = asyncio.run(paired_appends(base, count, pace))
            print(f"  {label}, {count} samples:")
            for name, s in (("raw sqlite3", raw), ("Journal", ours)):
                p50, p99 = statistics.median(s), _pct(s, 0.99)
                print(f"    {name:12} p50 {p50 * 1e3:7.3f} ms   p99 {p99 * 1e3:7.3f} ms")
            ratio = statistics.median(ours) / statistics.median(raw)
            verdict = "ok" if ratio <= 1.5 else "MISSED"
            print(f"    ratio p50 Journal/raw = {ratio:.2f}x (target <= 1.5x: {verdict})")

        big = base / "big.sqlite"
        print(f"filled {args.events} events in {asyncio.run(fill(big, args.events)):.2f} s")
        for name, (seconds, size) in asyncio.run(timed_exports(big)).items():
            verdict = "ok" if seconds <= 2.0 else "MISSED"
            unit = "events" if name == "verify" else "bytes"
            print(f"  {name:12} {seconds:6.2f} s  ({size} {unit}; target <= 2 s: {verdict})")
        for name, (seconds, count) in asyncio.run(timed_reads(big)).items():
            print(f"  {name:12} {seconds * 1e3:7.1f} ms  ({count} events)")


if __name__ == "__main__":
    main()
