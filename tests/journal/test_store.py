"""The SQLite store's own concerns: its file, its modes, what it says about a wrong one.

What every backend must do (appends, versions, idempotency, reads) is in contract.py.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from cockpit.journal.store import Journal, JournalError
from cockpit.model import Draft


def _note(text: str, incident: str = "INC-S", **kw: object) -> Draft:
    return Draft(
        incident=incident,
        kind="note.added",
        actor="alice",
        data={"type": "note", "text": text},
        **kw,  # type: ignore[arg-type]
    )


async def test_file_and_directory_modes(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "dir" / "journal.sqlite"
    old = os.umask(0o022)
    try:
        async with await Journal.open(path) as journal:
            await journal.append(_note("x"))
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    for side in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if side.exists():
            assert stat.S_IMODE(side.stat().st_mode) == 0o600


async def test_missing_journal_without_create(tmp_path: Path) -> None:
    with pytest.raises(JournalError, match="no journal at"):
        await Journal.open(tmp_path / "nope.sqlite", create=False)
    assert not (tmp_path / "nope.sqlite").exists()


async def test_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("just some text, definitely not SQLite\n" * 100)
    with pytest.raises(JournalError, match="not a cockpit journal"):
        await Journal.open(path)


async def test_read_only_file_says_so(db_path: Path) -> None:
    async with await Journal.open(db_path) as journal:
        await journal.append(_note("x"))
    if os.geteuid() == 0:
        pytest.skip("root can write a read-only file")
    db_path.chmod(0o400)
    try:
        async with await Journal.open(db_path) as journal:
            with pytest.raises(JournalError, match="cannot be written"):
                await journal.append(_note("y"))
    except JournalError as exc:  # refusing at open is fine too
        assert "journal" in str(exc)
    finally:
        db_path.chmod(0o600)
