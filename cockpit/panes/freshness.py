"""Stale is not OK: how old a value is, and how a row says so (text, not only colour).

A value is stale while its source is down or once it is older than two poll intervals; its
row then says `stale 35s` where the level mark (✓ ▲ ✖) was, and the value dims: an old
number must not read as a current, healthy one.
"""

from __future__ import annotations

from rich.text import Text

from cockpit.model import PanelSeries
from cockpit.panes.render import LEVEL_MARK, age

STALE_STYLE = "bold yellow"
_MARKS = frozenset(LEVEL_MARK.values())


def value_age(series: PanelSeries, now: float) -> float | None:
    """Seconds since the sample the row shows (the latest one that is not a gap)."""
    for ts, value in reversed(series.points):
        if value is not None:
            return max(0.0, now - ts)
    return None


def stale_cell(cell: Text, seconds: float) -> Text:
    """The value cell as stale: `stale 35s` instead of the level mark, the value dimmed."""
    mark, _, rest = cell.plain.partition(" ")
    out = Text(f"stale {age(seconds)} ", style=STALE_STYLE)
    out.append(rest if mark in _MARKS else cell.plain, style="dim")
    return out


def freshen(series: PanelSeries, cell: Text, now: float | None, stale_after: float | None) -> Text:
    """`cell` as is while the value is fresh, else as stale with its age."""
    if now is None or stale_after is None or series.error:
        return cell
    seconds = value_age(series, now)
    # stale_after 0: the source is down, so every value it showed is stale, however young
    if seconds is None or (stale_after > 0 and seconds <= stale_after):
        return cell
    return stale_cell(cell, seconds)
