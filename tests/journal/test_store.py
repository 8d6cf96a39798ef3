"""Append semantics of the store: idempotency, optimistic concurrency, schemas, unknown kinds."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from cockpit.journal.events import PayloadError
from cockpit.journal.export import render
from cockpit.journal.store import Journal, JournalError, VersionConflict
from cockpit.model import Draft

from .conftest import rows


def _note(text: str, incident: str = "INC-S", **kw: object) -> Draft:
    return Draft(
        incident=incident,
        kind="note.added",
        actor="alice",
        data={"type": "note", "text": text},
        **kw,  # type: ignore[arg-type]
    )


async def test_append_assigns_seq_version_and_chain(journal: Journal) -> None:
    a = await journal.append(_note("a"))
    b = await journal.append(_note("b", incident="INC-OTHER"))
    c = await journal.append(_note("c"))
    assert [(e.seq, e.version) for e in (a, b, c)] == [(1, 1), (2, 1), (3, 2)]
    assert b.prev_hash == a.hash and c.prev_hash == b.hash
    assert await journal.head() == (3, c.hash)
    assert (await journal.verify()).ok


async def test_same_id_twice_is_one_row(journal: Journal, db_path: Path) -> None:
    draft = _note("only once")
    first = await journal.append(draft)
    again = await journal.append(draft)
    assert again == first
    # even with a different body, the id decides: the first write wins
    changed = Draft(**{**{f: getattr(draft, f) for f in draft.__slots__}, "actor": "bob"})
    assert await journal.append(changed) == first
    both = await journal.append_many([draft, _note("new")])
    assert both[0] == first
    assert [r[1] for r in rows(db_path)] == [draft.id, both[1].id]


async def test_expected_version_conflict(journal: Journal, db_path: Path) -> None:
    await journal.append(_note("one"), expected_version=0)
    await journal.append(_note("two"), expected_version=1)
    with pytest.raises(VersionConflict) as caught:
        await journal.append(_note("stale"), expected_version=1)
    message = str(caught.value)
    assert "INC-S" in message
    assert "version 2" in message and "expected 1" in message
    assert len(rows(db_path)) == 2
    # a batch with a stale expectation appends nothing at all
    with pytest.raises(VersionConflict):
        await journal.append_many([_note("x"), _note("y")], expected_version=0)
    assert len(rows(db_path)) == 2
    # the journal is still usable after a conflict
    assert (await journal.append(_note("three"), expected_version=2)).version == 3


async def test_invalid_payload_is_refused_before_write(journal: Journal, db_path: Path) -> None:
    bad = Draft(incident="INC-S", kind="severity.changed", actor="a", data={"severity": "SEV9"})
    with pytest.raises(PayloadError, match="severity must be one of"):
        await journal.append(bad)
    assert rows(db_path) == []


async def test_note_schema_1_is_upcast_on_read(journal: Journal, db_path: Path) -> None:
    old = Draft(incident="INC-S", kind="note.added", actor="a", data={"text": "v1"}, schema=1)
    await journal.append(old)
    stored = rows(db_path)[0]
    assert stored[7] == 1 and json.loads(stored[8]) == {"text": "v1"}  # written as schema 1
    (event,) = await journal.events("INC-S")
    assert event.schema == 2
    assert event.data == {"type": "note", "text": "v1"}
    (raw,) = await journal.events("INC-S", upcast=False)
    assert raw.schema == 1 and raw.data == {"text": "v1"}
    assert (await journal.verify()).ok


async def test_unknown_kind_is_kept_and_exported_untouched(journal: Journal) -> None:
    data = {"nested": {"b": [1, 2.5, None, True]}, "a": "ünïcode", "schema": 7}
    future = Draft(incident="INC-S", kind="future.thing", actor="bot", data=data, schema=3)
    await journal.append(future)
    (event,) = await journal.events("INC-S")
    assert (event.kind, event.schema, event.data) == ("future.thing", 3, data)
    line = json.loads(await render(journal, "INC-S", "jsonl"))
    assert (line["kind"], line["schema"], line["data"]) == ("future.thing", 3, data)
    md = await render(journal, "INC-S", "md")
    assert "future.thing" in md


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
