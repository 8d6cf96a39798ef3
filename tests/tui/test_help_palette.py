"""`?` lists the keys that move around too, in the cockpit and in replay; the palette tells
cockpit's own themes from Textual's built-ins (issue 12 item 8)."""

from __future__ import annotations

from pathlib import Path

from cockpit.journal.store import Journal
from cockpit.observations import ReplayModel
from cockpit.replay import ReplayApp

from .harness import INCIDENT, demo_app, record_demo_incident, wait_for, wait_for_text
from .screen import screen_text

NAVIGATION = ("↑ / ↓", "PgUp / PgDn", "Home / End", "shift+tab", "clear the filter")


async def test_help_lists_the_navigation_keys(tmp_path: Path) -> None:
    app, _ = demo_app(tmp_path / "j.sqlite")
    async with app.run_test(size=(160, 60)) as pilot:
        await pilot.press("question_mark")
        await wait_for_text(pilot, "Moving around", *NAVIGATION)
        # and the keys of the note prompt, where typed letters are text
        await wait_for_text(pilot, "ctrl+j", "a line break in a note")


async def test_replay_help_lists_replay_and_navigation_keys(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    await record_demo_incident(path)
    async with await Journal.open(path, create=False) as journal:
        model = await ReplayModel.load(journal, INCIDENT)
    app = ReplayApp(model)
    async with app.run_test(size=(160, 60)) as pilot:
        await pilot.press("question_mark")
        await wait_for_text(pilot, "replay keys", "go to a time", "play x1", *NAVIGATION[:3])


async def test_palette_groups_cockpit_themes_apart_from_textual_ones(tmp_path: Path) -> None:
    app, _ = demo_app(tmp_path / "j.sqlite")
    async with app.run_test(size=(160, 60)) as pilot:
        await wait_for(pilot, lambda: "cockpit-light" in app.available_themes, what="themes")
        app.action_change_theme()
        text = await wait_for_text(pilot, "cockpit theme: cockpit-dark", "Textual theme: nord")
        lines = text.splitlines()
        ours = [i for i, line in enumerate(lines) if "cockpit theme:" in line]
        textual = [i for i, line in enumerate(lines) if "Textual theme:" in line]
        assert ours and textual and max(ours) < min(textual), "cockpit's themes come first"
        # a search finds both kinds, each still saying which it is
        await pilot.press(*"dark")
        await wait_for_text(pilot, "cockpit theme: cockpit-dark", "Textual theme: textual-dark")
        await pilot.press("escape")
        assert "cockpit theme:" not in screen_text(app) or app.is_running


async def test_help_shows_every_action_and_journal_kind_whole(tmp_path: Path) -> None:
    """Nothing is cut at the help box's edge: a wide terminal shows each text on one line,
    a narrow one wraps it, with the Journal column still on screen."""
    from cockpit.keymap import KEYMAP

    app, _ = demo_app(tmp_path / "wide.sqlite")
    async with app.run_test(size=(160, 60)) as pilot:
        await pilot.press("question_mark")
        text = await wait_for_text(pilot, "cockpit keys")
        for key in KEYMAP[:20]:  # what fits on the first screen
            assert key.description in text and key.journal in text, key.description

    silence = next(k for k in KEYMAP if k.journal == "alert.silenced")
    app, _ = demo_app(tmp_path / "narrow.sqlite")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        text = await wait_for_text(pilot, "cockpit keys")
        words = " ".join(text.split())
        assert all(word in words for word in silence.description.split()), words
        assert "alert.silenced" in text
