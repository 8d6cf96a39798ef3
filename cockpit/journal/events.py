"""Registry of event kinds: payload validation, schema versions and upcasters.

Unknown kinds are accepted and kept untouched: a newer cockpit may write kinds this one does
not know, and the journal must never drop them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

Payload = dict[str, Any]
Upcaster = Callable[[Payload], Payload]

SEVERITIES = ("SEV1", "SEV2", "SEV3", "SEV4", "SEV5")
STATUSES = ("investigating", "identified", "monitoring", "resolved")
ROLES = ("commander", "scribe", "comms")
NOTE_TYPES = ("note", "hypothesis", "decision", "finding")


class PayloadError(ValueError):
    """A payload does not match its kind's schema."""


class Field(msgspec.Struct, frozen=True):
    name: str
    type: type | tuple[type, ...] = str
    required: bool = True
    choices: tuple[str, ...] = ()


class Kind(msgspec.Struct, frozen=True):
    name: str
    schema: int = 1
    fields: tuple[Field, ...] = ()
    # upcasters[n] turns a schema-n payload into schema n+1
    upcasters: dict[int, Upcaster] = msgspec.field(default_factory=dict)
    system: bool = False  # recorded by the cockpit itself, not typed by an operator
    view: bool = False  # view.* kinds: hidden in the timeline unless toggled on


def _k(name: str, *fields: Field, **kw: Any) -> Kind:
    return Kind(name=name, fields=fields, **kw)


def _note_v1_to_v2(data: Payload) -> Payload:
    # schema 1 notes had no type: every one of them was a plain note
    return {"type": "note", **data}


_S = Field("summary", required=False)
KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        _k("session.started", Field("mode", required=False), system=True),
        _k("session.ended", Field("reason", required=False), system=True),
        _k("session.viewer.joined", Field("user"), Field("tty", required=False), system=True),
        _k("session.viewer.left", Field("user"), Field("tty", required=False), system=True),
        _k("incident.declared", Field("title")),
        _k("incident.retitled", Field("title")),
        _k("severity.changed", Field("severity", choices=SEVERITIES)),
        _k("status.changed", Field("status", choices=STATUSES)),
        _k(
            "note.added",
            Field("type", choices=NOTE_TYPES),
            Field("text"),
            schema=2,
            upcasters={1: _note_v1_to_v2},
        ),
        _k("note.amended", Field("amends"), Field("text")),
        _k("role.assigned", Field("role", choices=ROLES), Field("operator")),
        _k("alert.acknowledged", Field("alert"), Field("fingerprint", required=False)),
        _k(
            "alert.silenced", Field("alert"), Field("duration"), Field("silence_id", required=False)
        ),
        _k("alert.silence.expired", Field("silence_id")),
        _k("remediation.requested", Field("action"), Field("target")),
        _k("remediation.succeeded", Field("action"), Field("target")),
        _k("remediation.failed", Field("action"), Field("target"), Field("error")),
        _k("evidence.pinned", Field("what"), Field("item")),
        _k("operator.handoff", Field("to"), Field("from", required=False)),
        _k("export.created", Field("format"), Field("path", required=False)),
        _k("view.focus", Field("pane"), view=True),
        _k("view.detail", Field("pane"), Field("item", required=False), view=True),
        _k("view.filter", Field("pane"), Field("text", required=False), view=True),
        _k("system.alert.firing", Field("alert"), _S, system=True),
        _k("system.alert.resolved", Field("alert"), _S, system=True),
        _k("system.deploy", Field("deployment"), _S, system=True),
        _k("system.k8s.warning", Field("reason"), Field("object"), _S, system=True),
        _k("system.pod.crashloop", Field("pod"), _S, system=True),
        _k("system.source.down", Field("source"), Field("error", required=False), system=True),
        _k("system.source.up", Field("source"), system=True),
    )
}


def current_schema(kind: str) -> int:
    known = KINDS.get(kind)
    return known.schema if known else 1


def validate(kind: str, data: Payload) -> None:
    """Raise PayloadError if `data` does not fit the current schema of `kind`."""
    known = KINDS.get(kind)
    if known is None:
        return
    for f in known.fields:
        if f.name not in data:
            if f.required:
                raise PayloadError(f"{kind}: missing field {f.name!r}")
            continue
        value = data[f.name]
        if not isinstance(value, f.type):
            raise PayloadError(f"{kind}: field {f.name!r} must be {_type_name(f.type)}")
        if f.choices and value not in f.choices:
            raise PayloadError(f"{kind}: {f.name} must be one of {', '.join(f.choices)}")


def upcast(kind: str, schema: int, data: Payload) -> tuple[int, Payload]:
    """Bring a stored payload up to the current schema of its kind (unknown kinds untouched)."""
    known = KINDS.get(kind)
    if known is None:
        return schema, data
    while schema < known.schema and schema in known.upcasters:
        data = known.upcasters[schema](data)
        schema += 1
    return schema, data


def is_system(kind: str) -> bool:
    known = KINDS.get(kind)
    return bool(known and known.system) or kind.startswith("system.")


def is_view(kind: str) -> bool:
    return kind.startswith("view.")


def _type_name(t: type | tuple[type, ...]) -> str:
    if isinstance(t, tuple):
        return " or ".join(x.__name__ for x in t)
    return t.__name__
