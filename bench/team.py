"""Team journal benchmark, on a private PostgreSQL 15 cluster started for the run.

Run: .venv/bin/python bench/team.py [--notes N] [--appends N]
Prints figures; not a test. Figures (issue 13):
- commit on one cockpit -> in the other cockpit's local journal (what its timeline tails),
  p50/p99 over 200 notes (target p99 <= 1 s on loopback);
- push throughput with 4 writers (4 local journals syncing at once);
- catch-up after 10 minutes offline with 1,000 queued events (push, then the other pulls);
- durable local append with the sync task running vs raw sqlite3 (target p50 <= 1.5x): the
  sync must stay off the keystroke path.
Both cockpits run in this one process (one event loop): the latency includes sharing it.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg

from bench.journal import _note, _pct, raw_appends
from cockpit.journal.postgres import schema_sql
from cockpit.journal.store import Journal
from cockpit.journal.sync import TeamSync
from cockpit.journal.sync_thread import SyncThread
from cockpit.model import Draft
from tests.team import pgcluster


def _ms(x: float) -> str:
    return f"{x * 1000:.1f} ms"


def _database(c: pgcluster.Cluster) -> str:
    db = c.new_database()
    with psycopg.connect(c.url(db), autocommit=True) as conn:
        conn.execute(schema_sql(pgcluster.COCKPIT_ROLE))  # type: ignore[arg-type]
    return c.cockpit_url(db)


async def latency(url: str, tmp: Path, notes: int) -> list[float]:
    a = await Journal.open(tmp / "lat-a.sqlite")
    b = await Journal.open(tmp / "lat-b.sqlite")
    sa, sb = TeamSync(a, url), TeamSync(b, url)
    tasks = [asyncio.create_task(s.run()) for s in (sa, sb)]
    seen: dict[str, float] = {}
    arrived = asyncio.Event()

    async def watch() -> None:
        async for event in b.tail((await b.head())[0], poll=0.05):
            seen[event.id] = time.perf_counter()
            arrived.set()

    watcher = asyncio.create_task(watch())
    samples = []
    try:
        while not (sa.status.online and sb.status.online):
            await asyncio.sleep(0.05)
        for i in range(notes + 10):
            draft = _note(i)
            await a.append(draft)
            committed = time.perf_counter()
            while draft.id not in seen:
                arrived.clear()
                await asyncio.wait_for(arrived.wait(), 10)
            if i >= 10:
                samples.append(seen[draft.id] - committed)
            await asyncio.sleep(0.1)  # fast typing, not a flood
    finally:
        for t in [*tasks, watcher]:
            t.cancel()
        await asyncio.gather(*tasks, watcher, return_exceptions=True)
        for s in (sa, sb):
            await s.close()
        await a.close()
        await b.close()
    return samples


async def push_throughput(url: str, tmp: Path, writers: int, each: int) -> tuple[float, int]:
    journals = [await Journal.open(tmp / f"push-{n}.sqlite") for n in range(writers)]
    for n, j in enumerate(journals):
        await j.append_many(
            [
                Draft(f"INC-W{n}", "note.added", f"w{n}", {"type": "note", "text": f"{i}"})
                for i in range(each)
            ]
        )
    syncs = [TeamSync(j, url) for j in journals]
    for s in syncs:
        await s.connect()
    start = time.perf_counter()
    await asyncio.gather(*(s._push(s.team) for s in syncs))  # type: ignore[arg-type]
    took = time.perf_counter() - start
    for s in syncs:
        await s.close()
    for j in journals:
        await j.close()
    return took, writers * each


async def catch_up(url: str, tmp: Path, queued: int) -> tuple[float, float]:
    a = await Journal.open(tmp / "off-a.sqlite")
    b = await Journal.open(tmp / "off-b.sqlite")
    # typed over 10 minutes while the team store was away: times spread over that span
    t0 = time.time() - 600
    drafts = []
    for i in range(queued):
        ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t0 + i * 0.6)) + ".000Z"
        text = {"type": "note", "text": f"offline {i}"}
        drafts.append(Draft("INC-OFF", "note.added", "alice", text, ts=ts))
    for d in drafts:
        await a.append(d)  # one by one, as typed
    sa, sb = TeamSync(a, url), TeamSync(b, url)
    start = time.perf_counter()
    await sa.sync_once()
    pushed = time.perf_counter() - start
    start = time.perf_counter()
    await sb.sync_once()
    pulled = time.perf_counter() - start
    assert len(await b.events("INC-OFF")) == queued
    for s in (sa, sb):
        await s.close()
    await a.close()
    await b.close()
    return pushed, pulled


async def appends(path: Path, count: int, pace: float, url: str | None) -> list[float]:
    """Durable appends, `pace` s apart, with the cockpit's sync running (SyncThread, as the
    live cockpit) when `url` is given."""
    async with await Journal.open(path) as j:
        sync = SyncThread(path, url) if url else None
        if sync is not None:
            sync.start()
        try:
            # measured once connected (its login, SCRAM, costs CPU) and its LISTEN is up
            while sync is not None and not sync.status.online:
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.5)
            for i in range(50):
                await j.append(_note(i))
            samples = []
            for i in range(count):
                draft = _note(i)
                start = time.perf_counter()
                await j.append(draft)
                samples.append(time.perf_counter() - start)
                if pace:
                    await asyncio.sleep(pace)  # typed, not pasted
        finally:
            if sync is not None:
                await asyncio.to_thread(sync.stop)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notes", type=int, default=200)
    parser.add_argument("--appends", type=int, default=2000)
    args = parser.parse_args()
    if (reason := pgcluster.available()) is not None:
        sys.exit(f"cannot run: {reason}")
    with pgcluster.cluster() as c, tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        print(f"PostgreSQL 15 on 127.0.0.1:{c.port} (fsync=off), psycopg {psycopg.__version__}")

        lat = asyncio.run(latency(_database(c), tmp, args.notes))
        print(f"commit -> other cockpit's journal, {len(lat)} notes:")
        print(f"  p50 {_ms(_pct(lat, 0.5))}  p99 {_ms(_pct(lat, 0.99))}  max {_ms(max(lat))}")
        verdict = "ok" if _pct(lat, 0.99) <= 1.0 else "MISSED"
        print(f"  target p99 <= 1 s: {verdict}")

        took, n = asyncio.run(push_throughput(_database(c), tmp, 4, 1000))
        print(f"push throughput, 4 writers x 1000 queued: {n / took:,.0f} events/s ({took:.2f} s)")

        pushed, pulled = asyncio.run(catch_up(_database(c), tmp, 1000))
        print(
            f"catch-up after 10 min offline, 1,000 queued: push {pushed:.2f} s,"
            f" the other cockpit's pull {pulled:.2f} s"
        )

        print(f"durable local append p50, {args.appends} each (synchronous=FULL):")
        for label, pace in (("back to back", 0.0), ("one per 100 ms (typing)", 0.1)):
            n = args.appends if not pace else min(args.appends, 100)
            raw = statistics.median(raw_appends(tmp / f"raw-{pace}.sqlite", n, pace))
            plain = statistics.median(asyncio.run(appends(tmp / f"p-{pace}.sqlite", n, pace, None)))
            url = _database(c)
            synced = statistics.median(asyncio.run(appends(tmp / f"s-{pace}.sqlite", n, pace, url)))
            ratio = synced / raw
            print(
                f"  {label}: raw sqlite3 {_ms(raw)}, Journal {_ms(plain)} ({plain / raw:.2f}x),"
                f" Journal + sync {_ms(synced)} ({ratio:.2f}x raw, {synced / plain:.2f}x Journal;"
                f" target <= 1.5x raw: {'ok' if ratio <= 1.5 else 'MISSED'})"
            )


if __name__ == "__main__":
    main()
