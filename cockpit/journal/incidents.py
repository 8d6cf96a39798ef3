"""The `cockpit incidents` listing: one summary per incident stream."""

from __future__ import annotations

from typing import Any

import msgspec

from cockpit.journal.projection import load_state


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


async def list_incidents(journal: Any) -> list[IncidentRow]:
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
