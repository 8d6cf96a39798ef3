"""A value older than two poll intervals is stale, said in text (issue 11 item 2)."""

from __future__ import annotations

from cockpit.model import Panel, PanelSeries
from cockpit.panes.freshness import freshen
from cockpit.panes.render import level_value

NOW = 1_800_000_000.0


def series(*points: tuple[float, float | None]) -> PanelSeries:
    return PanelSeries(Panel("5xx", "q", "req/s", 1.0, 5.0), points=points)


def test_fresh_value_keeps_its_level_mark() -> None:
    s = series((NOW - 15, 0.2), (NOW, 0.3))
    assert freshen(s, level_value(s), NOW + 10, 30.0).plain.startswith("✓ ")


def test_value_older_than_two_intervals_says_stale_and_dims() -> None:
    # the last step is a gap: the row's value is the one from a minute ago
    s = series((NOW - 60, 7.2), (NOW, None))
    cell = freshen(s, level_value(s), NOW, 30.0)
    assert cell.plain.startswith("stale 1m ") and "7.20 req/s" in cell.plain
    assert "✖" not in cell.plain  # a breach a minute ago is not claimed as now
    assert any("dim" in str(span.style) for span in cell.spans)


def test_any_value_of_a_down_source_is_stale() -> None:
    s = series((NOW, 0.3))
    assert freshen(s, level_value(s), NOW + 5, 0.0).plain.startswith("stale 5s ")
