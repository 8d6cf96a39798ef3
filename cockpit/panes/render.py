"""Renderers shared by the panes: sparklines, ages, badges (text + symbol, not colour alone)."""

from __future__ import annotations

from rich.text import Text

from cockpit.model import PanelSeries, parse_ts
from cockpit.text import inert
from cockpit.units import fmt_unit

BLOCKS = "▁▂▃▄▅▆▇█"
LEVEL_STYLE = {"ok": "green", "warn": "yellow", "crit": "bold red", "unknown": "dim"}
LEVEL_MARK = {"ok": "✓", "warn": "▲", "crit": "✖", "unknown": "?"}
# a panel that cannot say anything is not a breach: its own symbols, never ▲ or ✖
QUERY_ERROR_MARK, NO_SERIES_MARK, FETCH_ERROR_MARK = "⊘", "∅", "⚠"
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
    warn = series.panel.warn
    if warn is not None:  # keep healthy noise from looking like a spike (or a dip)
        if series.panel.direction == "below":
            low = min(low, warn)
        else:
            high = max(high, warn)
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
    """A panel value humanised by its unit (the one formatter, cockpit/units.py)."""
    return "—" if value is None else fmt_unit(value, unit)


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
    if series.series_count > 1:  # the worst (or a reduction) of several: say how many
        # short: a half-width pane leaves the value cell ~16 columns; the count must show
        how = f"{series.panel.reduce} of " if series.panel.reduce else ""
        text.append(f" {how}{series.series_count} series", style="dim")
    return text


def metric_label(series: PanelSeries) -> str:
    """A panel as a journal entry names it: 'free disk = 4.66 GiB (worst of 2 series)'."""
    title = series.panel.title
    if series.query_error:
        return f"{title} = query error: {series.error}"
    if series.no_series:
        return f"{title} = no series"
    value = series.latest
    if value is None:
        return f"{title} = no data"
    shown = f"{title} = {fmt_unit(value, series.panel.unit)}"
    if series.series_count > 1:
        shown += f" ({series.panel.reduce or 'worst'} of {series.series_count} series)"
    return shown


def panel_problem(series: PanelSeries) -> Text | None:
    """What a panel shows instead of a value when it has none to judge: a refused query,
    no series, a failed fetch. None when it has a value (or no data yet)."""
    if series.query_error:
        text = Text(f"{QUERY_ERROR_MARK} query error: ", style="bold magenta")
        return text.append_text(inert(series.error or "", limit=200, style="magenta"))
    if series.error:
        text = Text(f"{FETCH_ERROR_MARK} ", style="yellow")
        return text.append_text(inert(series.error, limit=200, style="yellow"))
    if series.no_series:
        text = Text(f"{NO_SERIES_MARK} no series", style="dim")
        hint = series.panel.metric_hint
        if hint:  # metric names come from the config: still shown as text only
            text.append_text(inert(f": is {hint} exported?", limit=120, style="dim italic"))
        return text
    return None
