"""Prompts open over the live panes: type-ahead, focus, and what they leave in the journal."""

from __future__ import annotations

from pathlib import Path

from cockpit.app import CockpitApp
from cockpit.screens.prompts import ChoicePrompt, NotePrompt

from .harness import (
    active_pane,
    demo_app,
    journal_rows,
    open_prompt,
    refresh_sources,
    wait_for,
    wait_for_row,
    wait_for_text,
)


async def kinds(app: CockpitApp) -> list[str]:
    return [e.kind for e in await journal_rows(app)]


async def test_typed_ahead_digit_lands_in_the_prompt(tmp_path: Path) -> None:
    app, _ = demo_app(tmp_path / "j.sqlite")
    async with app.run_test(size=(160, 48)) as pilot:
        await refresh_sources(app)
        # both keys queued before the prompt exists: the 2 must answer it, not switch panes
        await pilot.press("s", "2")
        assert (await wait_for_row(pilot, "severity.changed")).data == {"severity": "SEV2"}
        await wait_for(pilot, lambda: open_prompt(app) is None, what="the prompt to close")
        assert active_pane(app) == "alerts"
        assert "view.focus" not in await kinds(app)


async def test_panes_stay_live_and_visible_under_a_prompt(tmp_path: Path) -> None:
    app, clock = demo_app(tmp_path / "j.sqlite", elapsed=20.0)
    async with app.run_test(size=(160, 48)) as pilot:
        await refresh_sources(app)
        await pilot.press("n")
        before = await wait_for_text(pilot, "Add to the journal")
        assert isinstance(open_prompt(app), NotePrompt)
        assert "HighErrorRate" not in before
        clock.advance(120)  # the incident moves on while the operator types
        await refresh_sources(app)
        after = await wait_for_text(pilot, "HighErrorRate")
        assert "Add to the journal" in after  # the prompt is still there, on top
        assert isinstance(open_prompt(app), NotePrompt)


async def test_keys_are_typed_text_while_a_prompt_is_open(tmp_path: Path) -> None:
    app, _ = demo_app(tmp_path / "j.sqlite")
    async with app.run_test(size=(160, 48)) as pilot:
        await refresh_sources(app)
        await pilot.press("n")
        await wait_for(
            pilot, lambda: isinstance(open_prompt(app), NotePrompt), what="a note prompt"
        )
        for key in "sq4":  # severity, quit, pane 4: all just letters in the note
            await pilot.press(key)
        await pilot.press("enter")
        note = await wait_for_row(pilot, "note.added")
        assert note.data["text"] == "sq4"
        assert "severity.changed" not in await kinds(app)
        assert active_pane(app) == "alerts" and app.is_running


async def test_escape_cancels_and_focus_returns_without_journal_noise(tmp_path: Path) -> None:
    app, _ = demo_app(tmp_path / "j.sqlite")
    async with app.run_test(size=(160, 48)) as pilot:
        await refresh_sources(app)
        await pilot.press("4")
        await wait_for_row(pilot, "view.focus", where=lambda e: e.data["pane"] == "deploys")
        focused = app.focused
        views = (await kinds(app)).count("view.focus")
        for _ in range(3):
            await pilot.press("t")
            await wait_for(
                pilot, lambda: isinstance(open_prompt(app), ChoicePrompt), what="a choice prompt"
            )
            await pilot.press("tab", "tab")  # focus cannot leave the open prompt
            prompt = open_prompt(app)
            assert app.focused is not None and prompt in app.focused.ancestors_with_self
            await pilot.press("escape")
            await wait_for(pilot, lambda: open_prompt(app) is None, what="the prompt to close")
            assert app.focused is focused
        # a later action is journaled after anything the prompts could have caused
        await pilot.press("s", "1")
        await wait_for_row(pilot, "severity.changed")
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
