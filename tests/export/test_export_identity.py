"""The fast export paths say exactly what the straightforward ones said.

The older jsonl format (before CloudEvents; still imported, and written for the import
corpus) is written from the stored rows without decoding them; these tests pin that it is
still, line for line, json.dumps(event.as_dict(), ensure_ascii=False, separators=(",", ":")).
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from msgspec.structs import replace

from cockpit.journal.export import jsonl_from_rows, render, to_jsonl
from cockpit.journal.format import md_text
from cockpit.journal.postmortem import build
from cockpit.journal.store import Journal
from cockpit.model import Draft, Event

from .conftest import INC, script

NASTY = [
    "quote \" apostrophe ' backslash \\ double \\\\ slash / \\u0041 literal",
    "controls \x00 \x01 \x08 \t \n \r \x0b \x0c \x1b[31m \x1f \x7f \x85",
    "unicode é ü ß 中文 🔥 👩‍💻 \u00a0 \u200b \u2028 \u2029 \ufeff",
    "md | ` * _ { } [ ] ( ) # + ! < > ~ <script>alert(1)</script>",
    # digits before "." or "e" and long digit runs inside a string: no number, fast path
    "p99 42.5 ms at 1e3 rps after rev 42. trace 12345678901234567890",
    "",
]
ACTORS = ['al"ice', "b\\ob", "c\x01arol", "dé\u2028ve", "eve|`x`"]


def _drafts() -> list[Draft]:
    out: list[Draft] = []
    for i, text in enumerate(NASTY):
        actor = ACTORS[i % len(ACTORS)]
        ctx: dict[str, Any] = {
            "firing": [{"alert": text, "severity": "critical", "state": "firing"}],
            "metrics": {text or "m": 1.5, "big": 12345678901234567890, "none": None},
            "selected": {"pane": "alerts", "item": text},
            "nested": {"z": [1, 2.25, -0.0, True, False, None], "a": {text: text}},
        }
        out.append(Draft(INC, "note.added", actor, {"type": "finding", "text": text}, ctx))
        # schema 1: jsonl must keep the stored payload, not the upcast one
        out.append(Draft(INC, "note.added", actor, {"text": text}, {}, schema=1))
        out.append(Draft(INC, "future.kind", actor, {text or "k": [text, 1e-7, 3.0]}, {"x": text}))
        out.append(Draft(INC, "system.deploy", actor, {"deployment": text, "key": f"d{i}"}))
    return out


async def _journal(path: Path) -> Journal:
    journal = await Journal.open(path)
    await journal.append_many(_drafts())
    await journal.append(Draft("INC-OTHER", "note.added", "x", {"type": "note", "text": "y"}))
    return journal


def _reference_jsonl(events: list[Any]) -> str:
    return "".join(
        json.dumps(e.as_dict(), ensure_ascii=False, separators=(",", ":")) + "\n" for e in events
    )


async def test_jsonl_from_rows_equals_json_dumps_of_each_event(tmp_path: Path) -> None:
    journal = await _journal(tmp_path / "j.sqlite")
    try:
        events = await journal.events(INC, upcast=False)
        text = jsonl_from_rows(await journal.raw_rows(INC))
    finally:
        await journal.close()
    # split on "\n" only: U+2028, U+0085 and friends are left raw by ensure_ascii=False
    lines = [line + "\n" for line in text.split("\n")[:-1]]
    assert len(lines) == len(events) == 4 * len(NASTY)
    for line, event in zip(lines, events, strict=True):
        assert line == json.dumps(event.as_dict(), ensure_ascii=False, separators=(",", ":")) + "\n"
    assert text == to_jsonl(events) == _reference_jsonl(events)
    assert json.loads(lines[1])["schema"] == 1  # stored, not upcast


@pytest.mark.parametrize("redact_notes", [False, True])
async def test_cloudevents_fast_path_writes_what_the_general_path_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, redact_notes: bool
) -> None:
    """Rows checked as valid JSON take the text path; without that mark each is decoded and
    canonicalized. Same salts in both: the same bytes, the same openings."""
    from cockpit.journal import cloudevents as ce

    def salts() -> Any:
        n = 0

        def token_bytes(size: int) -> bytes:
            nonlocal n
            n += 1
            return n.to_bytes(size, "big")

        return token_bytes

    journal = await _journal(tmp_path / "j.sqlite")
    try:
        rows = await journal.raw_rows(INC)
    finally:
        await journal.close()
    head = (99, "ab" * 32)
    monkeypatch.setattr(ce.secrets, "token_bytes", salts())
    fast = ce.cloudevents(rows, INC, head, redact_notes=redact_notes)
    monkeypatch.setattr(ce.secrets, "token_bytes", salts())
    general = ce.cloudevents([r[:12] for r in rows], INC, head, redact_notes=redact_notes)
    # the manifests differ in their own id and time only
    assert fast.text.split("\n")[:-2] == general.text.split("\n")[:-2]
    assert fast.openings == general.openings
    assert len(fast.openings) == (2 * len(NASTY) if redact_notes else 0)
    if redact_notes:
        assert "rowhash" not in fast.text
        notes = [json.loads(x) for x in fast.text.split("\n")[:-2]]
        notes = [n["data"] for n in notes if n["type"] == "io.cockpit.note.added"]
        assert notes and all("text" not in d and "textsha256" in d for d in notes)


async def test_rows_no_cockpit_writes_take_the_old_path(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    journal = await _journal(path)
    seq, _ = await journal.head()
    await journal.close()
    conn = sqlite3.connect(path)
    with conn:  # a text schema and a non-canonical payload: types the fast path must not trust
        conn.execute(
            "INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (seq + 1, "odd-1", INC, 999, "2026-01-01T00:00:00.000Z", "a", "note.added", "x",
             '{"text":"t","type":"note"}', "{}", "0" * 64, "0" * 64),
        )  # fmt: skip
    conn.close()
    async with await Journal.open(path) as journal:
        events = await journal.events(INC, upcast=False)
        # readers get the row as an unreadable entry in its place (issue 16 item 3) ...
        assert events[-1].kind == "journal.unreadable"
        text = jsonl_from_rows(await journal.raw_rows(INC))
        # ... while the jsonl export carries the stored row as it is, so an import sees
        # (and refuses) exactly what was stored
        last = json.loads(text.split("\n")[-2])
        assert (last["id"], last["schema"], last["version"]) == ("odd-1", "x", 999)
        assert text.startswith(_reference_jsonl(events[:-1]))
        # the CloudEvents export too (its last line is the manifest)
        cloud = json.loads((await render(journal, INC, "jsonl")).split("\n")[-3])
        assert (cloud["id"], cloud["schemaversion"], cloud["version"]) == ("odd-1", "x", 999)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(
            "INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (seq + 2, "odd-2", INC, 1000, "2026-01-01T00:00:00.000Z", "a", "note.added", 2,
             "{}", "{not json", "0" * 64, "0" * 64),
        )  # fmt: skip
    conn.close()
    async with await Journal.open(path) as journal:
        with pytest.raises(ValueError):  # as before: no half-valid line is written
            jsonl_from_rows(await journal.raw_rows(INC))
        with pytest.raises(ValueError):
            await render(journal, INC, "jsonl")


async def test_events_stay_in_seq_order_when_versions_do_not(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    async with await Journal.open(path):
        pass  # creates the schema
    conn = sqlite3.connect(path)
    with conn:
        for seq, version in ((1, 2), (2, 1), (3, 3)):
            conn.execute(
                "INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (seq, f"id{seq}", INC, version, "2026-01-01T00:00:00.000Z", "a", "note.added",
                 2, '{"text":"t","type":"note"}', "{}", "0" * 64, "0" * 64),
            )  # fmt: skip
    conn.close()
    async with await Journal.open(path) as journal:
        assert [e.seq for e in await journal.events(INC)] == [1, 2, 3]
        lines = (await render(journal, INC, "jsonl")).split("\n")[:-2]  # the manifest last
        assert [json.loads(line)["seq"] for line in lines] == [1, 2, 3]


def test_md_text_escapes_like_the_regex_it_replaced() -> None:
    special = re.compile(r"([\\`*_{}\[\]()#+!|<>~])")
    samples = [*NASTY, *ACTORS, "plain words", "  spaced \n out\t", 42, None, 1.5]
    samples.append("".join(chr(c) for c in range(0x20, 0x7F)))
    for value in samples:
        flat = " ".join(str(value).split())
        assert md_text(value) == special.sub(r"\\\1", flat)


def test_build_without_charts_differs_only_in_chart_data() -> None:
    events = [
        Event(i, d.id, d.incident, i, d.ts, d.actor, d.kind, 1, d.data, d.context, "", "")
        for i, d in enumerate(script().drafts, start=1)
    ]
    full = build(events)
    assert full.markers and full.series
    lean = build(events, charts=False)
    assert lean == replace(full, markers=(), series=(), window=(0.0, 0.0))
