"""SVG snapshots of the seeded demo at a frozen moment: 80x24 and 160x48, two themes; a replay,
prompts, the help screen and the red banner of a journal that cannot be written.

Update after an intended change with `pytest tests/tui/test_snapshots.py --snapshot-update`
and look at the SVGs before committing them. Everything on screen comes from the frozen
clock and the seeded demo: no wall time, no random id is drawn.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from cockpit.journal.store import Journal
from cockpit.observations import ReplayModel
from cockpit.replay import ReplayApp, clock_text
from cockpit.screens.prompts import ChoicePrompt, NotePrompt

from .harness import (
    INCIDENT,
    break_journal_writes,
    demo_app,
    open_prompt,
    record_demo_incident,
    refresh_and_journal,
    replay_moment,
    wait_for,
    wait_for_text,
)


async def _settle(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()  # column widths settle on the next idle


async def _fill(pilot) -> None:  # type: ignore[no-untyped-def]
    await refresh_and_journal(pilot)
    await _settle(pilot)


@pytest.mark.parametrize("theme", ["cockpit-dark", "colour-blind"])
@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_demo_snapshot(snap_compare, tmp_path: Path, theme: str, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app, _ = demo_app(tmp_path / "journal.sqlite", elapsed=75.0, theme=theme)
    assert snap_compare(app, terminal_size=size, run_before=_fill)


def test_replay_at_the_severity_change(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`cockpit replay` of the recorded demo, stopped at the moment `s 2` was pressed: the
    alerts, metrics and timeline as they were then (the later note is not there yet)."""
    path = tmp_path / "journal.sqlite"
    severity = asyncio.run(record_demo_incident(path))

    async def load() -> ReplayModel:
        async with await Journal.open(path, create=False) as journal:
            return await ReplayModel.load(journal, INCIDENT)

    model = asyncio.run(load())
    moment = severity.moment.timestamp()
    app = ReplayApp(model, start=moment)

    async def shown(pilot) -> None:  # type: ignore[no-untyped-def]
        await wait_for_text(pilot, clock_text(moment), "severity set to SEV2")
        assert replay_moment(app) == moment
        await _settle(pilot)

    assert snap_compare(app, terminal_size=(160, 48), run_before=shown)


def test_severity_prompt_over_the_panes(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`s` in a small terminal: the severity chooser open over the live panes."""
    app, _ = demo_app(tmp_path / "journal.sqlite", elapsed=75.0)

    async def ask(pilot) -> None:  # type: ignore[no-untyped-def]
        await refresh_and_journal(pilot)
        await pilot.press("s")
        await wait_for(
            pilot, lambda: isinstance(open_prompt(app), ChoicePrompt), what="the severity chooser"
        )
        await _settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=ask)


def test_note_prompt_with_typed_text(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`n` and a few words: the note prompt, its type chooser and the text being typed."""
    app, _ = demo_app(tmp_path / "journal.sqlite", elapsed=75.0)

    async def ask(pilot) -> None:  # type: ignore[no-untyped-def]
        await refresh_and_journal(pilot)
        await pilot.press("n")
        await wait_for(
            pilot, lambda: isinstance(open_prompt(app), NotePrompt), what="a note prompt"
        )
        await pilot.press(*"rollback", "space", *"v2.4.0?")
        await wait_for_text(pilot, "rollback v2.4.0?")
        await _settle(pilot)

    assert snap_compare(app, terminal_size=(160, 48), run_before=ask)


def test_help_screen(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`?`: every key and what it does."""
    app, _ = demo_app(tmp_path / "journal.sqlite", elapsed=75.0)

    async def help_(pilot) -> None:  # type: ignore[no-untyped-def]
        await refresh_and_journal(pilot)
        await pilot.press("question_mark")
        await wait_for_text(pilot, "Declare the incident")
        await _settle(pilot)

    assert snap_compare(app, terminal_size=(160, 48), run_before=help_)


def test_journal_not_writable_banner(snap_compare, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The journal's writes fail (an I/O error): `s 1` is refused with the red banner and an
    error toast, and the status bar still shows the severity as journaled (none)."""
    app, _ = demo_app(tmp_path / "journal.sqlite", elapsed=75.0)

    async def break_it(pilot) -> None:  # type: ignore[no-untyped-def]
        await refresh_and_journal(pilot)
        await break_journal_writes(app, monkeypatch)
        await pilot.press("s", "1")
        await wait_for_text(pilot, "JOURNAL NOT WRITABLE", "nothing was recorded")
        await _settle(pilot)

    assert snap_compare(app, terminal_size=(160, 48), run_before=break_it)
