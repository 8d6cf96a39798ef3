"""Status bar: incident, severity badge, status and how long, operator, source health."""

from __future__ import annotations

import re
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
    team: str | None = None,
) -> Text:
    """The one status line. With `width`, it never wraps: the title gives way first, then
    the source list shortens (`● prom ● am ● k8s`), then the details, then it is cut.
    `stale_after`: seconds after which a source's data is stale, for all or by source name
    (None: only a down source is stale). `team`: the team journal's state, when configured
    (`team: offline, 3 queued (since 14:02)`), kept with the sources."""
    data_now = now if wall_now is None else wall_now
    # (short names, details, tight): each step gives up a little more; tight drops the
    # title and the "op" and "for" words, so that an 80-column bar still shows every source
    # and how stale or degraded it is; the details go last
    steps = ((False, True, False), (True, True, False), (True, True, True), (True, False, True))
    for short, details, tight in steps:
        sources = _sources(health, data_now, stale_after, short=short, details=details)
        if team:
            sources += _team(team)
        people = _people(operator, viewers, few=short and not details, tight=tight)

        def line(title_limit: int, people: Text = people, tight: bool = tight) -> Text:
            return _head(state, now, title_limit=title_limit, tight=tight) + people

        full = line(50) + sources
        if width is None or full.cell_len <= width:
            return full
        if tight:
            continue  # no title to give way
        room = width - (line(0) + sources).cell_len
        if room >= MIN_TITLE:
            fitted = line(min(50, room)) + sources
            if fitted.cell_len <= width:
                return fitted
    # still too wide: the head is cut, the sources stay whole as long as they fit at all
    head = line(0)
    head.truncate(max(0, width - sources.cell_len), overflow="ellipsis")
    cut = head + sources
    cut.truncate(width, overflow="ellipsis")
    return cut


def _head(state: IncidentState, now: float, *, title_limit: int, tight: bool) -> Text:
    text = Text()
    text.append(state.id, style="bold")
    text.append(" │ ")
    if tight:
        pass  # no title: the id names the incident
    elif state.title:
        if title_limit:
            # cut here, to the cell: inert's own limit adds a "(+N chars)" note
            title = inert(state.title, limit=None)
            title.truncate(title_limit, overflow="ellipsis")
            text.append_text(title)
        text.append("  ")
    else:
        hint = "not declared: press i" if title_limit >= MIN_TITLE else "press i"
        text.append(hint, style="italic")
        text.append("  ")
    sev = state.severity or "SEV?"
    text.append(f" {sev} ", style=SEV_BADGE_STYLE.get(sev, "reverse"))
    text.append(" ")
    text.append(state.status, style=STATUS_STYLE.get(state.status, ""))
    # "identified for 7m": since the status was set (investigating: since the start)
    since = state.status_since or state.started
    if since:
        took = age(now - parse_ts(since).timestamp())
        text.append(f" {took}" if tight else f" for {took}")
    return text


def _people(operator: str, viewers: tuple[str, ...], *, few: bool, tight: bool) -> Text:
    text = Text(" │ " if tight else " │ op ")
    text.append_text(inert(operator, limit=12 if tight else 30, style="bold"))
    if not viewers:
        return text
    # everyone attached to this tmux session sees (and may type into) this screen
    if few or tight:
        text.append(f" (tmux: {len(viewers)})", style="dim")
    else:
        more = f" +{len(viewers) - 4}" if len(viewers) > 4 else ""
        text.append(f" (tmux: {', '.join(viewers[:4])}{more})", style="dim")
    return text


def _team(team: str) -> Text:
    style = "dim" if team == "team: online" else "bold yellow"
    return Text.assemble(" │ ", (team, style))


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
            count = re.search(r"\d+/\d+", h.error) if short else None
            said = h.error if not short else f"degraded {count.group()}" if count else "degraded"
            text.append(f"▲ {name} {said if details else 'degraded'}", style="yellow")
        elif h.error:
            text.append(f"▲ {name} partial", style="yellow")
        elif data_age is not None and limit is not None and data_age > limit:
            stale = f"▲ {name} stale {age(data_age)}" if details else f"▲ {name} stale"
            text.append(stale, style="yellow")
        else:
            # fresh data needs no number: a ticking age would repaint the bar every second
            text.append(f"● {name}", style="green")
    return text
