"""Prompts open over the live panes: type-ahead, focus, and what they leave in the journal."""

from __future__ import annotations

from pathlib import Path

from cockpit.app import CockpitApp
from cockpit.model import Event
from cockpit.screens.prompts import ChoicePrompt, NotePrompt

from .harness import demo_app, journal_of, refresh_sources
from .screen import screen_text


async def kinds(app: CockpitApp) -> list[str]:
    return [e.kind for e in await (await journal_of(app)).events(app.session.incident)]


async def last(app: CockpitApp, kind: str) -> Event:
    return [
        e for e in await (await journal_of(app)).events(app.session.incident) if e.kind == kind
    ][-1]


async def test_typed_ahead_digit_lands_in_the_prompt(tmp_path: Path) -> None:
    app, _ = demo_app(tmp_path / "j.sqlite")
    async with app.run_test(size=(160, 48)) as pilot:
        await refresh_sources(app)
        # both keys queued before the prompt exists: the 2 must answer it, not switch panes
        await pilot.press("s", "2")
        await pilot.pause()
        assert (await last(app, "severity.changed")).data == {"severity": "SEV2"}
        assert app.prompt is None
        assert app.active_pane == "alerts"


async def test_panes_stay_live_and_visible_under_a_prompt(tmp_path: Path) -> None:
    app, clock = demo_app(tmp_path / "j.sqlite", elapsed=20.0)
    async with app.run_test(size=(160, 48)) as pilot:
        await refresh_sources(app)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.prompt, NotePrompt)
        assert "Add to the journal" in screen_text(app)
        before = screen_text(app)
        clock.advance(120)  # the incident moves on while the operator types
        await refresh_sources(app)
        await pilot.pause()
        after = screen_text(app)
        assert "HighErrorRate" not in before and "HighErrorRate" in after
        assert "Add to the journal" in after  # the prompt is still there, on top


async def test_keys_are_typed_text_while_a_prompt_is_open(tmp_path: Path) -> None:
    app, _ = demo_app(tmp_path / "j.sqlite")
    async with app.run_test(size=(160, 48)) as pilot:
        await refresh_sources(app)
        await pilot.press("n")
        await pilot.pause()
        for key in "sq4":  # severity, quit, pane 4: all just letters in the note
            await pilot.press(key)
        await pilot.press("enter")
        await pilot.pause()
        note = await last(app, "note.added")
        assert note.data["text"] == "sq4"
        assert "severity.changed" not in await kinds(app)
        assert app.active_pane == "alerts" and app.is_running


async def test_escape_cancels_and_focus_returns_without_journal_noise(tmp_path: Path) -> None:
    app, _ = demo_app(tmp_path / "j.sqlite")
    async with app.run_test(size=(160, 48)) as pilot:
        await refresh_sources(app)
        await pilot.press("4")
        await pilot.pause()
        focused = app.focused
        views = (await kinds(app)).count("view.focus")
        for _ in range(3):
            await pilot.press("t")
            await pilot.pause()
            assert isinstance(app.prompt, ChoicePrompt)
            await pilot.press("tab", "tab")  # focus cannot leave the open prompt
            assert app.focused is not None and app.prompt in app.focused.ancestors_with_self
            await pilot.press("escape")
            await pilot.pause()
            assert app.prompt is None
            assert app.focused is focused
        assert (await kinds(app)).count("view.focus") == views
        assert "status.changed" not in await kinds(app)


async def test_leaving_right_after_start_still_journals_the_end(tmp_path: Path) -> None:
    """The history loads after the first frame; an immediate exit must not wait on it forever."""
    import asyncio

    import pytest

    from cockpit.journal.store import Journal
    from cockpit.model import Draft

    async with await Journal.open(tmp_path / "j.sqlite") as journal:  # a long history
        drafts = [
            Draft(
                incident="INC-20261128-1905",
                kind="note.added",
                actor="bob",
                data={"type": "note", "text": f"note {i}"},
            )
            for i in range(3000)
        ]
        await journal.append_many(drafts)
    app, _ = demo_app(tmp_path / "j.sqlite")

    async def start_and_fail() -> None:
        async with app.run_test(size=(160, 48)):
            raise RuntimeError("terminal went away")

    with pytest.raises(RuntimeError):
        await asyncio.wait_for(start_and_fail(), timeout=20)
    async with await Journal.open(tmp_path / "j.sqlite", create=False) as journal:
        kinds = [e.kind for e in await journal.events()]
    assert kinds[-1] == "session.ended"
