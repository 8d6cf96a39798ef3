"""What the journal does with the kind registry (cockpit.kinds): validate and upcast payloads.

The registry itself (schemas, versions, upcasters, descriptions, who writes each kind) lives in
cockpit.kinds, where the panes may read it too; its names are re-exported here for the
journal's callers. Unknown kinds are accepted and kept untouched: a newer cockpit may write
kinds this one does not know, and the journal must never drop them.
"""

from __future__ import annotations

from cockpit.kinds import (
    ACK_KINDS,
    KINDS,
    NOTE_TYPES,
    ROLES,
    SEVERITIES,
    STATUSES,
    Field,
    Kind,
    Payload,
    Upcaster,
    describe,
    describe_kind,
    is_change,
    is_operator,
    is_system,
    is_view,
    kind_of,
)

__all__ = [
    "ACK_KINDS",
    "KINDS",
    "NOTE_TYPES",
    "ROLES",
    "SEVERITIES",
    "STATUSES",
    "Field",
    "Kind",
    "Payload",
    "PayloadError",
    "Upcaster",
    "current_schema",
    "describe",
    "describe_kind",
    "is_change",
    "is_operator",
    "is_system",
    "is_view",
    "kind_of",
    "upcast",
    "validate",
]


class PayloadError(ValueError):
    """A payload does not match its kind's schema."""


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


def _type_name(t: type | tuple[type, ...]) -> str:
    if isinstance(t, tuple):
        return " or ".join(x.__name__ for x in t)
    return t.__name__
