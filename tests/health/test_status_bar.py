"""The status bar never wraps (issue 11 item 9, status bar part): at 120 and 80 columns it
shortens the source list (`● prom ● am ● k8s`) instead of spilling onto a second line, and
what it says about each source (down, stale, degraded) survives the shortening."""

from __future__ import annotations

from pathlib import Path

import pytest

from cockpit.model import IncidentState, SourceHealth
from cockpit.panes.status import StatusBar, render_status
from tests.tui.harness import T0, demo_app, refresh_sources, wait_for
from tests.tui.screen import screen_text

NAMES = ("prometheus", "alertmanager", "kubernetes")


def healthy(name: str, last_ok: float = T0, error: str | None = None) -> SourceHealth:
    return SourceHealth(name=name, up=True, last_ok=last_ok, error=error, started=True)


STATE = IncidentState(
    id="INC-20261128-1905",
    title="checkout 5xx after the 19:02 deploy of payments-gateway in eu-west-1",
    severity="SEV2",
    status="investigating",
    started="2026-11-28T19:05:00.000Z",
    declared="2026-11-28T19:05:00.000Z",
)


@pytest.mark.parametrize("width", [200, 120, 100, 80, 60])
def test_fits_one_line_and_keeps_every_source(width: int) -> None:
    health = [healthy(n) for n in NAMES]
    text = render_status(STATE, "alice", health, T0 + 754, wall_now=T0, width=width)
    assert text.cell_len <= width, text.plain
    assert "\n" not in text.plain
    if width >= 120:
        assert "● prometheus  ● alertmanager  ● kubernetes" in text.plain
    else:
        assert text.plain.endswith("● prom ● am ● k8s"), text.plain


def test_long_form_when_it_fits_wide() -> None:
    health = [healthy(n) for n in NAMES]
    text = render_status(STATE, "alice", health, T0 + 754, wall_now=T0, width=200)
    assert "checkout 5xx after the 19:02 deploy" in text.plain
    assert "op alice" in text.plain


@pytest.mark.parametrize("width", [120, 80])
def test_source_trouble_survives_shortening(width: int) -> None:
    health = [
        SourceHealth("prometheus", up=False, last_ok=T0, error="timed out", started=True),
        healthy("alertmanager", last_ok=T0 - 60),
        healthy("kubernetes", error="degraded: 4/5 queries timed out"),
    ]
    text = render_status(
        STATE, "alice", health, T0, width=width, stale_after={"alertmanager": 30.0}
    ).plain
    assert "✖ prom down" in text or "✖ prometheus down" in text, text
    assert ("▲ am stale 1m" if width >= 120 else "▲ am stale") in text, text
    assert "degraded" in text, text


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_bar_is_one_line_on_screen(size: tuple[int, int], tmp_path: Path) -> None:
    app, _ = demo_app(tmp_path / "j.sqlite")
    async with app.run_test(size=size) as pilot:
        await refresh_sources(app)
        await wait_for(pilot, lambda: "k8s" in screen_text(app).splitlines()[0] or None)
        first, second = screen_text(app).splitlines()[:2]
        assert app.main.query_one(StatusBar).size.height == 1
        assert "● prom" in first and "● am" in first and "● k8s" in first, first
        assert "kubernetes" not in second and "k8s" not in second, second
