"""Render an incident's events as jsonl (for tooling), or markdown or html (the postmortem)."""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from cockpit.model import Event

if TYPE_CHECKING:
    from cockpit.journal.ports import JournalPort

FORMATS = ("md", "jsonl", "html")


def to_jsonl(events: Iterable[Event]) -> str:
    """One JSON object per line with every column; `cockpit import` reads it back."""
    return "".join(
        json.dumps(e.as_dict(), ensure_ascii=False, separators=(",", ":")) + "\n" for e in events
    )


# json.dumps(..., ensure_ascii=False) escapes strings with exactly this (the C one if built)
_json_str = json.encoder.encode_basestring


def jsonl_from_rows(rows: Iterable[Sequence[Any]]) -> str:
    """to_jsonl of stored rows (raw_rows(): rows.CheckedRow), byte for byte, not decoded.

    The keys are StoredRow's fields in order, as in Event.as_dict. data and context are
    stored as canonical JSON (sorted keys, compact, ensure_ascii=False), which is what
    json.dumps re-emits for the parsed payload, so the stored text is embedded as is. A row
    that does not fit that shape (a type or invalid JSON no cockpit writes) takes the slow
    path, which behaves as before, errors included.
    """
    from cockpit.journal.rows import event_from_row  # here: keeps this module's imports light

    out: list[str] = []
    append = out.append
    for row in rows:
        seq, id_, incident, version, ts, actor, kind, schema, data, context, prev, hsh, ok = row
        if ok and type(seq) is int and type(version) is int and type(schema) is int:
            try:
                append(
                    f'{{"seq":{seq},"id":{_json_str(id_)},"incident":{_json_str(incident)},'
                    f'"version":{version},"ts":{_json_str(ts)},"actor":{_json_str(actor)},'
                    f'"kind":{_json_str(kind)},"schema":{schema},"data":{data},'
                    f'"context":{context},"prev_hash":{_json_str(prev)},'
                    f'"hash":{_json_str(hsh)}}}\n'
                )
                continue
            except TypeError:  # a non-text value in a text column
                pass
        append(to_jsonl([event_from_row(row[:-1], upcast=False)]))
    return "".join(out)


_MD_SPECIAL = re.compile(r"[\\`*_{}\[\]()#+!|<>~]")
# the same escaping as re.sub(r"([...])", r"\\\1"), but one C pass and none for clean text
_MD_ESCAPES = {ord(c): "\\" + c for c in "\\`*_{}[]()#+!|<>~"}


def md_text(text: Any) -> str:
    """Inert markdown table-cell text: no pipes, code, HTML or line breaks can leak through."""
    flat = " ".join(str(text).split())
    return flat.translate(_MD_ESCAPES) if _MD_SPECIAL.search(flat) else flat


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


# kind -> one-line description of its payload `d`
_DESCRIBE: dict[str, Callable[[dict[str, Any]], str]] = {
    "incident.declared": lambda d: f"declared incident: {d.get('title', '')}",
    "incident.retitled": lambda d: f"retitled: {d.get('title', '')}",
    "severity.changed": lambda d: f"severity set to {d.get('severity')}",
    "status.changed": lambda d: f"status set to {d.get('status')}",
    "note.added": lambda d: f"{d.get('type', 'note')}: {d.get('text', '')}",
    "note.amended": lambda d: f"amended note {d.get('amends', '')}: {d.get('text', '')}",
    "role.assigned": lambda d: f"{d.get('operator')} is {d.get('role')}",
    "alert.acknowledged": lambda d: f"acknowledged alert {d.get('alert')}",
    "alert.silenced": lambda d: f"silenced alert {d.get('alert')} for {d.get('duration')}",
    "alert.silence.expired": lambda d: f"expired silence {d.get('silence_id')}",
    "remediation.requested": lambda d: f"requested {d.get('action')} of {d.get('target')}",
    "remediation.succeeded": lambda d: f"{d.get('action')} of {d.get('target')} succeeded",
    "remediation.failed": lambda d: (
        f"{d.get('action')} of {d.get('target')} failed: {d.get('error')}"
    ),
    "evidence.pinned": lambda d: f"pinned {d.get('what')}: {d.get('item')}",
    "operator.handoff": lambda d: f"handed the keyboard to {d.get('to')}",
    "export.created": lambda d: f"exported timeline ({d.get('format')})",
    "session.started": lambda d: "joined the incident",
    "session.ended": lambda d: "left the incident",
    "session.viewer.joined": lambda d: f"viewer {d.get('user')} attached ({d.get('tty', '')})",
    "session.viewer.left": lambda d: f"viewer {d.get('user')} detached ({d.get('tty', '')})",
    "system.alert.firing": lambda d: f"alert {d.get('alert')} firing {d.get('summary', '')}",
    "system.alert.resolved": lambda d: f"alert {d.get('alert')} resolved",
    "system.deploy": lambda d: f"deploy {d.get('deployment')} {d.get('summary', '')}",
    "system.k8s.warning": lambda d: (
        f"{d.get('reason')} on {d.get('object')}: {d.get('summary', '')}"
    ),
    "system.pod.crashloop": lambda d: f"pod {d.get('pod')} {d.get('summary', 'crash-looping')}",
    "system.source.down": lambda d: f"source {d.get('source')} down: {d.get('error', '')}",
    "system.source.up": lambda d: f"source {d.get('source')} back up",
}


def describe(event: Event) -> str:
    """A one-line, human description of what an event records."""
    render = _DESCRIBE.get(event.kind)
    if render is None:
        payload = json.dumps(event.data, ensure_ascii=False, sort_keys=True)
        return f"{event.kind} {payload}"
    return " ".join(render(event.data).split())


def to_markdown(events: list[Event], *, head: tuple[int, str] | None = None) -> str:
    """The postmortem document (postmortem.py gathers it, export_md.py lays it out)."""
    # imported here: those modules build on describe/md_text from this one
    from cockpit.journal.export_md import render_markdown
    from cockpit.journal.postmortem import build

    # the markdown has no charts: skip gathering their markers and series
    return render_markdown(build(events, head=head, charts=False))


def to_html(events: list[Event], *, head: tuple[int, str] | None = None, panels: Any = ()) -> str:
    """One self-contained html file: the postmortem plus an SVG chart per metric panel."""
    from cockpit.journal.export_html import render_html
    from cockpit.journal.postmortem import build

    return render_html(build(events, head=head, panels=panels))


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic GC while an export builds its objects.

    An export allocates a few objects per event and keeps them all alive until it returns, so
    every collection rescans the growing heap and finds nothing: at 100k events that was a
    third of the markdown export. Reference counting still frees everything as usual.
    """
    if not gc.isenabled():  # someone else paused it: leave it to them
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


async def render(journal: JournalPort, incident: str, fmt: str) -> str:
    """Render one incident of an open journal in `fmt` (one of FORMATS)."""
    with _gc_paused():
        return await _render(journal, incident, fmt)


async def _render(journal: JournalPort, incident: str, fmt: str) -> str:
    if fmt == "jsonl":
        # raw payloads, not upcast: an import must reproduce the very rows that were hashed
        return jsonl_from_rows(await journal.raw_rows(incident))
    events = await journal.events(incident)
    if fmt == "html":
        from cockpit.journal.postmortem import load_panels

        panels = await load_panels(journal, incident)
        return to_html(events, head=await journal.head(), panels=panels)
    return to_markdown(events, head=await journal.head())
