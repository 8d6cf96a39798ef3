"""Hostile text from sources and notes renders as inert characters on the real screen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cockpit.model import Alert, K8sEvent, Snapshot
from cockpit.screens.detail import DetailScreen, describe_item

from .harness import (
    T0,
    demo_app,
    journal_rows,
    selected_item,
    show_health,
    show_snapshot,
    wait_for,
    wait_for_row,
    wait_for_text,
)

HOSTILE = (
    "[@click=app.quit]x[/]",
    "[link=http://example.invalid]x[/]",
    "\x1b]52;c;aGk=\x07",
    "\x1b[2J",
    "a\rb",
)


def k8s_event(message: str, uid: str = "evil-1", **fields: Any) -> K8sEvent:
    values: dict[str, Any] = {
        "uid": uid,
        "namespace": "shop",
        "type": "Warning",
        "reason": "[b]Evil[/b]",
        "object": "Pod/[@click=app.quit]x[/]",
        "message": message,
        "count": 1,
        "last_seen": "2026-11-28T19:05:00.000Z",
    }
    values.update(fields)
    return K8sEvent(**values)


def hostile_snapshot(*messages: str) -> Snapshot:
    events = tuple(k8s_event(m, uid=f"evil-{i}") for i, m in enumerate(messages, start=1))
    return Snapshot(source="kubernetes", at=T0, events=events, pods=(), deploys=())


async def test_source_text_is_shown_literally_and_cannot_act(tmp_path: Path) -> None:
    app, _ = demo_app(tmp_path / "j.sqlite")
    async with app.run_test(size=(200, 50)) as pilot:
        message = " ".join(reversed(HOSTILE))  # escapes first: the cell is clipped
        show_snapshot(app, hostile_snapshot(message))
        alert = Alert(
            fingerprint="f",
            name="[red]Injected[/red]",
            severity="critical",
            state="firing",
            labels={"pod": "[@click=app.quit]x[/]", "link": "[link=http://example.invalid]x[/]"},
            annotations={},
            starts_at="2026-11-28T19:04:00.000Z",
        )
        show_snapshot(app, Snapshot(source="alertmanager", at=T0, alerts=(alert,)))
        text = await wait_for_text(pilot, "[red]Injected[/red]", "[b]Evil[/b]")
        assert "[@click=app.quit]x[/]" in text
        assert "[link=http://example.invalid]x[/]" in text.replace("\n", "")
        assert "\x1b" not in text and "\x07" not in text and "\r" not in text
        assert "␛]52;c;aGk=␇" in text and "␛[2J" in text


def cell_after(text: str, anchor: str) -> tuple[int, int]:
    """Screen (x, y) of the cell right after the one place `anchor` is shown."""
    places = [
        (line.index(anchor) + len(anchor), y)
        for y, line in enumerate(text.splitlines())
        if anchor in line
    ]
    assert len(places) == 1, f"{anchor!r} shown {len(places)} times"
    return places[0]


async def test_clicking_an_injected_action_or_link_does_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Click the very cell where the injected link would be: no action, no URL, no row.

    The anchors before the injected markup ("quit:", "link:") are plain text, so the cell
    after each is the injected link's first character if it were rendered as markup, and
    the literal "[" when it is (rightly) shown as text.
    """
    app, _ = demo_app(tmp_path / "j.sqlite")
    actions: list[object] = []
    urls: list[str] = []
    run_action = app.run_action

    async def spy_action(action: Any, *args: Any, **kwargs: Any) -> bool:
        actions.append(action)
        return await run_action(action, *args, **kwargs)

    monkeypatch.setattr(app, "run_action", spy_action)
    monkeypatch.setattr(app, "open_url", lambda url, **kw: urls.append(url))
    async with app.run_test(size=(200, 50)) as pilot:
        show_snapshot(
            app,
            hostile_snapshot(
                "quit:[@click=app.quit]Q[/]",
                "link:[link=http://example.invalid]L[/]",
            ),
        )
        await pilot.press("3")  # focus the pane first: the click itself changes no focus
        await wait_for_row(pilot, "view.focus", where=lambda e: e.data["pane"] == "kubernetes")
        text = await wait_for_text(pilot, "quit:", "link:")
        rows_before = await journal_rows(app)
        actions.clear()
        for anchor, uid in (("quit:", "evil-1"), ("link:", "evil-2")):
            x, y = cell_after(text, anchor)
            widget, _ = app.get_widget_at(x, y)
            assert widget.id == "kubernetes"
            style = app.screen.get_style_at(x, y)
            assert style.link is None and "@click" not in style.meta, (
                f"{anchor} cell is live: {style}"
            )
            await pilot.click(offset=(x, y))
            # the click landed on that row: the cursor moved there, and nothing else
            assert getattr(selected_item(app), "uid", None) == uid
            assert actions == [] and urls == []
            assert app.is_running
        # a later key is journaled after anything the clicks could have caused
        await pilot.press("s", "1")
        await wait_for_row(pilot, "severity.changed")
        new_rows = (await journal_rows(app))[len(rows_before) :]
        assert [e.kind for e in new_rows] == ["severity.changed"]
        assert app.is_running


async def test_hostile_note_is_inert_in_the_timeline(tmp_path: Path) -> None:
    app, _ = demo_app(tmp_path / "j.sqlite")
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("n")
        for char in "[@click=app.quit]x[/]":
            await pilot.press(char)
        await pilot.press("enter")
        await wait_for_text(pilot, "note: [@click=app.quit]x[/]")
        assert app.is_running


async def test_one_megabyte_message_truncated_in_pane_full_in_detail(tmp_path: Path) -> None:
    app, _ = demo_app(tmp_path / "j.sqlite")
    huge = "overflow " + "x" * 1_000_000
    async with app.run_test(size=(160, 48)) as pilot:
        show_snapshot(app, hostile_snapshot(huge))
        await pilot.press("3")
        text = await wait_for_text(pilot, "overflow xxx")
        assert len(text) < 20_000  # the screen holds a truncated cell, not the megabyte
        pane_item = await wait_for(
            pilot, lambda: selected_item(app), what="an event selected in the pane"
        )
        assert pane_item.message == huge
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: isinstance(app.screen, DetailScreen), what="the detail to open"
        )
        assert isinstance(app.screen, DetailScreen)
        assert huge in describe_item(app.screen.item)


async def test_source_error_text_is_inert_in_pane_titles(tmp_path: Path) -> None:
    from cockpit.model import SourceHealth

    app, _ = demo_app(tmp_path / "j.sqlite")
    async with app.run_test(size=(160, 48)) as pilot:
        show_health(
            app,
            SourceHealth(
                name="kubernetes",
                up=False,
                last_ok=T0,
                started=True,
                error="[@click=app.quit]boom[/] \x1b[2J",
            ),
        )
        text = await wait_for_text(pilot, "[@click=app.quit]boom[/]", "␛[2J")
        assert "\x1b" not in text
        assert app.is_running
