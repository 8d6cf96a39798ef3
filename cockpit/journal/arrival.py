"""An incident as the team store received it: arrival order and who really inserted each event.

Pure (no I/O): built from the team receipts (receipts.py) and read by the exports and the
live cockpit, so both say the same thing.

Late: the team chain orders events by arrival, the timeline by the time they happened. An
event typed while the team store was unreachable reaches it later than events that happened
after it; that is normal (local first) but it is shown, not hidden. An event counts as late
when an event that happened more than LATE_AFTER_S after it reached the team store first:
two cockpits pushing within a second of each other overtake each other by milliseconds all
the time, and that is not worth a mark.

Inserted by: the actor is self-declared (--operator); the role is what the database
authenticated. A role backs an actor when it is the same name, ignoring case, or the actor's
part before `@` (`alice@laptop` is backed by role `alice`). Sources (system.* changes) are
not people: their rows are inserted by whichever cockpit saw the change first.
"""

from __future__ import annotations

from bisect import bisect_right, insort
from collections.abc import Iterable

import msgspec

from cockpit.journal.receipts import Receipt
from cockpit.kinds import is_change
from cockpit.model import Event, parse_ts

LATE_AFTER_S = 5.0


class Late(msgspec.Struct, frozen=True):
    """An event that reached the team store after events that happened later."""

    happened: str  # its own time
    arrived: str  # when the team store took it (the server's clock)
    overtaken: int  # events that happened after it and reached the team store first


def backs(role: str, actor: str) -> bool:
    """Does the authenticated role name the self-declared actor? (see the module doc)"""
    who = role.casefold()
    name = actor.casefold()
    return who == name or who == name.partition("@")[0]


def _seconds(ts: str) -> float | None:
    try:
        return parse_ts(ts).timestamp()
    except (ValueError, TypeError):
        return None


def late_arrivals(receipts: Iterable[Receipt], after_s: float = LATE_AFTER_S) -> dict[str, int]:
    """Row id -> how many events that happened after it reached the team store first, for
    each row overtaken by an event more than `after_s` younger."""
    arrived: list[str] = []  # the times of the rows seen so far (in team order), sorted
    late: dict[str, int] = {}
    # the fixed-width UTC times the journal writes sort as text, so only a late row parses
    for r in sorted(receipts, key=lambda r: r.seq):
        ts = r.ts
        if not arrived or ts >= arrived[-1]:
            arrived.append(ts)  # the usual case: it happened after everything before it
            continue
        newest, mine = _seconds(arrived[-1]), _seconds(ts)
        if newest is not None and mine is not None and newest - mine > after_s:
            late[r.id] = len(arrived) - bisect_right(arrived, ts)
        insort(arrived, ts)
    return late


class TeamRecord:
    """One incident's receipts from one team store, and what follows from them."""

    def __init__(self, receipts: Iterable[Receipt] = ()) -> None:
        self.by_id: dict[str, Receipt] = {}
        self._by_change: dict[tuple[str, str], Receipt] = {}
        self.late: dict[str, int] = {}
        self.add(receipts)

    def add(self, receipts: Iterable[Receipt]) -> set[str]:
        """Take new receipts in; the ids whose lateness changed (a new row may be late, and
        only rows that arrived after it can change: recomputed over all, cheap)."""
        new = list(receipts)
        if not new:
            return set()
        for r in new:
            self.by_id[r.id] = r
            if r.change_key is not None:
                key = (r.incident, r.change_key)
                first = self._by_change.get(key)
                if first is None or r.seq < first.seq:
                    self._by_change[key] = r
        before = self.late
        self.late = late_arrivals(self.by_id.values())
        changed = {i for i in before.keys() | self.late.keys() if before.get(i) != self.late.get(i)}
        return changed | {r.id for r in new}

    def __bool__(self) -> bool:
        return bool(self.by_id)

    def receipt(self, event: Event) -> Receipt | None:
        """The team's row of this event. A system change another cockpit pushed first is
        held once by the team, under that cockpit's id: its row stands for this copy."""
        found = self.by_id.get(event.id)
        if found is None and is_change(event.kind):
            key = event.data.get("key")
            if isinstance(key, str):
                found = self._by_change.get((event.incident, key))
        return found

    def late_of(self, event: Event) -> Late | None:
        """How this event reached the team store, if it arrived after later events."""
        found = self.receipt(event)
        if found is None or (overtaken := self.late.get(found.id)) is None:
            return None
        return Late(event.ts, found.recorded_at, overtaken)

    def unbacked_role(self, event: Event) -> str | None:
        """The role that inserted a person's event when it does not name its actor."""
        found = self.receipt(event)
        if found is None or is_change(event.kind) or backs(found.recorded_by, event.actor):
            return None
        return found.recorded_by


def receipt_lines(record: TeamRecord | None, event: Event) -> list[str]:
    """The event's team receipt as the detail view shows it (plain text: shown inert)."""
    if record is None:
        return []
    found = record.receipt(event)
    if found is None:
        return ["team store:   not yet in the team store (queued, or typed while offline)"]
    lines = [
        f"team store:   seq {found.seq}, inserted by role {found.recorded_by}"
        f" at {found.recorded_at}"
    ]
    if found.id != event.id:
        lines.append(f"              the team's copy of this change: {found.id}")
    if not is_change(event.kind) and not backs(found.recorded_by, event.actor):
        lines.append(f"              role {found.recorded_by} does not name {event.actor}")
    late = record.late_of(event)
    if late is not None:
        n = late.overtaken
        lines.append(
            f"              late: reached the team store after {n} later"
            f" event{'' if n == 1 else 's'}"
        )
    return lines
