"""Fold journal events into the incident's current state; snapshots make the fold cheap.

Folding a snapshot plus the events after it must equal folding every event: the state is a
plain value and `apply` is the only place that knows what an event means for it.
"""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec.structs import replace

from cockpit.model import Event, parse_ts


class IncidentState(msgspec.Struct, frozen=True):
    id: str
    version: int = 0
    title: str = ""
    severity: str | None = None
    status: str = "investigating"
    roles: dict[str, str] = msgspec.field(default_factory=dict)
    operators: tuple[str, ...] = ()
    started: str | None = None
    declared: str | None = None
    acknowledged: str | None = None
    mitigated: str | None = None
    resolved: str | None = None
    last_event: str | None = None
    notes: int = 0
    # cockpit sessions started and not yet ended: session id -> operator (who is active)
    sessions: dict[str, str] = msgspec.field(default_factory=dict)

    def duration(self, start: str | None, end: str | None) -> float | None:
        """Seconds between two recorded moments, or None when either is unknown."""
        if not start or not end:
            return None
        return (parse_ts(end) - parse_ts(start)).total_seconds()

    @property
    def time_to_acknowledge(self) -> float | None:
        return self.duration(self.started, self.acknowledged)

    @property
    def time_to_mitigate(self) -> float | None:
        return self.duration(self.started, self.mitigated)

    @property
    def time_to_resolve(self) -> float | None:
        return self.duration(self.started, self.resolved)

    @property
    def active(self) -> tuple[str, ...]:
        """Operators with a cockpit open on this incident (a killed one stays until it ends)."""
        return tuple(sorted(set(self.sessions.values())))

    def to_dict(self) -> dict[str, Any]:
        # plain JSON-ready values, copies: tuples become lists, dicts are not shared
        return msgspec.to_builtins(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> IncidentState:
        return cls(**{**data, "operators": tuple(data.get("operators", ()))})


# Operator actions that show a human responded: the first one is the acknowledgement.
_ACK_KINDS = frozenset(
    {
        "incident.declared",
        "alert.acknowledged",
        "severity.changed",
        "status.changed",
        "note.added",
        "role.assigned",
        "alert.silenced",
        "remediation.requested",
    }
)


def apply(state: IncidentState, event: Event) -> IncidentState:
    """The state after `event`; events of other incidents leave it unchanged."""
    if event.incident != state.id:
        return state
    changes: dict[str, Any] = {"version": event.version, "last_event": event.ts}
    if state.started is None:
        changes["started"] = event.ts
    data = event.data
    kind = event.kind
    human = not kind.startswith(("system.", "session.", "view.", "export."))
    if human and event.actor not in state.operators:
        changes["operators"] = (*state.operators, event.actor)
    if kind in _ACK_KINDS and state.acknowledged is None:
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


async def load_state(journal: Any, incident: str, *, snapshot_every: int = 200) -> IncidentState:
    """Current state of `incident`, from its latest snapshot plus the events after it.

    Writes a new snapshot when more than `snapshot_every` events had to be folded.
    """
    snap = await journal.latest_snapshot(incident)
    base = IncidentState.from_dict(snap[1]) if snap else IncidentState(id=incident)
    events = [e for e in await journal.events(incident) if e.version > base.version]
    state = fold(events, base)
    if len(events) > snapshot_every:
        await journal.save_snapshot(incident, state.version, state.to_dict())
    return state
