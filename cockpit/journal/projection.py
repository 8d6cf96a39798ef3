"""Fold journal events into the incident's current state; snapshots make the fold cheap.

Folding a snapshot plus the events after it must equal folding every event: the state is a
plain value and `apply` is the only place that knows what an event means for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from msgspec.structs import replace

from cockpit.kinds import ACK_KINDS, is_operator
from cockpit.model import Event, IncidentState

if TYPE_CHECKING:
    from cockpit.journal.ports import EventLog

# IncidentState lives in model, where the panes may read it; re-exported for older callers
__all__ = ["IncidentState", "apply", "fold", "load_state"]


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
    # the first operator action that shows a human responded is the acknowledgement
    if kind in ACK_KINDS and state.acknowledged is None:
        changes["acknowledged"] = event.ts
    if kind in ("incident.declared", "incident.retitled"):
        changes["title"] = data.get("title", state.title)
        if kind == "incident.declared" and state.declared is None:
            changes["declared"] = event.ts
    elif kind == "severity.changed":
        changes["severity"] = data.get("severity")
    elif kind == "status.changed":
        status = data.get("status", state.status)
        changes["status"] = status
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
    base = IncidentState.from_dict(snap[1]) if snap else IncidentState(id=incident)
    # only the events after the snapshot are read, not read and then skipped
    events = await journal.events(incident, after_version=base.version)
    state = fold(events, base)
    if len(events) > snapshot_every:
        await journal.save_snapshot(incident, state.version, state.to_dict())
    return state
