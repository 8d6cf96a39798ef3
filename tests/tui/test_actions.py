"""Every operator key, driven through the real app, read back from the journal."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Select

from cockpit.app import CockpitApp
from cockpit.journal.store import JournalError
from cockpit.model import Event
from cockpit.screens.chart import ChartScreen
from cockpit.screens.prompts import ConfirmPrompt

from .harness import demo_app, journal_of, refresh_sources
from .screen import screen_text


async def journal_events(app: CockpitApp) -> list[Event]:
    return await (await journal_of(app)).events(app.session.incident)


async def last_of(app: CockpitApp, kind: str) -> Event:
    matches = [e for e in await journal_events(app) if e.kind == kind]
    assert matches, f"no {kind} in the journal"
    return matches[-1]


async def type_text(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    for char in text:
        await pilot.press("space" if char == " " else char)


@pytest.fixture
def journal_path(tmp_path: Path) -> Path:
    return tmp_path / "journal.sqlite"


async def test_start_declare_severity_status_quit(journal_path: Path) -> None:
    app, _ = demo_app(journal_path)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await refresh_sources(app)
        await pilot.pause()
        await pilot.press("i")
        await type_text(pilot, "checkout 5xx")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("i", "ctrl+u")
        await type_text(pilot, "checkout 5xx after v2.4.0")
        await pilot.press("enter")
        await pilot.press("s", "2")
        await pilot.press("t", "2")
        await pilot.pause()
        declared = await last_of(app, "incident.declared")
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
        assert "SEV2" in screen_text(app) and "identified" in screen_text(app)
        await pilot.press("q")
        await pilot.pause()
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
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        app.prompt.query_one(Select).value = "hypothesis"
        await type_text(pilot, "price cache leaks")
        await pilot.press("enter")
        await pilot.pause()
        notes = [e for e in await journal_events(app) if e.kind == "note.added"]
        assert [(n.data["type"], n.data["text"]) for n in notes] == [
            ("note", "memory climbs after deploy"),
            ("hypothesis", "price cache leaks"),
        ]
        await app.wait_for_timeline(notes[-1].seq)
        text = screen_text(app)
        assert "hypothesis: price cache leaks" in text
        await pilot.pause(0.3)
        assert f"journaled #{notes[-1].seq}" in screen_text(app)  # confirmed after the commit


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
        await pilot.pause()
        role = await last_of(app, "role.assigned")
        assert role.data == {"role": "commander", "operator": "alice"}
        handoff = await last_of(app, "operator.handoff")
        assert handoff.data["to"] == "bob" and handoff.data["from"] == "alice"
        assert handoff.data["session"] == app.actions_.session_id and handoff.actor == "alice"
        assert (await last_of(app, "severity.changed")).actor == "bob"
        assert "op bob" in screen_text(app)


async def test_ack_and_silence_selected_alert(journal_path: Path) -> None:
    app, _ = demo_app(journal_path)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await refresh_sources(app)
        await pilot.press("1", "a")
        await pilot.pause()
        ack = await last_of(app, "alert.acknowledged")
        assert ack.data["alert"] == "HighErrorRate"  # critical sorts first
        assert ack.context["selected"]["pane"] == "alerts"
        await pilot.press("x", "2")  # 30m
        await pilot.pause()
        silenced = await last_of(app, "alert.silenced")
        assert silenced.data["alert"] == "HighErrorRate"
        assert silenced.data["duration"] == "30m"
        assert silenced.data["silence_id"]
        await refresh_sources(app)
        await pilot.pause()
        assert "silenced" in screen_text(app)


async def test_rollback_confirms_then_journals_request_and_outcome(journal_path: Path) -> None:
    app, clock = demo_app(journal_path)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await refresh_sources(app)
        await pilot.press("4", "r")
        await pilot.pause(0.2)
        assert isinstance(app.prompt, ConfirmPrompt)
        shown = " ".join(screen_text(app).split())
        assert "registry.example/checkout:v2.4.0 ->" in shown and "(rev 42 -> 43)" in shown
        await pilot.press("y")
        await pilot.pause(0.2)
        kinds = [e.kind for e in await journal_events(app)]
        assert kinds.index("remediation.requested") < kinds.index("remediation.succeeded")
        done = await last_of(app, "remediation.succeeded")
        assert done.data["target"] == "shop/checkout" and done.data["revision"] == 42
        clock.advance(40)
        await refresh_sources(app)
        await pilot.pause()
        assert "v2.4.0 → v2.3.9" in screen_text(app)


async def test_rollback_cancel_journals_nothing(journal_path: Path) -> None:
    app, _ = demo_app(journal_path)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await refresh_sources(app)
        await pilot.press("4", "r")
        await pilot.pause(0.2)
        await pilot.press("n")
        await pilot.pause()
        assert "remediation.requested" not in [e.kind for e in await journal_events(app)]


async def test_pin_export_and_views(journal_path: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    app, _ = demo_app(journal_path)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await refresh_sources(app)
        await pilot.press("2", "p")
        await pilot.pause()
        pinned = await last_of(app, "evidence.pinned")
        assert pinned.data["what"] == "metrics" and pinned.data["item"].startswith("5xx rate = ")
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert isinstance(app.screen, ChartScreen)
        await pilot.press("escape")
        detail = await last_of(app, "view.detail")
        assert detail.data["pane"] == "metrics"
        assert (await last_of(app, "view.focus")).data == {"pane": "metrics"}
        await pilot.press("slash")
        await type_text(pilot, "latency")
        await pilot.press("enter")
        await pilot.pause()
        assert (await last_of(app, "view.filter")).data == {"pane": "metrics", "text": "latency"}
        metrics_text = screen_text(app)
        assert "p99 latency" in metrics_text and "checkout memory" not in metrics_text
        await pilot.press("e", "1")  # md
        await pilot.pause(0.3)
        export = await last_of(app, "export.created")
        assert export.data["format"] == "md"
        written = Path(export.data["path"])
        assert (written.exists() and "evidence" in written.read_text()) or written.exists()


async def test_read_only_refuses_every_action_and_writes_nothing(journal_path: Path) -> None:
    app, _ = demo_app(journal_path, read_only=True)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await refresh_sources(app)
        await pilot.pause()
        assert "READ-ONLY" in screen_text(app)
        await pilot.press("1", "a")
        await pilot.press("s", "1")
        await pilot.press("n")
        await type_text(pilot, "x")
        await pilot.press("enter")
        await pilot.pause()
        assert "read-only session" in screen_text(app)
        assert await journal_events(app) == []


async def test_journal_failure_shows_banner_and_claims_nothing(
    journal_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    app, _ = demo_app(journal_path)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await pilot.pause()

        async def broken(*args: object, **kwargs: object) -> Event:
            raise JournalError("disk I/O error")

        monkeypatch.setattr(await journal_of(app), "append", broken)
        await pilot.press("s", "1")
        await pilot.pause()
        text = screen_text(app)
        assert "JOURNAL NOT WRITABLE" in text
        assert "journaled #" not in text
        assert "SEV1" not in text.splitlines()[0]  # the status bar renders the journal only


async def test_help_and_palette_list_every_key_action(journal_path: Path) -> None:
    from cockpit.keymap import KEYMAP

    app, _ = demo_app(journal_path)
    async with app.run_test(size=(160, 60)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        help_text = screen_text(app)
        for item in KEYMAP:
            assert item.description[:40] in help_text
        await pilot.press("escape")
        commands = [c.title for c in app.get_system_commands(app.screen)]
        for item in KEYMAP:
            if item.action in ("command_palette",):
                continue
            assert any(item.description in title for title in commands), item.description
        # the palette itself opens and lists them (its titles are read as markup)
        await pilot.press("ctrl+p")
        await pilot.pause(0.3)
        shown = screen_text(app)
        assert "Filter the focused pane" in shown or "Declare the incident" in shown
        await pilot.press(*"filter")
        await pilot.pause(0.3)
        assert "(key /)" in screen_text(app)
        assert app.is_running


async def test_amend_selected_note_keeps_the_original(journal_path: Path) -> None:
    app, _ = demo_app(journal_path)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await pilot.press("n")
        await type_text(pilot, "cache size 1GB")
        await pilot.press("enter")
        await pilot.pause()
        original = await last_of(app, "note.added")
        await app.wait_for_timeline(original.seq)
        await pilot.press("5", "m")
        await pilot.pause()
        await pilot.press("ctrl+u")
        await type_text(pilot, "cache size 4GB")
        await pilot.press("enter")
        await pilot.pause()
        amended = await last_of(app, "note.amended")
        assert amended.data == {"amends": original.id, "text": "cache size 4GB"}
        notes = [e for e in await journal_events(app) if e.kind == "note.added"]
        assert [n.data["text"] for n in notes] == ["cache size 1GB"]  # never erased
        await app.wait_for_timeline(amended.seq)
        assert "cache size 4GB" in screen_text(app)
