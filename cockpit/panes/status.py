"""Status bar: incident, severity badge, status and how long, operator, source health."""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text

from cockpit.model import IncidentState, SourceHealth, parse_ts
from cockpit.panes.lines import TextLine
from cockpit.panes.render import SEV_BADGE_STYLE, age
from cockpit.text import inert

STATUS_STYLE = {
    "investigating": "bold yellow",
    "identified": "bold dark_orange",
    "monitoring": "bold cyan",
    "resolved": "bold green",
}


# Shorter names for the source list when the bar would not fit on one line
SHORT_NAMES = {"prometheus": "prom", "alertmanager": "am", "kubernetes": "k8s", "gitops": "git"}
MIN_TITLE = 12  # the title gives way before the sources do, down to this many cells


class StatusBar(TextLine):
    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; color: $foreground; padding: 0 1; }
    """


def render_status(
    state: IncidentState,
    operator: str,
    health: list[SourceHealth],
    now: float,
    *,
    wall_now: float | None = None,
    viewers: tuple[str, ...] = (),
    stale_after: float | Mapping[str, float | None] = 30.0,
    width: int | None = None,
) -> Text:
    """The one status line. With `width`, it never wraps: the title gives way first, then
    the source list shortens (`● prom ● am ● k8s`), then the details, then it is cut.
    `stale_after`: seconds after which a source's data is stale, for all or by source name
    (None: only a down source is stale)."""
    data_now = now if wall_now is None else wall_now

    def line(sources: Text, viewers_text: Text, title_limit: int) -> Text:
        return _join(_head(state, now, title_limit=title_limit), operator, viewers_text, sources)

    # (short names, details, viewers as a count): each step gives up a little more
    for short, details, few in ((False, True, False), (True, True, False), (True, False, True)):
        sources = _sources(health, data_now, stale_after, short=short, details=details)
        viewers_text = _viewers(viewers, few=few)
        full = line(sources, viewers_text, 50)
        if width is None or full.cell_len <= width:
            return full
        room = width - line(sources, viewers_text, 0).cell_len
        if room >= MIN_TITLE or not state.title:
            fitted = line(sources, viewers_text, max(1, min(50, room)))
            if fitted.cell_len <= width:
                return fitted
    cut = line(sources, viewers_text, MIN_TITLE)
    cut.truncate(width, overflow="ellipsis")
    return cut


def _head(state: IncidentState, now: float, *, title_limit: int) -> Text:
    text = Text()
    text.append(state.id, style="bold")
    text.append(" │ ")
    if state.title:
        if title_limit:
            text.append_text(inert(state.title, limit=title_limit))
    else:
        text.append("not declared: press i", style="italic")
    text.append("  ")
    sev = state.severity or "SEV?"
    text.append(f" {sev} ", style=SEV_BADGE_STYLE.get(sev, "reverse"))
    text.append(" ")
    text.append(state.status, style=STATUS_STYLE.get(state.status, ""))
    # "identified for 7m": since the status was set (investigating: since the start)
    since = state.status_since or state.started
    if since:
        text.append(f" for {age(now - parse_ts(since).timestamp())}")
    return text


def _viewers(viewers: tuple[str, ...], *, few: bool) -> Text:
    if not viewers:
        return Text()
    # everyone attached to this tmux session sees (and may type into) this screen
    if few:
        return Text(f" (tmux: {len(viewers)})", style="dim")
    more = f" +{len(viewers) - 4}" if len(viewers) > 4 else ""
    return Text(f" (tmux: {', '.join(viewers[:4])}{more})", style="dim")


def _join(head: Text, operator: str, viewers: Text, sources: Text) -> Text:
    text = head.copy()
    text.append(" │ op ")
    text.append_text(inert(operator, limit=30, style="bold"))
    text.append_text(viewers)
    text.append_text(sources)
    return text


def _sources(
    health: list[SourceHealth],
    now: float,
    stale_after: float | Mapping[str, float | None],
    *,
    short: bool,
    details: bool,
) -> Text:
    text = Text()
    for h in health:
        text.append(" │ " if h is health[0] else (" " if short else "  "))
        name = SHORT_NAMES.get(h.name, h.name) if short else h.name
        limit = stale_after.get(h.name, 30.0) if isinstance(stale_after, Mapping) else stale_after
        data_age = h.age(now)
        if not h.started and h.last_ok is None and h.error is None:
            text.append(f"◌ {name}", style="dim")
        elif not h.up:
            text.append(f"✖ {name} down", style="bold red")
            if data_age is not None and details:
                text.append(f" ({age(data_age)} old)", style="red")
        elif h.error and h.error.startswith("degraded"):
            # "degraded: 4/5 queries timed out": the count matters, when there is room
            text.append(f"▲ {name} {h.error if details else 'degraded'}", style="yellow")
        elif h.error:
            text.append(f"▲ {name} partial", style="yellow")
        elif data_age is not None and limit is not None and data_age > limit:
            text.append(f"▲ {name} stale {age(data_age)}", style="yellow")
        else:
            # fresh data needs no number: a ticking age would repaint the bar every second
            text.append(f"● {name}", style="green")
    return text
