"""The WAL is part of the journal (issue 16, item 6).

A session may live entirely in the -wal file: a copy of the .sqlite alone made mid-session, or
a -wal lost before a crash, silently dropped every event since the last checkpoint while
`verify` said ok. The journal checkpoints every few hundred appends, when idle and at session
end, and `cockpit backup` copies a live journal consistently (SQLite's backup API).
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from cockpit.incident import IncidentController
from cockpit.journal import store
from cockpit.journal.rows import COLUMNS, verify_rows
from cockpit.journal.store import Journal
from cockpit.model import Draft
from cockpit.session import Session

from .conftest import RunCli

INCIDENT = "INC-WAL"


def _note(text: str) -> Draft:
    return Draft(
        incident=INCIDENT, kind="note.added", actor="alice", data={"type": "note", "text": text}
    )


def _main_file_alone(path: Path, where: Path) -> list[str]:
    """Copy only the .sqlite (as cp or a backup tool taking one file would), then read the
    events' texts from that copy with no -wal beside it."""
    where.mkdir()
    copy = where / path.name
    shutil.copyfile(path, copy)
    conn = sqlite3.connect(copy)
    try:
        rows = conn.execute("SELECT data FROM events ORDER BY seq").fetchall()
    except sqlite3.OperationalError:  # not even the schema reached the main file
        rows = []
    finally:
        conn.close()
    return [r[0] for r in rows]


async def test_a_copy_of_the_main_file_holds_an_idle_sessions_events(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    async with await Journal.open(path) as journal:
        journal.idle_checkpoint_s = 0.2
        for i in range(20):
            await journal.append(_note(f"n{i}"))
        await asyncio.sleep(0.6)  # idle: the journal checkpoints on its own
        assert len(_main_file_alone(path, tmp_path / "copy")) == 20


async def test_every_few_hundred_appends_reach_the_main_file(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    async with await Journal.open(path) as journal:
        journal.idle_checkpoint_s = 3600  # never idle here: only the count checkpoints
        for i in range(store.CHECKPOINT_EVERY + 50):
            await journal.append(_note(f"n{i}"))
        held = _main_file_alone(path, tmp_path / "copy")
        assert len(held) >= store.CHECKPOINT_EVERY


async def test_session_end_checkpoints(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    async with await Journal.open(path) as journal:
        journal.idle_checkpoint_s = 3600
        session = Session(journal=journal, incident=INCIDENT, operator="alice")
        controller = IncidentController(session)
        controller.start()
        controller.frame_shown()
        await controller.session_start_done.wait()
        for i in range(5):
            await journal.append(_note(f"n{i}"))
        await controller.end_session("quit")
        # the journal is still open (a second cockpit, say): the -wal is still there
        assert Path(str(path) + "-wal").exists()
        held = _main_file_alone(path, tmp_path / "copy")
        assert len(held) == 7 and '"reason":"quit"' in held[-1]
        await controller.close()


def _copy_verifies(copy: Path) -> tuple[int, bool]:
    assert not Path(str(copy) + "-wal").exists()  # the copy stands alone
    conn = sqlite3.connect(copy)
    try:
        result = verify_rows(conn.execute(f"SELECT {COLUMNS} FROM events ORDER BY seq"))
    finally:
        conn.close()
    return result.count, result.ok


async def test_backup_of_a_live_journal_holds_what_is_only_in_the_wal(
    tmp_path: Path, run_cli: RunCli
) -> None:
    path = tmp_path / "j.sqlite"
    async with await Journal.open(path) as journal:
        journal.idle_checkpoint_s = 3600
        for i in range(30):
            await journal.append(_note(f"n{i}"))
        assert _main_file_alone(path, tmp_path / "plain") == []  # all of it in the -wal
        result = await asyncio.to_thread(
            run_cli, "backup", "--journal", str(path), "-o", str(tmp_path / "b.sqlite")
        )
        assert result.returncode == 0, result.stderr
        _, head = await journal.head()
    assert result.stdout.startswith(f"ok: 30 events, head {head} (seq 30, ")
    assert result.stdout.rstrip().endswith(f"-> {tmp_path / 'b.sqlite'}")
    assert _copy_verifies(tmp_path / "b.sqlite") == (30, True)


def test_backup_default_name_and_private_mode(tmp_path: Path, run_cli: RunCli) -> None:
    path = tmp_path / "state" / "incidents.sqlite"
    assert run_cli("note", "hello", "--journal", str(path)).returncode == 0
    result = run_cli("backup", "--journal", str(path))
    assert result.returncode == 0, result.stderr
    (copy,) = tmp_path.glob("incidents-backup-*Z.sqlite")  # in the current folder
    assert copy.stat().st_mode & 0o777 == 0o600
    assert _copy_verifies(copy) == (1, True)
    assert not list(tmp_path.glob(".incidents-backup-*"))  # no temporary left behind


def test_backup_during_concurrent_writes(
    tmp_path: Path, run_cli: RunCli, writer_cmd: Callable[..., list[str]], env: dict[str, str]
) -> None:
    """A writer process appends as fast as it can; every backup taken meanwhile is a whole,
    verifying journal holding at least what the writer had reported before it started."""
    path = tmp_path / "j.sqlite"
    writer = subprocess.Popen(
        writer_cmd("stream", str(path), "w"), stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "ready"
        reported = 0
        counts = []
        for n in range(5):
            for _ in range(40):
                writer.stdout.readline()
                reported += 1
            copy = tmp_path / f"b{n}.sqlite"
            result = run_cli("backup", "--journal", str(path), "-o", str(copy))
            assert result.returncode == 0, result.stderr
            count, ok = _copy_verifies(copy)
            assert ok and count >= reported
            counts.append(count)
        assert counts == sorted(counts) and counts[-1] > counts[0]
    finally:
        writer.kill()
        writer.wait()


@pytest.mark.parametrize("case", ["missing", "empty", "itself"])
def test_backup_refusals_are_one_line(tmp_path: Path, run_cli: RunCli, case: str) -> None:
    path = tmp_path / "j.sqlite"
    if case == "empty":
        path.touch()
    elif case == "itself":
        assert run_cli("note", "hello", "--journal", str(path)).returncode == 0
    before = path.read_bytes() if path.exists() else None
    result = run_cli("backup", "--journal", str(path), "-o", str(path))
    assert result.returncode == {"missing": 2, "empty": 1, "itself": 2}[case], result.stderr
    (line,) = result.stderr.splitlines()
    needle = {"missing": "no journal at", "empty": "is empty", "itself": "is the journal itself"}
    assert line.startswith("cockpit: ") and needle[case] in line
    assert (path.read_bytes() if path.exists() else None) == before
