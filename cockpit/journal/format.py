"""Shared formatting for what the exports and the cockpit print: times, durations, values, text.

Pure functions of their arguments, no I/O: the markdown and html renderers, the postmortem
model and the SVG charts all format a duration or a value the same way through here.
"""

from __future__ import annotations

import re
from typing import Any

from cockpit.kinds import describe as describe_kind_data
from cockpit.model import Event

# the one value formatter, shared with the panes (which may not import the journal)
from cockpit.units import fmt_unit as fmt_unit

_MD_SPECIAL = re.compile(r"[\\`*_{}\[\]()#+!|<>~]")
# the same escaping as re.sub(r"([...])", r"\\\1"), but one C pass and none for clean text
_MD_ESCAPES = {ord(c): "\\" + c for c in "\\`*_{}[]()#+!|<>~"}


def md_text(text: Any) -> str:
    """Inert markdown table-cell text: no pipes, code, HTML or line breaks can leak through."""
    flat = " ".join(str(text).split())
    return flat.translate(_MD_ESCAPES) if _MD_SPECIAL.search(flat) else flat


def fmt_duration(seconds: float | None) -> str:
    """'1h 05m', '3m 07s', '42s'; '—' when unknown."""
    if seconds is None:
        return "—"
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def hhmmss(ts: str) -> str:
    """The clock time of a journal timestamp (UTC)."""
    return ts[11:19] if len(ts) >= 19 else ts


def fmt_value(value: float | None) -> str:
    """A metric value short enough for a table cell or an axis label."""
    if value is None:
        return "no data"
    size = abs(value)
    if size >= 1000:
        text = f"{value:,.0f}"
    elif size >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.3g}"
    if "e" not in text and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def describe(event: Event) -> str:
    """A one-line, human description of what an event records (the kind registry's text)."""
    return describe_kind_data(event.kind, event.data)


# A note appears in an export's milestones, timeline and Notes section: a long one is cut in
# the first two (a visible mark says how much), so an export grows with the text once, not
# four times over (a 1 MiB note made a 4.3 MB md and a 3.6 MB html export). Its section
# keeps it whole.
SUMMARY_CHARS = 1000


def cut(text: str, limit: int = SUMMARY_CHARS) -> str:
    """`text`, or its first `limit` characters and a mark naming what was left out."""
    if len(text) <= limit:
        return text
    rest = len(text) - limit
    return (
        f"{text[:limit]} [… {rest:,} more characters cut: whole in the jsonl export and, "
        "for a note, in its section below]"
    )
