"""Several OS processes on one journal file: no lost, forked or refused appends."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sqlite3
import subprocess
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from cockpit.journal.store import Journal
from cockpit.model import Draft

from .conftest import rows


def _start(cmd: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        cmd,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_two_processes_append_concurrently(
    db_path: Path, env: dict[str, str], writer_cmd: Callable[..., list[str]]
) -> None:
    # both processes open a file that does not exist yet, released by one barrier
    procs = [_start(writer_cmd("bulk", str(db_path), name, "1000"), env) for name in "AB"]
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    results = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, results, strict=True):
        assert err == "", err
        assert "database is locked" not in out + err
        assert p.returncode == 0
        assert out.strip() == "done"

    table = rows(db_path)
    assert len(table) == 2000
    assert [r[0] for r in table] == list(range(1, 2001))
    versions: dict[str, list[int]] = defaultdict(list)
    for r in table:
        versions[r[2]].append(r[3])
    assert set(versions) == {"INC-SHARED", "INC-A", "INC-B"}
    assert len(versions["INC-SHARED"]) == 1000
    for incident, seen in versions.items():
        assert seen == list(range(1, len(seen) + 1)), f"gap or fork in {incident}"
    # the two writers really interleaved on the shared incident
    actors = [r[5] for r in table if r[2] == "INC-SHARED"]
    assert set(actors) == {"A", "B"}

    async def check() -> None:
        async with await Journal.open(db_path, create=False) as journal:
            result = await journal.verify()
            assert result.ok, result.line()
            assert result.count == 2000

    asyncio.run(check())


def test_sigkill_mid_stream_loses_no_committed_event(
    db_path: Path, env: dict[str, str], writer_cmd: Callable[..., list[str]]
) -> None:
    rng = random.Random(20261128)
    reported: list[str] = []
    started = time.monotonic()
    for round_no in range(20):
        proc = _start(writer_cmd("stream", str(db_path), f"K{round_no}"), env)
        assert proc.stdout is not None
        assert proc.stdout.readline() == "ready\n", proc.stderr.read() if proc.stderr else ""
        time.sleep(rng.uniform(0.0, 0.15))
        os.kill(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate(timeout=10)
        assert proc.returncode == -signal.SIGKILL
        # only whole lines: the id was printed after append() returned
        ids = [line for line in out.split("\n")[:-1] if line]
        reported += ids

        conn = sqlite3.connect(db_path)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            stored = {r[0] for r in conn.execute("SELECT id FROM events")}
        finally:
            conn.close()
        missing = [i for i in reported if i not in stored]
        assert not missing, f"round {round_no}: committed ids lost: {missing[:3]}"

    assert len(reported) > 20, "the writer never got to append: the test proves nothing"
    assert time.monotonic() - started < 30

    async def check() -> None:
        async with await Journal.open(db_path, create=False) as journal:
            result = await journal.verify()
            assert result.ok, result.line()
            assert result.count >= len(reported)

    asyncio.run(check())


async def _tail_into(journal: Journal, queue: asyncio.Queue[tuple[str, float]]) -> None:
    async for event in journal.tail():
        await queue.put((event.id, time.monotonic()))


async def test_tail_sees_other_process_within_250ms(
    db_path: Path, env: dict[str, str], writer_cmd: Callable[..., list[str]]
) -> None:
    async with await Journal.open(db_path) as journal:
        await journal.append(
            Draft(incident="INC-T", kind="incident.declared", actor="me", data={"title": "t"})
        )
        # two tails on one Journal: each must see the other process's event
        queues: list[asyncio.Queue[tuple[str, float]]] = [asyncio.Queue(), asyncio.Queue()]
        tasks = [asyncio.create_task(_tail_into(journal, q)) for q in queues]
        proc = await asyncio.create_subprocess_exec(
            *writer_cmd("on-go", str(db_path), "T"),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
        )
        assert proc.stdin is not None and proc.stdout is not None
        try:
            assert await asyncio.wait_for(proc.stdout.readline(), 10) == b"ready\n"
            for q in queues:  # the declared event, appended by this process
                first, _ = await asyncio.wait_for(q.get(), 2)
            latencies = []
            for _ in range(5):
                await asyncio.sleep(0.13)  # land at different points of the poll cycle
                sent = time.monotonic()
                proc.stdin.write(b"go\n")
                await proc.stdin.drain()
                written = (await asyncio.wait_for(proc.stdout.readline(), 10)).decode().strip()
                for q in queues:
                    seen, at = await asyncio.wait_for(q.get(), 2)
                    assert seen == written
                    latencies.append(at - sent)
            assert max(latencies) < 0.25, latencies
        finally:
            proc.stdin.close()
            await asyncio.wait_for(proc.wait(), 10)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        assert first != written
        err = await proc.stderr.read() if proc.stderr else b""
        assert proc.returncode == 0, err
