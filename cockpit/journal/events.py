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
    "problem",
    "upcast",
    "validate",
]

# What a read shows in place of a stored row that does not fit its kind (cockpit.kinds)
UNREADABLE = "journal.unreadable"


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


def problem(kind: str, schema: object, data: object) -> str | None:
    """Why a payload of `kind` that claims `schema` cannot be read, or None if it can.

    The one check of import and of every read: whatever schema a row claims, its payload is
    brought up to the current one and checked against it. A schema newer than this cockpit
    knows cannot be checked, so it is refused, not trusted. Unknown kinds are kept untouched
    (a newer cockpit may write them) as long as their payload is a JSON object.
    """
    if type(schema) is not int or schema < 1:
        return f"{kind}: schema {schema!r} is not a positive integer"
    if type(data) is not dict:
        return f"{kind}: data is not a JSON object"
    known = KINDS.get(kind)
    if known is None:
        return None
    if schema > known.schema:
        return (
            f"{kind}: schema {schema} is newer than this cockpit knows ({known.schema});"
            " upgrade cockpit"
        )
    if schema < known.schema:
        try:
            schema, data = upcast(kind, schema, data)
        except Exception as exc:  # an upcaster meeting a shape it was never written for
            return f"{kind}: schema {schema} payload cannot be upgraded ({type(exc).__name__})"
        if schema != known.schema:
            return f"{kind}: schema {schema} cannot be upgraded to {known.schema}"
    try:
        validate(kind, data)
    except PayloadError as exc:
        return str(exc)
    return None


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
