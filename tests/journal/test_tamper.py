"""Edits made behind the journal's back are refused, or caught by `cockpit verify`."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from cockpit.journal.store import Journal
from cockpit.model import Draft

from .conftest import RunCli

COLUMNS = "id, incident, version, ts, actor, kind, schema, data, context, prev_hash, hash"


async def _fill(path: Path, count: int = 6) -> None:
    async with await Journal.open(path) as journal:
        for i in range(count):
            await journal.append(
                Draft(
                    incident="INC-X",
                    kind="note.added",
                    actor="alice",
                    data={"type": "note", "text": f"note {i}"},
                )
            )


def _untriggered(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DROP TRIGGER events_no_update")
    conn.execute("DROP TRIGGER events_no_delete")
    return conn


def _assert_broken_at(run_cli: RunCli, path: Path, seq: int) -> str:
    result = run_cli("verify", "--journal", str(path))
    assert result.returncode == 1, result.stdout + result.stderr
    line = result.stdout.strip()
    assert line.startswith(f"chain broken at seq {seq}: "), line
    assert "Traceback" not in result.stderr
    return line


async def test_untouched_journal_verifies(db_path: Path, run_cli: RunCli) -> None:
    await _fill(db_path)
    result = run_cli("verify", "--journal", str(db_path))
    assert result.returncode == 0
    async with await Journal.open(db_path) as journal:
        seq, head = await journal.head()
        (last,) = await journal.events(after_seq=seq - 1)
    # the head's seq and time: a copy missing its tail shows an older head than expected
    assert result.stdout == f"ok: 6 events, head {head} (seq {seq}, {last.ts})\n"


async def test_edited_payload_is_named(db_path: Path, run_cli: RunCli) -> None:
    await _fill(db_path)
    with _untriggered(db_path) as conn:
        conn.execute(
            "UPDATE events SET data = ? WHERE seq = 3",
            ('{"text":"nothing happened","type":"note"}',),
        )
    line = _assert_broken_at(run_cli, db_path, 3)
    assert "edited" in line


async def test_edited_payload_with_recomputed_hash_breaks_the_next_link(
    db_path: Path, run_cli: RunCli
) -> None:
    from cockpit.journal.store import row_hash

    await _fill(db_path)
    with _untriggered(db_path) as conn:
        seq, id_, inc, ver, ts, actor, kind, schema, _, _ctx, prev, _ = conn.execute(
            "SELECT * FROM events WHERE seq = 3"
        ).fetchone()
        data = {"text": "nothing happened", "type": "note"}
        body = {"seq": seq, "id": id_, "incident": inc, "version": ver, "ts": ts, "actor": actor}
        body |= {"kind": kind, "schema": schema, "data": data, "context": {}}
        conn.execute(
            "UPDATE events SET data = ?, hash = ? WHERE seq = 3",
            ('{"text":"nothing happened","type":"note"}', row_hash(prev, body)),
        )
    _assert_broken_at(run_cli, db_path, 4)


async def test_deleted_middle_row_is_named(db_path: Path, run_cli: RunCli) -> None:
    await _fill(db_path)
    with _untriggered(db_path) as conn:
        conn.execute("DELETE FROM events WHERE seq = 4")
    line = _assert_broken_at(run_cli, db_path, 4)
    assert "missing" in line


async def test_swapped_rows_are_named(db_path: Path, run_cli: RunCli) -> None:
    await _fill(db_path)
    with _untriggered(db_path) as conn:
        two = conn.execute(f"SELECT {COLUMNS} FROM events WHERE seq = 2").fetchone()
        five = conn.execute(f"SELECT {COLUMNS} FROM events WHERE seq = 5").fetchone()
        assign = ", ".join(f"{c} = ?" for c in COLUMNS.split(", "))
        # park row 5 out of the way of the UNIQUE constraints, then swap the content
        conn.execute("UPDATE events SET id = 'parked', version = -1 WHERE seq = 5")
        conn.execute(f"UPDATE events SET {assign} WHERE seq = 2", five)
        conn.execute(f"UPDATE events SET {assign} WHERE seq = 5", two)
    _assert_broken_at(run_cli, db_path, 2)


async def test_update_and_delete_are_refused_by_triggers(
    db_path: Path, raw: Callable[[], sqlite3.Connection]
) -> None:
    await _fill(db_path)
    conn = raw()
    with pytest.raises(sqlite3.DatabaseError, match="UPDATE refused"):
        conn.execute("UPDATE events SET actor = 'mallory' WHERE seq = 2")
    with pytest.raises(sqlite3.DatabaseError, match="DELETE refused"):
        conn.execute("DELETE FROM events WHERE seq = 2")
    with pytest.raises(sqlite3.DatabaseError, match="DELETE refused"):
        conn.execute("DELETE FROM events")
    assert conn.execute("SELECT count(*), min(actor), max(actor) FROM events").fetchone() == (
        6,
        "alice",
        "alice",
    )
