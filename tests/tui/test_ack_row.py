"""An acknowledged alert says so on its row at the widths responders use (issue 12 item 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tui.harness import demo_app, refresh_sources, wait_for, wait_for_row
from tests.tui.screen import screen_text


def alert_row(app) -> str:  # type: ignore[no-untyped-def]
    """The alert's row in the alerts pane (the panes right of it share the screen line)."""
    line = next(line for line in screen_text(app).splitlines() if "HighErrorRate" in line)
    return line.split("││")[0]


@pytest.mark.parametrize("size", [(120, 36), (80, 24), (160, 48)])
async def test_ack_is_on_the_row_at_every_width(tmp_path: Path, size: tuple[int, int]) -> None:
    app, _ = demo_app(tmp_path / "j.sqlite")
    async with app.run_test(size=size) as pilot:
        await refresh_sources(app)
        await wait_for(pilot, lambda: "HighErrorRate" in screen_text(app))
        assert "ack " not in alert_row(app)
        await pilot.press("1", "a")  # critical sorts first: HighErrorRate is selected
        ack = await wait_for_row(pilot, "alert.acknowledged")
        # folded from the journal, as every cockpit on the incident shows it
        shown = f"ack alice {ack.ts[11:16]}"
        await wait_for(pilot, lambda: shown in alert_row(app), what=shown)
