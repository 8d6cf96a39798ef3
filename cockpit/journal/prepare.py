"""A draft made ready to store: size-checked, validated, redacted. Every backend uses this one
function, so an event is written the same way to the local file and to the team store; the
same for an observation."""

from __future__ import annotations

import asyncio

from cockpit.journal import events as kinds
from cockpit.journal.codec import canonical_json
from cockpit.journal.limits import check_event_size
from cockpit.journal.redact import (
    redact,
    redact_body,
    redact_text,
    refuse_secret_id,
    surely_clean,
)
from cockpit.model import Draft


def prepare_draft(draft: Draft, *, redact_secrets: bool) -> Draft:
    data, context = draft.data, draft.context
    # first: a 50 MB paste is refused before it is scanned for secrets or hashed
    check_event_size(canonical_json(data))
    if draft.schema is None or draft.schema == kinds.current_schema(draft.kind):
        kinds.validate(draft.kind, data)
    actor = draft.actor
    # everything written is redacted: the payload, what the screen showed, who acted; an
    # incident id is the stream's key and cannot be rewritten, so one holding a secret is
    # refused. One pre-check over all four first: nearly every event is clean (one pass).
    if redact_secrets and not surely_clean(draft.incident, actor, data, context):
        refuse_secret_id(draft.incident)
        data, found_data = redact(data)
        context, found_ctx = redact(context)
        actor, found_actor = redact_text(actor)
        found = sorted(found_data | found_ctx | found_actor)
        if found:
            data = {**data, "_redacted": found}
    schema = draft.schema if draft.schema is not None else kinds.current_schema(draft.kind)
    return Draft(
        incident=draft.incident,
        kind=draft.kind,
        actor=actor,
        data=data,
        context=context,
        id=draft.id,
        ts=draft.ts,
        schema=schema,
    )


async def prepare_observation(
    incident: str, source: str, digest: str, body: bytes
) -> tuple[str, str, bytes]:
    """(source, digest, body) redacted: raw source data (alert annotations, label values, pod
    messages); inflating and scanning a big snapshot is milliseconds, so off the event loop."""
    refuse_secret_id(incident)
    source, _ = redact_text(source)
    body, digest, _ = await asyncio.to_thread(redact_body, body, digest)
    return source, digest, body
