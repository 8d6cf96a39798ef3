"""Hostile text from sources and notes renders as inert characters on the real screen."""

from __future__ import annotations

from pathlib import Path

from cockpit.model import Alert, K8sEvent, Snapshot
from cockpit.screens.detail import DetailScreen, describe_item

from .harness import T0, demo_app
from .screen import screen_text

HOSTILE = (
    "[@click=app.quit]x[/]",
    "[link=http://example.invalid]x[/]",
    "\x1b]52;c;aGk=\x07",
    "\x1b[2J",
    "a\rb",
)


def hostile_snapshot(message: str) -> Snapshot:
    event = K8sEvent(
        uid="evil-1",
        namespace="shop",
        type="Warning",
        reason="[b]Evil[/b]",
        object="Pod/[@click=app.quit]x[/]",
        message=message,
        count=1,
        last_seen="2026-11-28T19:05:00.000Z",
    )
    return Snapshot(source="kubernetes", at=T0, events=(event,), pods=(), deploys=())


async def test_source_text_is_shown_literally_and_cannot_act(tmp_path: Path) -> None:
    app, _ = demo_app(tmp_path / "j.sqlite")
    async with app.run_test(size=(200, 50)) as pilot:
        message = " ".join(reversed(HOSTILE))  # escapes first: the cell is clipped
        app.on_snapshot(hostile_snapshot(message))
        alert = Alert(
            fingerprint="f",
            name="[red]Injected[/red]",
            severity="critical",
            state="firing",
            labels={"pod": "[@click=app.quit]x[/]", "link": "[link=http://example.invalid]x[/]"},
            annotations={},
            starts_at="2026-11-28T19:04:00.000Z",
        )
        app.on_snapshot(Snapshot(source="alertmanager", at=T0, alerts=(alert,)))
        await pilot.pause()
        text = screen_text(app)
        assert "[@click=app.quit]x[/]" in text
        assert "[link=http://example.invalid]x[/]" in text.replace("\n", "")
        assert "[red]Injected[/red]" in text and "[b]Evil[/b]" in text
        assert "\x1b" not in text and "\x07" not in text and "\r" not in text
        assert "␛]52;c;aGk=␇" in text and "␛[2J" in text
        # clicking the would-be link does nothing: the app is still running
        await pilot.click("#kubernetes")
        await pilot.pause()
        assert app.is_running


async def test_hostile_note_is_inert_in_the_timeline(tmp_path: Path) -> None:
    app, _ = demo_app(tmp_path / "j.sqlite")
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("n")
        for char in "[@click=app.quit]x[/]":
            await pilot.press(char)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert "note: [@click=app.quit]x[/]" in screen_text(app)
        assert app.is_running


async def test_one_megabyte_message_truncated_in_pane_full_in_detail(tmp_path: Path) -> None:
    app, _ = demo_app(tmp_path / "j.sqlite")
    huge = "overflow " + "x" * 1_000_000
    async with app.run_test(size=(160, 48)) as pilot:
        app.on_snapshot(hostile_snapshot(huge))
        await pilot.pause()
        await pilot.press("3")
        await pilot.pause()
        text = screen_text(app)
        assert "overflow xxx" in text
        assert len(text) < 20_000  # the screen holds a truncated cell, not the megabyte
        pane_item = app.selected_item()
        assert pane_item is not None and pane_item.message == huge
        await pilot.press("enter")
        await pilot.pause(0.5)
        assert isinstance(app.screen, DetailScreen)
        assert huge in describe_item(app.screen.item)


async def test_source_error_text_is_inert_in_pane_titles(tmp_path: Path) -> None:
    from cockpit.model import SourceHealth

    app, _ = demo_app(tmp_path / "j.sqlite")
    async with app.run_test(size=(160, 48)) as pilot:
        app.on_health(
            SourceHealth(
                name="kubernetes",
                up=False,
                last_ok=T0,
                started=True,
                error="[@click=app.quit]boom[/] \x1b[2J",
            )
        )
        await pilot.pause()
        text = screen_text(app)
        assert "[@click=app.quit]boom[/]" in text and "␛[2J" in text
        assert "\x1b" not in text
        assert app.is_running
