"""No typed word is lost, and the note prompt's keys do what its hint says (issue 12 items 7
and 8, issue 16 item 9's paste): asserted on the rows in the journal file and on the screen."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual import events

from cockpit.app import CockpitApp
from cockpit.journal.store import Journal

from .harness import (
    demo_app,
    journal_rows,
    open_prompt,
    refresh_sources,
    wait_for,
    wait_for_row,
    wait_for_text,
    wait_for_timeline,
)
from .screen import screen_text


async def type_text(pilot: Any, text: str) -> None:
    for char in text:
        await pilot.press("space" if char == " " else char)


def prompt_text(app: CockpitApp) -> str | None:
    """What the open prompt holds as typed text (whichever widget holds it)."""
    prompt = open_prompt(app)
    if prompt is None:
        return None
    for widget in prompt.query("TextArea, Input"):
        return str(getattr(widget, "text", None) or getattr(widget, "value", ""))
    return None


async def wait_for_prompt(pilot: Any) -> Any:
    return await wait_for(pilot, lambda: open_prompt(pilot.app), what="a prompt to open")


async def wait_closed(pilot: Any) -> None:
    await wait_for(pilot, lambda: open_prompt(pilot.app) is None, what="the prompt to close")


async def note_rows(app: CockpitApp) -> list[Any]:
    return [e for e in await journal_rows(app) if e.kind == "note.added"]


# -- 12.8: the keys the note prompt names ------------------------------------------------------


async def test_tab_reaches_the_type_and_enter_saves_from_there(tmp_path: Path) -> None:
    app, _ = demo_app(tmp_path / "j.sqlite")
    async with app.run_test(size=(160, 48)) as pilot:
        await refresh_sources(app)
        await pilot.press("n")
        await wait_for_prompt(pilot)
        await wait_for_text(pilot, "tab type")
        await type_text(pilot, "price cache leaks")
        await pilot.press("tab")  # to the type, as the hint says
        await pilot.press("right")  # note -> hypothesis
        await pilot.press("enter")  # saves from the type too, no dropdown
        note = await wait_for_row(pilot, "note.added")
        assert (note.data["type"], note.data["text"]) == ("hypothesis", "price cache leaks")
        await wait_closed(pilot)


async def test_shift_tab_and_a_letter_pick_the_type_enter_saves(tmp_path: Path) -> None:
    app, _ = demo_app(tmp_path / "j.sqlite")
    async with app.run_test(size=(160, 48)) as pilot:
        await refresh_sources(app)
        await pilot.press("n")
        await wait_for_prompt(pilot)
        await type_text(pilot, "roll back")
        await pilot.press("shift+tab", "d", "tab")  # d: decision; tab: back to the text
        await type_text(pilot, " now")
        await pilot.press("enter")
        note = await wait_for_row(pilot, "note.added")
        assert (note.data["type"], note.data["text"]) == ("decision", "roll back now")


# -- 12.7: a refused note keeps its text -----------------------------------------------------


async def test_read_only_refused_note_is_kept_and_n_restores_it(tmp_path: Path) -> None:
    app, _ = demo_app(tmp_path / "j.sqlite", read_only=True)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await refresh_sources(app)
        await pilot.press("n")
        await wait_for_prompt(pilot)
        await pilot.press("shift+tab", "f", "tab")
        await type_text(pilot, "db pool exhausted at 19:02")
        await pilot.press("enter")
        await wait_for_text(pilot, "read-only session: cannot add a note")
        await wait_closed(pilot)
        await pilot.press("n")
        await wait_for_prompt(pilot)
        assert prompt_text(app) == "db pool exhausted at 19:02"
        # the prompt says why the text is back, and keeps the type chosen
        await wait_for_text(pilot, "not journaled: read-only session", "finding")
        assert await note_rows(app) == []


@contextlib.contextmanager
def immutable(*paths: Path) -> Iterator[None]:
    """chattr +i: the files cannot be written, even by root and through open descriptors."""
    done = subprocess.run(["chattr", "+i", *map(str, paths)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"chattr +i not available here: {done.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", *map(str, paths)], check=True)


async def test_note_refused_by_an_unwritable_journal_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    app, _ = demo_app(path)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await wait_for_row(pilot, "session.started")
        files = [p for p in (path, path.with_name(path.name + "-wal")) if p.exists()]
        with immutable(*files):
            await pilot.press("n")
            await wait_for_prompt(pilot)
            await type_text(pilot, "checkout 5xx since 19:01")
            await pilot.press("enter")
            await wait_for_text(pilot, "JOURNAL NOT WRITABLE")
            await wait_closed(pilot)
            await pilot.press("n")
            await wait_for_prompt(pilot)
            assert prompt_text(app) == "checkout 5xx since 19:01"
        # writable again: the restored text is journaled as typed, once
        await pilot.press("enter")
        note = await wait_for_row(pilot, "note.added")
        assert note.data["text"] == "checkout 5xx since 19:01"
        assert len(await note_rows(app)) == 1


# -- 12.7: amend edits the old text; the timeline names the note by number ----------------


async def test_amend_appends_to_the_old_text_and_names_the_note_by_number(
    tmp_path: Path,
) -> None:
    app, _ = demo_app(tmp_path / "j.sqlite")
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await pilot.press("n")
        await type_text(pilot, "cache size 1GB")
        await pilot.press("enter")
        original = await wait_for_row(pilot, "note.added")
        await wait_for_timeline(app, original.seq)
        await pilot.press("5", "m")
        await wait_for_prompt(pilot)
        await type_text(pilot, " then 4GB")  # typing appends: nothing was selected
        await pilot.press("enter")
        amended = await wait_for_row(pilot, "note.amended")
        assert amended.data["text"] == "cache size 1GB then 4GB"
        assert amended.data["amends"] == original.id
        await wait_for_timeline(app, amended.seq)
        text = screen_text(app)
        assert f"amended note #{original.seq}: cache size 1GB then 4GB" in text
        assert original.id not in text and original.id[:8] not in text


# -- 16.9: a multi-line paste keeps every line ---------------------------------------------


async def test_multi_line_paste_keeps_every_line(tmp_path: Path) -> None:
    app, _ = demo_app(tmp_path / "j.sqlite")
    async with app.run_test(size=(160, 48)) as pilot:
        await refresh_sources(app)
        await pilot.press("n")
        await wait_for_prompt(pilot)
        await type_text(pilot, "seen:")
        await pilot.press("ctrl+j")  # a line break typed by hand
        app.post_message(events.Paste("OOMKilled x3\n\tpayments-7f9\nexit 137"))
        await wait_for(pilot, lambda: "exit 137" in (prompt_text(app) or ""), what="the paste")
        await pilot.press("enter")
        note = await wait_for_row(pilot, "note.added")
        assert note.data["text"] == "seen:\nOOMKilled x3\n\tpayments-7f9\nexit 137"
        await wait_for_timeline(app, note.seq)
        # one timeline row, the line breaks shown as inert marks
        assert "note: seen:⏎OOMKilled x3⏎" in screen_text(app)


async def test_paste_while_on_the_type_goes_into_the_text(tmp_path: Path) -> None:
    app, _ = demo_app(tmp_path / "j.sqlite")
    async with app.run_test(size=(160, 48)) as pilot:
        await refresh_sources(app)
        await pilot.press("n")
        await wait_for_prompt(pilot)
        await pilot.press("tab")
        app.post_message(events.Paste("a\nb"))
        await wait_for(pilot, lambda: prompt_text(app) == "a\nb", what="the paste in the text")
        await pilot.press("enter")
        note = await wait_for_row(pilot, "note.added")
        assert note.data["text"] == "a\nb"


async def test_a_refused_title_is_kept_and_i_restores_it(tmp_path: Path) -> None:
    app, _ = demo_app(tmp_path / "j.sqlite", read_only=True)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await refresh_sources(app)
        await pilot.press("i")
        await wait_for_prompt(pilot)
        await type_text(pilot, "checkout 5xx after deploy")
        await pilot.press("enter")
        await wait_for_text(pilot, "read-only session: cannot declare the incident")
        await wait_closed(pilot)
        await pilot.press("i")
        await wait_for_prompt(pilot)
        assert prompt_text(app) == "checkout 5xx after deploy"
        await wait_for_text(pilot, "not journaled: read-only session")
        await type_text(pilot, " v2")  # the kept text is not selected: typing appends
        assert prompt_text(app) == "checkout 5xx after deploy v2"


async def test_a_refused_amendment_is_kept_for_the_next_m_on_that_note(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    app, _ = demo_app(path)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await pilot.press("n")
        await type_text(pilot, "cache size 1GB")
        await pilot.press("enter")
        original = await wait_for_row(pilot, "note.added")
        await wait_for_timeline(app, original.seq)
        await pilot.press("5", "m")
        await wait_for_prompt(pilot)
        files = [p for p in (path, path.with_name(path.name + "-wal")) if p.exists()]
        with immutable(*files):
            await type_text(pilot, ", not 4GB")
            await pilot.press("enter")
            await wait_for_text(pilot, f"m on note #{original.seq} brings it back")
            await wait_closed(pilot)
        await pilot.press("m")
        await wait_for_prompt(pilot)
        assert prompt_text(app) == "cache size 1GB, not 4GB"
        await wait_for_text(pilot, "not journaled: journal not written")
        await pilot.press("enter")
        amended = await wait_for_row(pilot, "note.amended")
        assert amended.data["text"] == "cache size 1GB, not 4GB"


async def test_replay_names_an_amended_note_by_number_when_the_note_is_off_the_tail(
    tmp_path: Path,
) -> None:
    """Replay rebuilds only the newest rows after a jump; the amendment still says #N."""
    from cockpit.model import Draft
    from cockpit.observations import ReplayModel
    from cockpit.replay import TIMELINE_TAIL, ReplayApp

    from .harness import INCIDENT, T0

    path = tmp_path / "j.sqlite"
    note = Draft(INCIDENT, "note.added", "alice", {"type": "note", "text": "cache 1GB"}, {})
    fillers = [
        Draft(INCIDENT, "pod.seen", "kubernetes", {"n": i}, {}) for i in range(TIMELINE_TAIL + 5)
    ]
    amend = Draft(INCIDENT, "note.amended", "bob", {"amends": note.id, "text": "cache 4GB"}, {})
    async with await Journal.open(path) as journal:
        stored = await journal.append_many([note, *fillers, amend])
        model = await ReplayModel.load(journal, INCIDENT)
    app = ReplayApp(model, start=T0 + 10**9)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for_text(pilot, "amended note #")
        assert f"amended note #{stored[0].seq}: cache 4GB" in screen_text(app)
