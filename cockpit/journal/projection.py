"""Fold journal events into the incident's current state; snapshots make the fold cheap.

Folding a snapshot plus the events after it must equal folding every event: the state is a
plain value and `apply` is the only place that knows what an event means for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from msgspec.structs import replace

from cockpit.kinds import ACK_KINDS, is_operator
from cockpit.model import Ack, Event, IncidentState, format_ts, parse_ts

if TYPE_CHECKING:
    from cockpit.journal.ports import EventLog

# IncidentState lives in model, where the panes may read it; re-exported for older callers
__all__ = ["IncidentState", "apply", "fold", "load_state"]
# bumped when `apply` learns something new: snapshots of an older fold are not used
FOLD_VERSION = 2


def apply(state: IncidentState, event: Event) -> IncidentState:
    """The state after `event`; events of other incidents leave it unchanged."""
    if event.incident != state.id:
        return state
    changes: dict[str, Any] = {"version": event.version, "last_event": event.ts}
    if state.started is None:
        changes["started"] = event.ts
    data = event.data
    kind = event.kind
    if is_operator(kind) and event.actor not in state.operators:
        changes["operators"] = (*state.operators, event.actor)
    # a responder is on it from their first cockpit session or response action
    if state.detected is None and (kind in ACK_KINDS or kind == "session.started"):
        changes["detected"] = event.ts
    if kind == "alert.acknowledged":
        # the acknowledgement is the first alert.acknowledged, not any first action
        if state.acknowledged is None:
            changes["acknowledged"] = event.ts
        key = _text(data.get("fingerprint")) or _text(data.get("alert"))
        if key and key not in state.acks:
            ack = Ack(_text(data.get("alert")), event.actor, event.ts)
            changes["acks"] = {**state.acks, key: ack}
    elif kind == "system.alert.firing":
        began = _moment(data.get("starts_at")) or event.ts
        if state.impact_started is None or _earlier(began, state.impact_started):
            changes["impact_started"] = began
    if kind in ("incident.declared", "incident.retitled"):
        changes["title"] = data.get("title", state.title)
        if kind == "incident.declared" and state.declared is None:
            changes["declared"] = event.ts
    elif kind == "severity.changed":
        changes["severity"] = data.get("severity")
    elif kind == "status.changed":
        status = data.get("status", state.status)
        changes["status"] = status
        if status != state.status or state.status_since is None:
            changes["status_since"] = event.ts
        if status in ("monitoring", "resolved") and state.mitigated is None:
            changes["mitigated"] = event.ts
        if status == "resolved":
            changes["resolved"] = event.ts
        elif state.resolved is not None:
            changes["resolved"] = None  # reopened
    elif kind == "remediation.succeeded" and state.mitigated is None:
        changes["mitigated"] = event.ts
    elif kind == "role.assigned":
        changes["roles"] = {**state.roles, data.get("role", "?"): data.get("operator", "?")}
    elif kind == "note.added":
        changes["notes"] = state.notes + 1
    elif kind == "session.started" and data.get("session"):
        changes["sessions"] = {**state.sessions, data["session"]: event.actor}
    elif kind == "session.ended" and data.get("session") in state.sessions:
        changes["sessions"] = {k: v for k, v in state.sessions.items() if k != data["session"]}
    elif kind == "operator.handoff" and data.get("session") in state.sessions:
        changes["sessions"] = {**state.sessions, data["session"]: data.get("to", event.actor)}
    return replace(state, **changes)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _moment(value: Any) -> str | None:
    """An alert's startsAt as the journal writes times, or None if it is not a time."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return format_ts(parse_ts(value))
    except (ValueError, OverflowError):
        return None  # an import or an older source may carry anything


def _earlier(a: str, b: str) -> bool:
    try:
        return parse_ts(a) < parse_ts(b)
    except ValueError:
        return False


def fold(
    events: list[Event], state: IncidentState | None = None, *, incident: str = ""
) -> IncidentState:
    if state is None:
        state = IncidentState(id=incident or (events[0].incident if events else ""))
    for event in events:
        state = apply(state, event)
    return state


async def load_state(
    journal: EventLog, incident: str, *, snapshot_every: int = 200
) -> IncidentState:
    """Current state of `incident`, from its latest snapshot plus the events after it.

    Writes a new snapshot when more than `snapshot_every` events had to be folded.
    """
    snap = await journal.latest_snapshot(incident)
    # a snapshot of an older fold lacks what this one tracks: fold from the start instead
    fresh = snap is not None and snap[1].get("fold") == FOLD_VERSION
    base = IncidentState.from_dict(snap[1]) if fresh else IncidentState(id=incident)
    # only the events after the snapshot are read, not read and then skipped
    events = await journal.events(incident, after_version=base.version)
    state = fold(events, base)
    if len(events) > snapshot_every:
        await journal.save_snapshot(
            incident, state.version, {**state.to_dict(), "fold": FOLD_VERSION}
        )
    return state
