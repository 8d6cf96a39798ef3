"""What every journal backend must do: the contract behind journal/ports.py.

A backend's test module subclasses `JournalContract` (as `Test<Backend>`) and provides three
fixtures; everything below then runs against it:

* `log`: a fresh, empty journal (an EventLog and ObservationLog), closed at teardown;
* `second`: another handle on the same journal, with its own connection (a second cockpit);
* `tamper`: `tamper(seq, column, value)` changes a stored row behind the journal's back.

Only behaviour callers rely on is checked here; a backend's own concerns (file modes, schema
migrations, its SQL) stay in its own tests.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest

from cockpit.journal.codec import canonical_json, decode, encode
from cockpit.journal.errors import JournalDamaged, JournalError, VersionConflict
from cockpit.journal.events import PayloadError
from cockpit.journal.export import render
from cockpit.journal.ports import JournalPort
from cockpit.journal.projection import IncidentState, fold, load_state
from cockpit.journal.rows import StoredRow
from cockpit.model import GENESIS_HASH, Draft, Event

Tamper = Callable[[int, str, Any], None]
INC = "INC-C"


def note(text: str, incident: str = INC, **kw: Any) -> Draft:
    data = {"type": "note", "text": text}
    return Draft(incident=incident, kind="note.added", actor="alice", data=data, **kw)


def firing(key: str, incident: str = INC) -> Draft:
    return Draft(
        incident=incident,
        kind="system.alert.firing",
        actor="alertmanager",
        data={"alert": "HighErrorRate", "key": key},
    )


class JournalContract:
    """Subclass as Test<Backend> and provide the `log`, `second` and `tamper` fixtures."""

    # -- appending and reading back -------------------------------------------------------

    async def test_empty_journal(self, log: JournalPort) -> None:
        assert await log.head() == (0, GENESIS_HASH)
        assert await log.events() == []
        assert await log.incident_ids() == []
        assert await log.latest_incident() is None
        assert not await log.has_incident(INC)
        result = await log.verify()
        assert (result.ok, result.count, result.head_hash) == (True, 0, GENESIS_HASH)

    async def test_append_read_round_trip(self, log: JournalPort) -> None:
        draft = Draft(
            incident=INC,
            kind="future.thing",  # unknown kinds are kept as they are
            actor="bot",
            data={"nested": {"b": [1, 2.5, None, True]}, "a": "ünïcode \u2028"},
            context={"selection": "deploys", "metrics": {"5xx": 1.5}},
            schema=3,
        )
        written = await log.append(draft)
        (read,) = await log.events(INC)
        assert read == written
        assert (read.id, read.ts, read.actor, read.kind, read.schema) == (
            draft.id,
            draft.ts,
            "bot",
            "future.thing",
            3,
        )
        assert (read.data, read.context) == (draft.data, draft.context)
        assert (read.seq, read.version, read.prev_hash) == (1, 1, GENESIS_HASH)
        assert await log.head() == (1, read.hash)

    async def test_versions_are_contiguous_per_incident(self, log: JournalPort) -> None:
        a = await log.append(note("a"))
        b = await log.append(note("b", incident="INC-OTHER"))
        c, d = await log.append_many([note("c"), note("d", incident="INC-OTHER")])
        e = await log.append(note("e"))
        assert [(x.seq, x.version) for x in (a, b, c, d, e)] == [
            (1, 1),
            (2, 1),
            (3, 2),
            (4, 2),
            (5, 3),
        ]
        assert [x.prev_hash for x in (b, c, d, e)] == [x.hash for x in (a, b, c, d)]
        assert [x.version for x in await log.events(INC)] == [1, 2, 3]
        assert await log.incident_ids() == ["INC-OTHER", INC]  # most recently active last
        assert await log.latest_incident() == INC
        assert await log.has_incident("INC-OTHER")
        assert (await log.verify()).ok

    async def test_expected_version_conflict_writes_nothing(self, log: JournalPort) -> None:
        await log.append(note("one"), expected_version=0)
        await log.append(note("two"), expected_version=1)
        with pytest.raises(VersionConflict) as caught:
            await log.append(note("stale"), expected_version=1)
        assert isinstance(caught.value, JournalError)
        message = str(caught.value)
        assert INC in message and "version 2" in message and "expected 1" in message
        # a batch with a stale expectation appends nothing at all
        with pytest.raises(VersionConflict):
            await log.append_many([note("x"), note("y")], expected_version=0)
        assert [e.data["text"] for e in await log.events()] == ["one", "two"]
        # still usable after a conflict
        assert (await log.append(note("three"), expected_version=2)).version == 3

    async def test_same_event_id_again_is_a_no_op(self, log: JournalPort) -> None:
        draft = note("only once")
        first = await log.append(draft)
        assert await log.append(draft) == first
        # the id decides, not the body: the first write wins
        changed = Draft(**{**{f: getattr(draft, f) for f in draft.__struct_fields__}, "actor": "x"})
        assert await log.append(changed) == first
        again, new = await log.append_many([draft, note("new")])
        assert again == first and new.seq == 2
        assert [e.id for e in await log.events()] == [draft.id, new.id]

    async def test_invalid_batch_writes_nothing(self, log: JournalPort) -> None:
        bad = Draft(incident=INC, kind="severity.changed", actor="a", data={"severity": "SEV9"})
        with pytest.raises(PayloadError, match="severity must be one of"):
            await log.append_many([note("fine"), bad])
        assert await log.events() == []

    async def test_old_schema_is_upcast_on_read_and_kept_as_stored(self, log: JournalPort) -> None:
        await log.append(Draft(INC, "note.added", "a", {"text": "v1"}, schema=1))
        (event,) = await log.events(INC)
        assert (event.schema, event.data) == (2, {"type": "note", "text": "v1"})
        (raw,) = await log.events(INC, upcast=False)
        assert (raw.schema, raw.data) == (1, {"text": "v1"})
        (row,) = await log.raw_rows(INC)
        assert row[7] == 1 and json.loads(row[8]) == {"text": "v1"}
        line = json.loads((await render(log, INC, "jsonl")).split("\n")[0])
        assert (line["schemaversion"], line["data"]) == (1, {"text": "v1"})
        assert (await log.verify()).ok

    async def test_append_once_is_idempotent_on_data_key(
        self, log: JournalPort, second: JournalPort
    ) -> None:
        # two cockpits see the same change and race to journal it
        results = await asyncio.gather(
            *(j.append_once(firing("fire:abc@t1")) for j in (log, second, log, second))
        )
        assert sum(r is not None for r in results) == 1
        assert await second.append_once(firing("fire:abc@t1")) is None
        assert await log.append_once(firing("fire:abc@t2")) is not None  # a later change
        # the same key in another incident is that incident's business
        assert await log.append_once(firing("fire:abc@t1", incident="INC-2")) is not None
        keys = [(e.incident, e.data["key"]) for e in await log.events()]
        assert keys == [(INC, "fire:abc@t1"), (INC, "fire:abc@t2"), ("INC-2", "fire:abc@t1")]
        with pytest.raises(ValueError, match="key"):
            await log.append_once(note("no key"))
        assert (await log.verify()).ok

    async def test_secrets_are_redacted_before_write(self, log: JournalPort) -> None:
        token = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"  # split: no scanner alarm
        event = await log.append(note(f"pushed with {token}", context={"cmd": "password=hunter2"}))
        (row,) = await log.raw_rows(INC)
        stored = json.dumps(row)
        assert "a1B2c3D4e5F6g7H8" not in stored and "hunter2" not in stored
        assert json.loads(row[8])["_redacted"] == ["credential", "github_token"]
        # what the caller gets back is what was written
        (read,) = await log.events(INC)
        assert event == read

    async def test_closed_journal_refuses_appends(self, log: JournalPort) -> None:
        await log.close()
        with pytest.raises(JournalError, match="closed"):
            await log.append(note("late"))
        await log.close()  # closing twice is fine

    # -- reading a part -------------------------------------------------------------------

    async def test_events_after_seq_until_seq_and_after_version(self, log: JournalPort) -> None:
        for i in range(6):
            await log.append(note(f"n{i}", incident=INC if i % 2 == 0 else "INC-ODD"))
        assert [e.seq for e in await log.events(after_seq=2, until_seq=5)] == [3, 4, 5]
        assert [e.version for e in await log.events(INC, after_version=1)] == [2, 3]
        assert [e.seq for e in await log.events(INC, after_version=1, until_seq=4)] == [3]
        assert await log.events(INC, after_version=3) == []
        with pytest.raises(ValueError, match="incident"):
            await log.events(after_version=1)

    async def test_after_version_does_not_read_earlier_rows(
        self, log: JournalPort, tamper: Tamper
    ) -> None:
        for i in range(3):
            await log.append(note(f"n{i}"))
        tamper(1, "context", "{not json")  # a row that can no longer be decoded
        with pytest.raises(JournalDamaged):  # one line for the CLI, not a traceback
            await log.events(INC)
        # a snapshot's reader never touches it: the filter is in the query, not after it
        assert [e.version for e in await log.events(INC, after_version=1)] == [2, 3]

    async def test_tail_sees_appends_from_another_connection(
        self, log: JournalPort, second: JournalPort
    ) -> None:
        first = await log.append(note("mine"))
        seen: asyncio.Queue[Event] = asyncio.Queue()

        async def follow() -> None:
            async for event in log.tail(0, INC, poll=0.02):
                await seen.put(event)

        task = asyncio.create_task(follow())
        try:
            assert (await asyncio.wait_for(seen.get(), 2)).id == first.id
            theirs = await second.append(note("theirs"))
            assert (await asyncio.wait_for(seen.get(), 2)).id == theirs.id
            await second.append(note("elsewhere", incident="INC-ELSE"))
            ours = await log.append(note("mine again"))
            assert (await asyncio.wait_for(seen.get(), 2)).id == ours.id  # INC only
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    # -- integrity ------------------------------------------------------------------------

    async def test_verify_names_a_tampered_row(self, log: JournalPort, tamper: Tamper) -> None:
        for i in range(4):
            await log.append(note(f"n{i}"))
        assert (await log.verify()).line().startswith("ok: 4 events, head ")
        tamper(3, "data", '{"text":"nothing happened","type":"note"}')
        result = await log.verify()
        assert (result.ok, result.bad_seq, result.count) == (False, 3, 2)
        assert result.line().startswith("chain broken at seq 3: ")

    async def test_raw_rows_are_the_stored_rows_the_chain_covers(self, log: JournalPort) -> None:
        other = note("b", incident="INC-OTHER")
        await log.append_many([note("a"), other, note("ü", context={"x": [1.5]})])
        rows = await log.raw_rows(INC)
        assert all(r[-1] for r in rows)  # the flag: data and context are valid JSON
        stored = [StoredRow(*r[:-1]) for r in rows]
        expected = [
            StoredRow(
                *(e.seq, e.id, e.incident, e.version, e.ts, e.actor, e.kind, e.schema),
                *(canonical_json(e.data), canonical_json(e.context), e.prev_hash, e.hash),
            )
            for e in await log.events(INC, upcast=False)
        ]
        assert stored == expected and [r.seq for r in stored] == [1, 3]

    # -- snapshots ------------------------------------------------------------------------

    async def test_snapshots(self, log: JournalPort) -> None:
        assert await log.latest_snapshot(INC) is None
        await log.save_snapshot(INC, 2, {"id": INC, "version": 2})
        await log.save_snapshot(INC, 5, {"id": INC, "version": 5, "title": "ü"})
        await log.save_snapshot(INC, 5, {"id": INC, "version": 5, "title": "again"})  # replaced
        await log.save_snapshot("INC-OTHER", 9, {"id": "INC-OTHER"})
        assert await log.latest_snapshot(INC) == (5, {"id": INC, "version": 5, "title": "again"})

    async def test_load_state_starts_from_the_snapshot(self, log: JournalPort) -> None:
        await log.append(Draft(INC, "incident.declared", "alice", {"title": "checkout 5xx"}))
        for i in range(5):
            await log.append(note(f"n{i}"))
        state = await load_state(log, INC, snapshot_every=3)  # folds 6: writes a snapshot
        snap = await log.latest_snapshot(INC)
        assert snap is not None and snap[0] == 6
        assert IncidentState.from_dict(snap[1]) == state
        await log.append(note("later"))
        again = await load_state(log, INC, snapshot_every=3)
        assert again == fold(await log.events(INC), incident=INC)
        assert (again.version, again.notes, again.title) == (7, 6, "checkout 5xx")
        assert (await log.latest_snapshot(INC) or (0,))[0] == 6  # one event folded: no new one

    # -- observations ---------------------------------------------------------------------

    async def test_observations_round_trip(self, log: JournalPort) -> None:
        assert await log.observations(INC) == []
        assert await log.observation_bytes(INC) == 0
        digest, body = encode({"panels": [{"title": "5xx", "points": [[1.0, 2.0]]}]})
        stored = [
            ("2026-11-28T19:05:02.000Z", "prometheus", "panels", digest, body),
            ("2026-11-28T19:05:01.000Z", "alertmanager", "alerts", "d2", b"\x00raw"),
            ("2026-11-28T19:05:03.000Z", "prometheus", "panels", "d3", b"x" * 10),
        ]
        ids = [await log.add_observation(INC, *row) for row in stored]
        await log.add_observation("INC-OTHER", stored[0][0], "prometheus", "panels", "d", b"yy")
        assert len(set(ids)) == 3
        rows = await log.observations(INC)
        assert [r[1:] for r in rows] == [stored[1], stored[0], stored[2]]  # oldest first
        assert [r[0] for r in rows] == [ids[1], ids[0], ids[2]]
        assert all(type(r[5]) is bytes for r in rows)
        assert decode(rows[1][5]) == {"panels": [{"title": "5xx", "points": [[1.0, 2.0]]}]}
        assert [r[0] for r in await log.observations(INC, source="prometheus")] == [ids[0], ids[2]]
        assert [r[0] for r in await log.observations(INC, kinds=("alerts",))] == [ids[1]]
        until = await log.observations(INC, until_ts="2026-11-28T19:05:02.000Z")
        assert [r[0] for r in until] == [ids[1], ids[0]]
        assert await log.observation_bytes(INC) == len(body) + 4 + 10
        # outside the chain: observations change neither the head nor verify
        assert (await log.verify()).count == 0
