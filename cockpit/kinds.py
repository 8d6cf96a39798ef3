"""The registry of event kinds: what each kind means, who writes it, its payload and its text.

One table, read by everyone who needs to know what a kind is: the journal (payload schema,
versions, upcasters), the projection and the postmortem (operator or system), the timeline
pane (dimmed, hidden), observations and the app. It sits next to `model` rather than under
`journal/` because the panes need it and may depend on nothing but model-level modules; it
imports nothing heavier than msgspec, as it is on the first frame's import path.

Unknown kinds are accepted and kept untouched (a newer cockpit may write kinds this one does
not know): `kind_of` classifies them by their prefix, here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, Literal

import msgspec

Payload = dict[str, Any]
Upcaster = Callable[[Payload], Payload]
Line = Callable[[Payload], str]

# Who writes an event of a kind:
#   operator  a responder's action on the incident: lists its actor among the operators,
#             carries evidence and a marker in the postmortem
#   request   asked for by a responder but not a response action: exports, view breadcrumbs
#   cockpit   the cockpit's own bookkeeping: sessions and who watches them, the journal's
#             own marks (journal.*: a forced import, an unreadable row shown in its place)
#   source    a change a monitoring source observed (system.*)
Origin = Literal["operator", "request", "cockpit", "source"]

SEVERITIES = ("SEV1", "SEV2", "SEV3", "SEV4", "SEV5")
STATUSES = ("investigating", "identified", "monitoring", "resolved")
ROLES = ("commander", "scribe", "comms")
NOTE_TYPES = ("note", "hypothesis", "decision", "finding")


class Field(msgspec.Struct, frozen=True):
    name: str
    type: type | tuple[type, ...] = str
    required: bool = True
    choices: tuple[str, ...] = ()


class Kind(msgspec.Struct, frozen=True):
    name: str
    description: str = ""  # what the kind records, in a few words (help, listings)
    origin: Origin = "operator"
    view: bool = False  # a navigation breadcrumb: hidden in the timeline unless toggled on
    ack: bool = False  # shows a human responded: the first one acknowledges the incident
    line: Line | None = None  # one event's payload -> its timeline text
    schema: int = 1
    fields: tuple[Field, ...] = ()
    # upcasters[n] turns a schema-n payload into schema n+1
    upcasters: dict[int, Upcaster] = msgspec.field(default_factory=dict)

    @property
    def system(self) -> bool:
        """Recorded by the cockpit or a source on their own, not by a responder's keystroke."""
        return self.origin in ("cockpit", "source")


def _resolved_line(d: Payload) -> str:
    line = f"alert {d.get('alert')} resolved"
    if d.get("artefact"):
        # a resolution the monitoring caused must not read as the service's recovery
        line += f" {d['artefact']} — may be an artefact"
    return line


def _note_v1_to_v2(data: Payload) -> Payload:
    # schema 1 notes had no type: every one of them was a plain note
    return {"type": "note", **data}


def _k(
    name: str,
    description: str,
    line: Line | None,
    *fields: Field,
    origin: Origin = "operator",
    **kw: Any,
) -> Kind:
    return Kind(name=name, description=description, origin=origin, line=line, fields=fields, **kw)


def _op(name: str, description: str, line: Line, *fields: Field, **kw: Any) -> Kind:
    """An operator action that also acknowledges the incident."""
    return _k(name, description, line, *fields, ack=True, **kw)


def _hhmm(ts: Any) -> str:
    """'2026-12-02T11:30:00.000Z' -> '11:30 UTC' (as written if it is not such a time)."""
    text = str(ts or "")
    return f"{text[11:16]} UTC" if len(text) >= 16 and text[10:11] == "T" else text


def _pinned_line(d: Payload) -> str:
    if d.get("what") != "log":
        return f"pinned {d.get('what')}: {d.get('item')}"
    text = str(d.get("text") or "")
    first = text.split("\n", 1)[0]
    more = text.count("\n")
    where = f"{d.get('namespace') or ''}/{d.get('pod')}".lstrip("/")
    container = f" ({d.get('container')}{', previous' if d.get('previous') else ''})"
    at = str(d.get("ts") or "")[11:19]
    extra = f" (+{more} line{'s' if more != 1 else ''})" if more else ""
    container = container if d.get("container") else ""
    return f"pinned log line of {where}{container} at {at}: {first}{extra}"


def _silenced_line(d: Payload) -> str:
    line = f"silenced alert {d.get('alert')} for {d.get('duration')}"
    if d.get("ends_at"):
        line += f" until {_hhmm(d.get('ends_at'))}"
    matchers = d.get("matchers")
    if isinstance(matchers, dict) and matchers:
        line += " on " + " ".join(f'{k}="{v}"' for k, v in sorted(matchers.items()))
    if d.get("silence_id"):
        line += f" (silence {d.get('silence_id')})"
    return line


_S = Field("summary", required=False)
_TTY = Field("tty", required=False)
_SESSION = Field("session", required=False)  # folded into "who is active": a text, never a list
KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        _k(
            "session.started",
            "a cockpit joined the incident",
            lambda d: "joined the incident",
            Field("mode", required=False),
            _SESSION,
            origin="cockpit",
        ),
        _k(
            "session.ended",
            "a cockpit left the incident",
            lambda d: "left the incident",
            Field("reason", required=False),
            _SESSION,
            origin="cockpit",
        ),
        _k(
            "session.viewer.joined",
            "someone attached to the tmux session",
            lambda d: f"viewer {d.get('user')} attached ({d.get('tty', '')})",
            Field("user"),
            _TTY,
            origin="cockpit",
        ),
        _k(
            "session.viewer.left",
            "someone detached from the tmux session",
            lambda d: f"viewer {d.get('user')} detached ({d.get('tty', '')})",
            Field("user"),
            _TTY,
            origin="cockpit",
        ),
        _op(
            "incident.declared",
            "incident declared",
            lambda d: f"declared incident: {d.get('title', '')}",
            Field("title"),
        ),
        _k(
            "incident.retitled",
            "incident retitled",
            lambda d: f"retitled: {d.get('title', '')}",
            Field("title"),
        ),
        _op(
            "severity.changed",
            "severity set",
            lambda d: f"severity set to {d.get('severity')}",
            Field("severity", choices=SEVERITIES),
        ),
        _op(
            "status.changed",
            "status set",
            lambda d: f"status set to {d.get('status')}",
            Field("status", choices=STATUSES),
        ),
        _op(
            "note.added",
            "note, hypothesis, decision or finding",
            lambda d: f"{d.get('type', 'note')}: {d.get('text', '')}",
            Field("type", choices=NOTE_TYPES),
            Field("text"),
            schema=2,
            upcasters={1: _note_v1_to_v2},
        ),
        _k(
            "note.amended",
            "note amended (the original stays)",
            lambda d: f"amended note {d.get('amends', '')}: {d.get('text', '')}",
            Field("amends"),
            Field("text"),
        ),
        _op(
            "role.assigned",
            "role assigned",
            lambda d: f"{d.get('operator')} is {d.get('role')}",
            Field("role", choices=ROLES),
            Field("operator"),
        ),
        _op(
            "alert.acknowledged",
            "alert acknowledged",
            lambda d: f"acknowledged alert {d.get('alert')}",
            Field("alert"),
            Field("fingerprint", required=False),
        ),
        _op(
            "alert.silenced",
            "alert silenced",
            _silenced_line,
            Field("alert"),
            Field("duration"),
            Field("silence_id", required=False),
            Field("matchers", dict, required=False),
            Field("comment", required=False),
            Field("ends_at", required=False),
        ),
        _k(
            "alert.silence.extended",
            "silence extended",
            lambda d: (
                f"extended silence {d.get('silence_id')} of alert {d.get('alert')} by"
                f" {d.get('duration')} until {_hhmm(d.get('ends_at'))}"
            ),
            Field("silence_id"),
            Field("duration"),
            Field("ends_at"),
            Field("alert", required=False),
        ),
        _k(
            "alert.silence.expired",
            "silence expired",
            lambda d: (
                f"expired silence {d.get('silence_id')}"
                + (f" of alert {d['alert']}" if d.get("alert") else "")
            ),
            Field("silence_id"),
            Field("alert", required=False),
        ),
        _k(
            "alert.silence.failed",
            "silencing failed in Alertmanager",
            lambda d: (
                f"failed to {d.get('action', 'create')} the silence of alert {d.get('alert')}:"
                f" {d.get('error')}"
            ),
            Field("alert"),
            Field("action", choices=("create", "extend", "expire")),
            Field("error"),
        ),
        _op(
            "remediation.requested",
            "remediation requested",
            lambda d: f"requested {d.get('action')} of {d.get('target')}",
            Field("action"),
            Field("target"),
        ),
        _k(
            "remediation.succeeded",
            "remediation succeeded",
            lambda d: f"{d.get('action')} of {d.get('target')} succeeded",
            Field("action"),
            Field("target"),
        ),
        _k(
            "remediation.failed",
            "remediation failed",
            lambda d: f"{d.get('action')} of {d.get('target')} failed: {d.get('error')}",
            Field("action"),
            Field("target"),
            Field("error"),
        ),
        _k(
            "evidence.pinned",
            "evidence pinned",
            _pinned_line,
            Field("what"),
            Field("item"),
            # pinned log lines (what = "log"): where and when they were written, the text
            Field("pod", required=False),
            Field("container", required=False),
            Field("ts", required=False),
            Field("text", required=False),
        ),
        _k(
            "operator.handoff",
            "keyboard handed to another operator",
            lambda d: f"handed the keyboard to {d.get('to')}",
            Field("to"),
            Field("from", required=False),
            _SESSION,
        ),
        _k(
            "export.created",
            "timeline exported",
            lambda d: f"exported timeline ({d.get('format')})",
            Field("format"),
            Field("path", required=False),
            origin="request",
        ),
        _k(
            "view.focus",
            "pane focused",
            None,
            Field("pane"),
            origin="request",
            view=True,
        ),
        _k(
            "view.detail",
            "detail opened",
            None,
            Field("pane"),
            Field("item", required=False),
            origin="request",
            view=True,
        ),
        _k(
            "view.logs",
            "logs opened",
            None,
            Field("target"),
            Field("pods", type=list, required=False),
            origin="request",
            view=True,
        ),
        _k(
            "view.filter",
            "pane filtered",
            None,
            Field("pane"),
            Field("text", required=False),
            origin="request",
            view=True,
        ),
        _k(
            "journal.import.forced",
            "events imported with --force despite a broken hash chain in the file",
            lambda d: (
                f"imported {d.get('file')} lines {d.get('lines')} with --force: {d.get('reason')}"
            ),
            Field("file"),
            Field("lines"),
            Field("reason"),
            origin="cockpit",
        ),
        # never written: what a read shows in place of a stored row that does not fit its
        # kind (a crafted import, an edited file); the row itself stays as it is
        _k(
            "journal.unreadable",
            "a stored entry that does not fit its kind",
            lambda d: (
                f"unreadable entry ({d.get('kind')}, schema {d.get('schema')}): {d.get('problem')}"
            ),
            Field("kind"),
            Field("schema", int),
            Field("problem"),
            origin="cockpit",
        ),
        _k(
            "system.alert.firing",
            "alert started firing",
            lambda d: f"alert {d.get('alert')} firing {d.get('summary', '')}",
            Field("alert"),
            _S,
            origin="source",
        ),
        _k(
            "system.alert.resolved",
            "alert resolved",
            _resolved_line,
            Field("alert"),
            # set when the rule evaluator was down or had just come back (sources/evaluator.py)
            Field("artefact", required=False),
            _S,
            origin="source",
        ),
        _k(
            "system.deploy",
            "deploy rolled out",
            lambda d: f"deploy {d.get('deployment')} {d.get('summary', '')}",
            Field("deployment"),
            _S,
            origin="source",
        ),
        _k(
            "system.k8s.warning",
            "Kubernetes warning",
            lambda d: f"{d.get('reason')} on {d.get('object')}: {d.get('summary', '')}",
            Field("reason"),
            Field("object"),
            _S,
            origin="source",
        ),
        _k(
            "system.pod.crashloop",
            "pod crash-looping",
            lambda d: f"pod {d.get('pod')} {d.get('summary', 'crash-looping')}",
            Field("pod"),
            _S,
            origin="source",
        ),
        _k(
            "system.source.down",
            "monitoring source down",
            lambda d: f"source {d.get('source')} down: {d.get('error', '')}",
            Field("source"),
            Field("error", required=False),
            origin="source",
        ),
        _k(
            "system.changes.lost",
            "observed changes lost while the journal could not be written",
            lambda d: (
                f"{d.get('count')} observed changes lost while the journal could not be"
                f" written (from {d.get('since')})"
            ),
            Field("count", int),
            Field("since"),
            origin="source",  # listed with the system changes it stands for
        ),
        _k(
            "system.source.up",
            "monitoring source back up",
            lambda d: f"source {d.get('source')} back up",
            Field("source"),
            origin="source",
        ),
    )
}

# Kinds whose first event marks the incident acknowledged (read on every fold: a frozenset)
ACK_KINDS = frozenset(k.name for k in KINDS.values() if k.ack)


@lru_cache(maxsize=512)  # unknown kinds are few; a hostile import cannot grow this unbounded
def _unknown(kind: str) -> Kind:
    """How a kind this cockpit does not know is treated: by its prefix, the one default."""
    if kind.startswith("system."):
        return Kind(kind, kind, origin="source")
    if kind.startswith(("session.", "journal.")):
        return Kind(kind, kind, origin="cockpit")
    if kind.startswith("view."):
        return Kind(kind, kind, origin="request", view=True)
    if kind.startswith("export."):
        return Kind(kind, kind, origin="request")
    return Kind(kind, kind)  # anything else was typed by a responder


def kind_of(kind: str) -> Kind:
    """The registered kind, or the default for an unknown one (never None)."""
    known = KINDS.get(kind)
    return known if known is not None else _unknown(kind)


def is_operator(kind: str) -> bool:
    """A responder's action on the incident (listed as operator, evidence, chart marker)."""
    return kind_of(kind).origin == "operator"


def is_system(kind: str) -> bool:
    """Written by the cockpit or a source on their own (sessions, system.* changes)."""
    return kind_of(kind).system


def is_change(kind: str) -> bool:
    """A change in the world a source observed: the postmortem's "system changes"."""
    return kind_of(kind).origin == "source"


def is_view(kind: str) -> bool:
    """A view breadcrumb (focus, detail, filter): hidden unless asked for."""
    return kind_of(kind).view


def describe_kind(kind: str) -> str:
    """What events of a kind record, in a few words; an unknown kind is its own name."""
    return kind_of(kind).description or kind


def describe(kind: str, data: Payload) -> str:
    """What one event records, for humans (timeline, exports, notifications): one line per
    line of its text. Spacing is tidied, line breaks (a pasted multi-line note) are kept for
    the renderer to show inert: a mark in the timeline, a break in the exports."""
    known = KINDS.get(kind)
    line = known.line if known is not None else None
    if line is None:  # views and unknown kinds: the kind and its payload, as recorded
        return f"{kind} {_json(data)}"
    text = line(data)
    if "\n" not in text:
        return " ".join(text.split())
    return "\n".join(" ".join(part.split()) for part in text.strip().split("\n"))


def _json(data: Payload) -> str:
    import json  # only for views and unknown kinds: most describes never need it

    return json.dumps(data, ensure_ascii=False, sort_keys=True)
