"""Status bar: incident, severity badge, status, time since declared, operator, source health."""

from __future__ import annotations

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


class StatusBar(TextLine):
    DEFAULT_CSS = """
    StatusBar { height: auto; max-height: 2; background: $panel; color: $foreground; padding: 0 1; }
    """


def render_status(
    state: IncidentState,
    operator: str,
    health: list[SourceHealth],
    now: float,
    *,
    wall_now: float | None = None,
    viewers: tuple[str, ...] = (),
    stale_after: float = 30.0,
) -> Text:
    text = Text()
    text.append(state.id, style="bold")
    text.append(" │ ")
    if state.title:
        text.append_text(inert(state.title, limit=50))
    else:
        text.append("not declared: press i", style="italic")
    text.append("  ")
    sev = state.severity or "SEV?"
    text.append(f" {sev} ", style=SEV_BADGE_STYLE.get(sev, "reverse"))
    text.append(" ")
    text.append(state.status, style=STATUS_STYLE.get(state.status, ""))
    since = state.declared or state.started
    if since:
        text.append(f" for {age(now - parse_ts(since).timestamp())}")
    text.append(" │ op ")
    text.append_text(inert(operator, limit=30, style="bold"))
    if viewers:
        # everyone attached to this tmux session sees (and may type into) this screen
        more = f" +{len(viewers) - 4}" if len(viewers) > 4 else ""
        text.append(f" (tmux: {', '.join(viewers[:4])}{more})", style="dim")
    for h in health:
        text.append(" │ " if h is health[0] else "  ")
        data_age = h.age(now if wall_now is None else wall_now)
        if not h.started and h.last_ok is None and h.error is None:
            text.append(f"◌ {h.name}", style="dim")
        elif not h.up:
            text.append(f"✖ {h.name} down", style="bold red")
            if data_age is not None:
                text.append(f" ({age(data_age)} old)", style="red")
        elif h.error:
            text.append(f"▲ {h.name} partial", style="yellow")
        elif data_age is not None and data_age > stale_after:
            text.append(f"▲ {h.name} {age(data_age)} old", style="yellow")
        else:
            # fresh data needs no number: a ticking age would repaint the bar every second
            text.append(f"● {h.name}", style="green")
    return text
