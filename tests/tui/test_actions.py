"""Every operator key, driven through the real app, read back from the journal."""

from __future__ import annotations

from pathlib import Path

import pytest

from cockpit.app import CockpitApp
from cockpit.commands import _in_export
from cockpit.model import Event
from cockpit.screens.chart import ChartScreen
from cockpit.screens.prompts import ConfirmPrompt

from .harness import (
    break_journal_writes,
    demo_app,
    journal_rows,
    open_prompt,
    refresh_sources,
    session_id,
    wait_for,
    wait_for_row,
    wait_for_text,
    wait_for_timeline,
)
from .screen import screen_text

journal_events = journal_rows


async def last_of(app: CockpitApp, kind: str) -> Event:
    matches = [e for e in await journal_events(app) if e.kind == kind]
    assert matches, f"no {kind} in the journal"
    return matches[-1]


async def type_text(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    for char in text:
        await pilot.press("space" if char == " " else char)


async def wait_for_prompt(pilot, kind: type | None = None) -> None:  # type: ignore[no-untyped-def]
    """Wait until a prompt (of `kind`) is open over the panes."""

    def is_open() -> bool:
        prompt = open_prompt(pilot.app)
        return prompt is not None and (kind is None or isinstance(prompt, kind))

    await wait_for(pilot, is_open, what=f"a {kind.__name__ if kind else 'prompt'} to open")


@pytest.fixture
def journal_path(tmp_path: Path) -> Path:
    return tmp_path / "journal.sqlite"


async def test_start_declare_severity_status_quit(journal_path: Path) -> None:
    app, _ = demo_app(journal_path)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await refresh_sources(app)
        await pilot.press("i")
        await type_text(pilot, "checkout 5xx")
        await pilot.press("enter")
        declared = await wait_for_row(pilot, "incident.declared")
        await wait_for_timeline(app, declared.seq)  # declared: `i` now retitles
        await pilot.press("i", "ctrl+u")
        await type_text(pilot, "checkout 5xx after v2.4.0")
        await pilot.press("enter")
        await pilot.press("s", "2")
        await pilot.press("t", "2")
        await wait_for_row(pilot, "status.changed")
        assert declared.data == {"title": "checkout 5xx"}
        assert declared.actor == "alice"
        assert (await last_of(app, "incident.retitled")).data[
            "title"
        ] == "checkout 5xx after v2.4.0"
        severity = await last_of(app, "severity.changed")
        assert severity.data == {"severity": "SEV2"}
        # context: what the cockpit showed when the key was pressed
        firing = {a["alert"] for a in severity.context["firing"]}
        assert "HighErrorRate" in firing
        assert severity.context["metrics"]["5xx rate"] > 1.0
        assert (await last_of(app, "status.changed")).data == {"status": "identified"}
        await wait_for_text(pilot, "SEV2", "identified")
        await pilot.press("q")
    kinds = [e.kind for e in await _reopen(journal_path)]
    assert kinds[0] == "session.started"
    assert kinds[-1] == "session.ended"


async def _reopen(path: Path) -> list[Event]:
    from cockpit.journal.store import Journal

    async with await Journal.open(path, create=False) as journal:
        return await journal.events()


async def test_note_of_each_type_and_timeline_shows_it(journal_path: Path) -> None:
    app, _ = demo_app(journal_path)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await refresh_sources(app)
        await pilot.press("n")
        await type_text(pilot, "memory climbs after deploy")
        await pilot.press("enter")
        await wait_for_row(pilot, "note.added")
        await pilot.press("n")
        await wait_for_prompt(pilot)
        await pilot.press("tab", "h", "tab")  # to the type, h: hypothesis, back to the text
        await type_text(pilot, "price cache leaks")
        await pilot.press("enter")
        await wait_for_row(pilot, "note.added", count=2)
        notes = [e for e in await journal_events(app) if e.kind == "note.added"]
        assert [(n.data["type"], n.data["text"]) for n in notes] == [
            ("note", "memory climbs after deploy"),
            ("hypothesis", "price cache leaks"),
        ]
        await wait_for_timeline(app, notes[-1].seq)
        assert "hypothesis: price cache leaks" in screen_text(app)
        # confirmed after the commit, with the row's number
        await wait_for_text(pilot, f"journaled #{notes[-1].seq}")


async def test_role_handoff_and_actor_change(journal_path: Path) -> None:
    app, _ = demo_app(journal_path)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await pilot.press("c", "1")  # commander
        await pilot.press("ctrl+u")
        await type_text(pilot, "alice")
        await pilot.press("enter")
        await pilot.press("o")
        await type_text(pilot, "bob")
        await pilot.press("enter")
        await pilot.press("s", "1")
        await wait_for_row(pilot, "severity.changed")
        role = await last_of(app, "role.assigned")
        assert role.data == {"role": "commander", "operator": "alice"}
        handoff = await last_of(app, "operator.handoff")
        assert handoff.data["to"] == "bob" and handoff.data["from"] == "alice"
        assert handoff.data["session"] == session_id(app) and handoff.actor == "alice"
        assert (await last_of(app, "severity.changed")).actor == "bob"
        await wait_for_text(pilot, "op bob")


async def test_ack_and_silence_selected_alert(journal_path: Path) -> None:
    app, _ = demo_app(journal_path)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await refresh_sources(app)
        await pilot.press("1", "a")
        ack = await wait_for_row(pilot, "alert.acknowledged")
        assert ack.data["alert"] == "HighErrorRate"  # critical sorts first
        assert ack.context["selected"]["pane"] == "alerts"
        await pilot.press("x")
        await wait_for(pilot, lambda: open_prompt(app) is not None)
        await pilot.press("enter")  # amtool's defaults: 1h, every label, the incident comment
        silenced = await wait_for_row(pilot, "alert.silenced")
        assert silenced.data["alert"] == "HighErrorRate"
        assert silenced.data["duration"] == "1h"
        assert silenced.data["silence_id"]
        await refresh_sources(app)
        await wait_for_text(pilot, "silenced")


async def test_rollback_confirms_then_journals_request_and_outcome(journal_path: Path) -> None:
    app, clock = demo_app(journal_path)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await refresh_sources(app)
        await pilot.press("4", "r")
        await wait_for_prompt(pilot, ConfirmPrompt)
        await wait_for_text(
            pilot, "registry.example/checkout:v2.4.0 ->", "(rev 42 -> 43)", flat=True
        )
        await pilot.press("y")
        done = await wait_for_row(pilot, "remediation.succeeded")
        kinds = [e.kind for e in await journal_events(app)]
        assert kinds.index("remediation.requested") < kinds.index("remediation.succeeded")
        assert done.data["target"] == "shop/checkout" and done.data["revision"] == 42
        clock.advance(40)
        await refresh_sources(app)
        await wait_for_text(pilot, "v2.4.0 → v2.3.9")


async def test_rollback_cancel_journals_nothing(journal_path: Path) -> None:
    app, _ = demo_app(journal_path)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await refresh_sources(app)
        await pilot.press("4", "r")
        await wait_for_prompt(pilot, ConfirmPrompt)
        await pilot.press("n")
        await wait_for(pilot, lambda: open_prompt(app) is None, what="the prompt to close")
        # a later action journals: had the rollback gone ahead, its request would be before
        await pilot.press("s", "1")
        await wait_for_row(pilot, "severity.changed")
        kinds = [e.kind for e in await journal_events(app)]
        assert "remediation.requested" not in kinds
        assert "remediation.succeeded" not in kinds


async def test_pin_export_and_views(journal_path: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    app, _ = demo_app(journal_path)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await refresh_sources(app)
        await pilot.press("2", "p")
        pinned = await wait_for_row(pilot, "evidence.pinned")
        assert pinned.data["what"] == "metrics" and pinned.data["item"].startswith("5xx rate = ")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ChartScreen), what="the chart to open")
        await pilot.press("escape")
        detail = await wait_for_row(pilot, "view.detail")
        assert detail.data["pane"] == "metrics"
        assert (await last_of(app, "view.focus")).data == {"pane": "metrics"}
        await pilot.press("slash")
        await type_text(pilot, "latency")
        await pilot.press("enter")
        assert (await wait_for_row(pilot, "view.filter")).data == {
            "pane": "metrics",
            "text": "latency",
        }
        await wait_for(
            pilot,
            lambda: "p99 latency" in (t := screen_text(app)) and "checkout memory" not in t,
            what="the metrics pane filtered to latency",
        )
        await pilot.press("e", "1")  # md
        export = await wait_for_row(pilot, "export.created")
        assert export.data["format"] == "md"
        written = Path(export.data["path"])
        assert written == tmp_path / f"{app.session.incident}.md"
        # the file is the incident's timeline as journaled, the pinned evidence in it
        text = written.read_text(encoding="utf-8")
        assert text.startswith(f"# {app.session.incident}")
        assert f"pinned metrics: {pinned.data['item']} — evidence: firing: HighErrorRate" in text
        # and it carries a checkpoint of the journal as it was exported (issue 14 item 1)
        (checkpoint,) = _in_export(written)
        assert checkpoint.size >= export.seq - 1


async def test_read_only_refuses_every_action_and_writes_nothing(journal_path: Path) -> None:
    app, _ = demo_app(journal_path, read_only=True)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await refresh_sources(app)
        await wait_for_text(pilot, "READ-ONLY")
        await pilot.press("1", "a")
        await wait_for_text(pilot, "read-only session: cannot acknowledge alerts")
        await pilot.press("s", "1")
        await wait_for_text(pilot, "read-only session: cannot change the severity")
        await pilot.press("n")
        await type_text(pilot, "x")
        await pilot.press("enter")
        await wait_for_text(pilot, "read-only session: cannot add a note")
        # only the watcher's presence, so the postmortem lists who watched (issue 12 item 4)
        events = await journal_events(app)
        assert [(e.kind, e.data.get("read_only")) for e in events] == [("session.started", True)]


async def test_journal_failure_shows_banner_and_claims_nothing(
    journal_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    app, _ = demo_app(journal_path)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await wait_for_row(pilot, "session.started")
        await break_journal_writes(app, monkeypatch)
        await pilot.press("s", "1")
        text = await wait_for_text(pilot, "JOURNAL NOT WRITABLE", "disk I/O error")
        assert "journaled #" not in text
        assert "SEV1" not in text.splitlines()[0]  # the status bar renders the journal only
        assert "severity.changed" not in [e.kind for e in await journal_events(app)]


async def test_help_and_palette_list_every_key_action(journal_path: Path) -> None:
    from cockpit.keymap import KEYMAP

    app, _ = demo_app(journal_path)
    async with app.run_test(size=(160, 60)) as pilot:
        await pilot.press("question_mark")
        await wait_for_text(pilot, *(item.description[:40] for item in KEYMAP))
        await pilot.press("escape")
        commands = [c.title for c in app.get_system_commands(app.screen)]
        for item in KEYMAP:
            if item.action in ("command_palette",):
                continue
            assert any(item.description in title for title in commands), item.description
        # the palette itself opens and lists them (its titles are read as markup)
        await pilot.press("ctrl+p")
        await wait_for(
            pilot,
            lambda: (
                "Filter the focused pane" in (t := screen_text(app)) or "Declare the incident" in t
            ),
            what="the palette listing the cockpit's actions",
        )
        await pilot.press(*"filter")
        await wait_for_text(pilot, "(key /)")
        assert app.is_running


async def test_amend_selected_note_keeps_the_original(journal_path: Path) -> None:
    app, _ = demo_app(journal_path)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await pilot.press("n")
        await type_text(pilot, "cache size 1GB")
        await pilot.press("enter")
        original = await wait_for_row(pilot, "note.added")
        await wait_for_timeline(app, original.seq)
        await pilot.press("5", "m")
        await wait_for_prompt(pilot)
        await pilot.press("ctrl+u")
        await type_text(pilot, "cache size 4GB")
        await pilot.press("enter")
        amended = await wait_for_row(pilot, "note.amended")
        assert amended.data == {"amends": original.id, "text": "cache size 4GB"}
        notes = [e for e in await journal_events(app) if e.kind == "note.added"]
        assert [n.data["text"] for n in notes] == ["cache size 1GB"]  # never erased
        await wait_for_timeline(app, amended.seq)
        assert "cache size 4GB" in screen_text(app)
