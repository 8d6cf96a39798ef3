"""The incident streams of a journal: which one a command works on, and the listing.

Every command and run picks its incident here: `--incident`, else the most recent one, else
(for a run or a note) a new id. A stream is created by its first event, so a new id needs
nothing written.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import msgspec

from cockpit.journal.projection import load_state

if TYPE_CHECKING:
    from cockpit.journal.ports import EventLog


class IncidentNotFound(LookupError):
    """The incident a command was asked for is not in the journal; the message says which
    ones are."""


_ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def new_incident_id(now: datetime | None = None) -> str:
    """e.g. INC-20261202-110512-k3f9: sortable and readable by the second it started, and
    unique by its random tail (36^4 per second), so two unrelated starts in the same second
    never share an incident by accident (issue 12: minute ids merged three responders)."""
    now = now or datetime.now(UTC)
    # os.urandom, not `secrets`: that module's imports would cost the start a few ms
    number = int.from_bytes(os.urandom(8), "big")
    tail = ""
    for _ in range(4):
        number, digit = divmod(number, 36)
        tail += _ID_ALPHABET[digit]
    return now.astimezone(UTC).strftime("INC-%Y%m%d-%H%M%S-") + tail


def incident_to_run(wanted: str | None) -> str:
    """The live cockpit and the demo: join or start `--incident`, else start a new one. The
    journal is not read for this: it opens after the first frame."""
    return wanted or new_incident_id()


async def existing_incident(journal: EventLog, wanted: str | None, *, when_empty: str) -> str:
    """`export`, `replay`: the named incident, which must exist, else the most recent one.
    `when_empty` ends the message for a journal without any incident."""
    if wanted:
        if not await journal.has_incident(wanted):
            known = await journal.incident_ids()
            hint = f"known: {', '.join(known[-5:])}" if known else "the journal is empty"
            raise IncidentNotFound(f"no incident {wanted!r} in {journal.path} ({hint})")
        return wanted
    latest = await journal.latest_incident()
    if latest is None:
        raise IncidentNotFound(f"{journal.path} holds no incident yet: {when_empty}")
    return latest


async def incident_to_append(journal: EventLog, wanted: str | None) -> str:
    """`note`: the named incident (its first event starts it), else the most recent one, else a
    new one: a note on an empty journal starts an incident."""
    return wanted or await journal.latest_incident() or new_incident_id()


class IncidentRow(msgspec.Struct, frozen=True):
    id: str
    title: str
    severity: str
    status: str
    events: int
    started: str
    last_activity: str
    operators: tuple[str, ...]
    active: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "severity": self.severity,
            "status": self.status,
            "events": self.events,
            "started": self.started,
            "last_activity": self.last_activity,
            "operators": list(self.operators),
            "active": list(self.active),
        }


async def list_incidents(journal: EventLog) -> list[IncidentRow]:
    rows = []
    for incident in await journal.incident_ids():
        state = await load_state(journal, incident)
        rows.append(
            IncidentRow(
                id=incident,
                title=state.title,
                severity=state.severity or "-",
                status=state.status,
                events=state.version,
                started=state.started or "",
                last_activity=state.last_event or "",
                operators=state.operators,
                active=state.active,
            )
        )
    return rows


def render_table(rows: list[IncidentRow]) -> str:
    if not rows:
        return "no incidents yet: start one with cockpit note TEXT or cockpit demo"
    header = (
        "INCIDENT",
        "SEV",
        "STATUS",
        "EVENTS",
        "LAST ACTIVITY",
        "ACTIVE NOW",
        "OPERATORS",
        "TITLE",
    )
    body = [
        (
            r.id,
            r.severity,
            r.status,
            str(r.events),
            r.last_activity[:19].replace("T", " "),
            ",".join(r.active) or "-",
            ",".join(r.operators) or "-",
            r.title or "-",
        )
        for r in rows
    ]
    widths = [max(len(line[i]) for line in (header, *body)) for i in range(len(header) - 1)]
    out = []
    for line in (header, *body):
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(line[:-1])]
        out.append("  ".join([*cells, line[-1]]))
    return "\n".join(out)
