"""The screen keeps up with time (issue 11 item 9): age cells tick every second without
repainting whole panes; a filtered pane says so in its title and filters while typing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.geometry import Region

from cockpit.app import CockpitApp
from cockpit.model import Alert, Snapshot, SourceHealth, format_ts
from cockpit.panes.alerts import AlertsPane
from cockpit.panes.kubernetes import KubernetesPane

from .harness import demo_app, panes_mounted, refresh_sources, wait_for, wait_for_text
from .screen import screen_text


@pytest.fixture
def journal_path(tmp_path: Path) -> Path:
    return tmp_path / "journal.sqlite"


def alert(name: str, started: float, **labels: str) -> Alert:
    return Alert(
        fingerprint=name,
        name=name,
        severity="critical",
        state="firing",
        labels={"alertname": name, **labels},
        annotations={},
        starts_at=format_ts(datetime.fromtimestamp(started, UTC)),
    )


async def show_alerts(app: CockpitApp, *alerts: Alert) -> None:
    await panes_mounted(app)
    now = app.session.clock()
    app.main.on_health(SourceHealth("alertmanager", up=True, last_ok=now, started=True))
    app.main.on_snapshot(Snapshot(source="alertmanager", at=now, alerts=alerts))


async def test_age_cells_advance_every_second_without_repainting_the_pane(
    journal_path: Path,
) -> None:
    app, clock = demo_app(journal_path)
    app.session.tick_s = 1.0  # the real timer, as a live cockpit runs it
    async with app.run_test(size=(160, 48)) as pilot:
        await show_alerts(app, alert("CheckoutErrors", app.session.clock() - 17))
        pane = app.main.query_one(AlertsPane)
        await wait_for_text(pilot, "CheckoutErrors", "17s")

        repaints: list[Any] = []
        original = pane.refresh

        def spy(*regions: Region, **kwargs: Any) -> Any:
            repaints.append((regions, kwargs))
            return original(*regions, **kwargs)

        pane.refresh = spy  # type: ignore[method-assign]
        for want in ("18s", "19s", "20s"):
            # no new snapshot: only the clock moves, one second at a time
            clock.advance(1.0)
            await wait_for(
                pilot,
                lambda want=want: want in row_of(screen_text(app), "CheckoutErrors"),
                timeout=2.5,
                what=f"the Since cell to read {want}",
            )
        # only the changed cells' rows were repainted, never the whole pane
        assert repaints and all(regions for regions, _ in repaints), repaints


def row_of(screen: str, text: str) -> str:
    return next((line for line in screen.splitlines() if text in line), "")


async def test_filter_applies_while_typing_and_titles_the_pane(journal_path: Path) -> None:
    app, _ = demo_app(journal_path)
    async with app.run_test(size=(160, 48)) as pilot:
        now = app.session.clock()
        await show_alerts(
            app,
            alert("HighErrorRate", now - 60, service="checkout"),
            alert("DiskFull", now - 120, service="billing"),
            alert("NodeDown", now - 300, instance="n1"),
        )
        pane = app.main.query_one(AlertsPane)
        await wait_for(pilot, lambda: len(pane.items) == 3, what="three alerts")
        await pilot.press("1", "slash", *"checkout")
        # no enter: the rows and the title follow each key, as in k9s
        title = "1 Alerts /checkout (1 of 3)"
        await wait_for(pilot, lambda: str(pane.border_title) == title, what=title)
        assert list(pane.items) == ["HighErrorRate"]
        assert title in screen_text(app)
        await pilot.press("backspace", "backspace", "backspace", "backspace")  # "chec"
        await wait_for(
            pilot, lambda: str(pane.border_title) == "1 Alerts /chec (1 of 3)", what="chec"
        )
        await pilot.press("enter")  # kept after the line closes
        await wait_for(pilot, lambda: "/chec (1 of 3)" in screen_text(app), what="kept")
        await pilot.press("escape")
        await wait_for(
            pilot,
            lambda: str(pane.border_title) == "1 Alerts (3 firing)" and len(pane.items) == 3,
            what="the filter cleared",
        )


async def test_clearing_a_filter_restores_the_panes_own_title(journal_path: Path) -> None:
    app, _ = demo_app(journal_path, elapsed=900)
    async with app.run_test(size=(160, 48)) as pilot:
        await refresh_sources(app)
        pane = app.main.query_one(KubernetesPane)
        await wait_for(pilot, lambda: len(pane.items) >= 2, what="two warnings")
        heading = str(pane.border_title)
        assert heading.startswith("3 Kubernetes (") and "warnings" in heading
        reason = next(iter(pane.items.values())).reason.lower()
        await pilot.press("3", "slash", *reason)
        await wait_for(
            pilot,
            lambda: str(pane.border_title).startswith(f"3 Kubernetes /{reason} ("),
            what="the filtered title",
        )
        await pilot.press("escape")
        await wait_for(pilot, lambda: str(pane.border_title) == heading, what=heading)
