"""The incidents of a journal that are active now: what a plain `cockpit` offers to join.

Read with plain sqlite3 (no store, no aiosqlite, no writer thread) before the screen starts,
and only the rows the chooser line needs, so a start against a big journal stays fast. An
incident is active when it had an entry within the last 24 hours and either someone has a
cockpit open on it or it is not resolved (issue 12 item 1). A journal that cannot be read is
"no active incident": the start then makes a new one, which never merges anything.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec
from msgspec.structs import replace

from cockpit.journal.projection import fold
from cockpit.journal.rows import COLUMNS, events_from_rows
from cockpit.model import IncidentState, format_ts, parse_ts

ACTIVE_WINDOW = timedelta(hours=24)
MAX_OFFERED = 9  # the chooser's keys 1-9; older active incidents: `cockpit incidents`
# the kinds the chooser line is folded from (title, severity, status, who is in session)
_LINE_KINDS = (
    "incident.declared",
    "incident.retitled",
    "severity.changed",
    "status.changed",
    "session.started",
    "session.ended",
    "operator.handoff",
)


class ActiveIncident(msgspec.Struct, frozen=True):
    state: IncidentState
    last_actor: str = ""

    @property
    def id(self) -> str:
        return self.state.id

    def line(self, now: datetime) -> str:
        """e.g. 'INC-20261202-110512-k3f9 SEV2 checkout 5xx (alice, 12 min)'."""
        s = self.state
        who = ", ".join(s.active) or self.last_actor or "nobody in session"
        since = _minutes(now - parse_ts(s.started)) if s.started else "?"
        parts = [s.id, s.severity or "SEV?", s.title or "(not declared)"]
        if s.status != "investigating":
            parts.append(f"[{s.status}]")
        return f"{' '.join(parts)} ({who}, {since})"


def _minutes(delta: timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 120:
        return f"{minutes} min"
    return f"{minutes // 60} h"


def active_incidents(path: Path, now: datetime | None = None) -> list[ActiveIncident]:
    """Active incidents, the most recently active first (at most MAX_OFFERED)."""
    now = now or datetime.now(UTC)
    if not path.is_file() or path.stat().st_size == 0:
        return []  # a new journal: nothing to read, nothing to offer
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=2.0)
    except sqlite3.Error:
        return []
    try:
        return _read(conn, now)
    except sqlite3.Error:
        return []  # not a journal yet, or unreadable: the start says so when it opens it
    finally:
        conn.close()


def _read(conn: sqlite3.Connection, now: datetime) -> list[ActiveIncident]:
    cutoff = format_ts(now - ACTIVE_WINDOW)
    # each incident's last entry, from the (incident, version) index alone: a scan of the
    # whole table by ts costs ~4x more on a 100k-event journal (bench/chooser.py)
    last = conn.execute("SELECT incident, max(version) FROM events GROUP BY incident").fetchall()
    recent: list[tuple[str, str, str]] = []  # (ts, incident, actor) of the last entry
    for incident, version in last:
        row = conn.execute(
            "SELECT ts, actor FROM events WHERE incident = ? AND version = ?", (incident, version)
        ).fetchone()
        if row is not None and row[0] >= cutoff:
            recent.append((row[0], incident, row[1]))
    recent.sort(reverse=True)  # the most recently active first
    marks = ", ".join("?" * len(_LINE_KINDS))
    out: list[ActiveIncident] = []
    for _, incident, last_actor in recent:
        rows = conn.execute(
            f"SELECT {COLUMNS} FROM events WHERE incident = ? AND kind IN ({marks})"
            " ORDER BY version",
            (incident, *_LINE_KINDS),
        ).fetchall()
        (first,) = conn.execute(
            "SELECT ts FROM events WHERE incident = ? ORDER BY version LIMIT 1", (incident,)
        ).fetchone()
        state = fold(events_from_rows(rows), incident=incident)
        state = replace(state, started=first)  # the first entry of any kind
        if state.sessions or state.status != "resolved":
            out.append(ActiveIncident(state, last_actor))
        if len(out) == MAX_OFFERED:
            break
    return out
