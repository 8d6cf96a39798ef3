"""Render an incident's events as jsonl (for tooling), or markdown or html (the postmortem)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from cockpit.model import Event

FORMATS = ("md", "jsonl", "html")


def to_jsonl(events: Iterable[Event]) -> str:
    """One JSON object per line with every column; `cockpit import` reads it back."""
    return "".join(
        json.dumps(e.as_dict(), ensure_ascii=False, separators=(",", ":")) + "\n" for e in events
    )


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|<>~])")


def md_text(text: Any) -> str:
    """Inert markdown table-cell text: no pipes, code, HTML or line breaks can leak through."""
    flat = " ".join(str(text).split())
    return _MD_SPECIAL.sub(r"\\\1", flat)


def fmt_duration(seconds: float | None) -> str:
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
    return ts[11:19] if len(ts) >= 19 else ts


def describe(event: Event) -> str:
    """A one-line, human description of what an event records."""
    d = event.data
    k = event.kind
    simple = {
        "incident.declared": lambda: f"declared incident: {d.get('title', '')}",
        "incident.retitled": lambda: f"retitled: {d.get('title', '')}",
        "severity.changed": lambda: f"severity set to {d.get('severity')}",
        "status.changed": lambda: f"status set to {d.get('status')}",
        "note.added": lambda: f"{d.get('type', 'note')}: {d.get('text', '')}",
        "note.amended": lambda: f"amended note {d.get('amends', '')}: {d.get('text', '')}",
        "role.assigned": lambda: f"{d.get('operator')} is {d.get('role')}",
        "alert.acknowledged": lambda: f"acknowledged alert {d.get('alert')}",
        "alert.silenced": lambda: f"silenced alert {d.get('alert')} for {d.get('duration')}",
        "alert.silence.expired": lambda: f"expired silence {d.get('silence_id')}",
        "remediation.requested": lambda: f"requested {d.get('action')} of {d.get('target')}",
        "remediation.succeeded": lambda: f"{d.get('action')} of {d.get('target')} succeeded",
        "remediation.failed": lambda: (
            f"{d.get('action')} of {d.get('target')} failed: {d.get('error')}"
        ),
        "evidence.pinned": lambda: f"pinned {d.get('what')}: {d.get('item')}",
        "operator.handoff": lambda: f"handed the keyboard to {d.get('to')}",
        "export.created": lambda: f"exported timeline ({d.get('format')})",
        "session.started": lambda: "joined the incident",
        "session.ended": lambda: "left the incident",
        "session.viewer.joined": lambda: f"viewer {d.get('user')} attached ({d.get('tty', '')})",
        "session.viewer.left": lambda: f"viewer {d.get('user')} detached ({d.get('tty', '')})",
        "system.alert.firing": lambda: f"alert {d.get('alert')} firing {d.get('summary', '')}",
        "system.alert.resolved": lambda: f"alert {d.get('alert')} resolved",
        "system.deploy": lambda: f"deploy {d.get('deployment')} {d.get('summary', '')}",
        "system.k8s.warning": lambda: (
            f"{d.get('reason')} on {d.get('object')}: {d.get('summary', '')}"
        ),
        "system.pod.crashloop": lambda: f"pod {d.get('pod')} {d.get('summary', 'crash-looping')}",
        "system.source.down": lambda: f"source {d.get('source')} down: {d.get('error', '')}",
        "system.source.up": lambda: f"source {d.get('source')} back up",
    }
    render = simple.get(k)
    if render is None:
        payload = json.dumps(d, ensure_ascii=False, sort_keys=True)
        return f"{k} {payload}"
    return " ".join(render().split())


def to_markdown(events: list[Event], *, head: tuple[int, str] | None = None) -> str:
    """The postmortem document (postmortem.py gathers it, export_md.py lays it out)."""
    # imported here: those modules build on describe/md_text from this one
    from cockpit.journal.export_md import render_markdown
    from cockpit.journal.postmortem import build

    return render_markdown(build(events, head=head))


def to_html(events: list[Event], *, head: tuple[int, str] | None = None, panels: Any = ()) -> str:
    """One self-contained html file: the postmortem plus an SVG chart per metric panel."""
    from cockpit.journal.export_html import render_html
    from cockpit.journal.postmortem import build

    return render_html(build(events, head=head, panels=panels))


async def render(journal: Any, incident: str, fmt: str) -> str:
    """Render one incident of an open journal in `fmt` (one of FORMATS)."""
    events = await journal.events(incident)
    if fmt == "jsonl":
        # raw payloads, not upcast: an import must reproduce the very rows that were hashed
        return to_jsonl(await journal.events(incident, upcast=False))
    if fmt == "html":
        from cockpit.journal.postmortem import load_panels

        panels = await load_panels(journal, incident)
        return to_html(events, head=await journal.head(), panels=panels)
    return to_markdown(events, head=await journal.head())
