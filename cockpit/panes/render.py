"""Renderers shared by the panes: sparklines, ages, badges (text + symbol, not colour alone)."""

from __future__ import annotations

from rich.text import Text

from cockpit.model import PanelSeries, parse_ts

BLOCKS = "▁▂▃▄▅▆▇█"
LEVEL_STYLE = {"ok": "green", "warn": "yellow", "crit": "bold red", "unknown": "dim"}
LEVEL_MARK = {"ok": "✓", "warn": "▲", "crit": "✖", "unknown": "?"}
SEVERITY_STYLE = {
    "critical": "bold white on red",
    "error": "bold red",
    "warning": "bold black on yellow",
    "info": "cyan",
}
SEVERITY_MARK = {"critical": "✖ CRIT", "error": "✖ ERR", "warning": "▲ WARN", "info": "● INFO"}
SEV_BADGE_STYLE = {
    "SEV1": "bold white on red",
    "SEV2": "bold black on dark_orange",
    "SEV3": "bold black on yellow",
    "SEV4": "black on cyan",
    "SEV5": "black on white",
}


def sparkline(series: PanelSeries, width: int) -> Text:
    """Last `width` points as block characters; a missing sample is a gap, never a zero."""
    points = [v for _, v in series.points][-width:] if width > 0 else []
    values = [v for v in points if v is not None]
    text = Text(" " * (width - len(points)))
    if not values:
        text.append(" " * len(points))
        return text
    low, high = min(values), max(values)
    if series.panel.warn is not None:
        high = max(high, series.panel.warn)  # keep healthy noise from looking like a spike
    span = high - low or 1.0
    style = LEVEL_STYLE[series.level()]
    for value in points:
        if value is None:
            text.append(" ")
            continue
        index = int((value - low) / span * (len(BLOCKS) - 1))
        text.append(BLOCKS[max(0, min(index, len(BLOCKS) - 1))], style=style)
    return text


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if abs(value) >= 1000:
        shown = f"{value:,.0f}"
    elif abs(value) >= 10:
        shown = f"{value:.1f}"
    else:
        shown = f"{value:.2f}"
    return f"{shown} {unit}".strip()


def age(seconds: float | None) -> str:
    if seconds is None:
        return "never"
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h{(seconds % 3600) // 60:02d}m"
    return f"{seconds // 86400}d"


def age_since(ts: str, now: float) -> str:
    if not ts:
        return "?"
    try:
        return age(now - parse_ts(ts).timestamp())
    except ValueError:
        return "?"


def severity_badge(severity: str) -> Text:
    key = severity.lower()
    return Text(
        SEVERITY_MARK.get(key, f"● {severity[:5].upper()}"), style=SEVERITY_STYLE.get(key, "")
    )


def level_value(series: PanelSeries) -> Text:
    level = series.level()
    text = Text(f"{LEVEL_MARK[level]} ", style=LEVEL_STYLE[level])
    text.append(format_value(series.latest, series.panel.unit), style=LEVEL_STYLE[level])
    return text
