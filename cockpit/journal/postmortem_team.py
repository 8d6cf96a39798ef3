"""The exports' "Team record": how the team store received the incident, and from whom.

Marks the timeline entries where it matters (an event inserted by a role that does not name
its actor; an event that reached the team store after later ones) and sums up the rest: the
roles seen, per actor the roles that inserted their events, the events not yet in the team
store, and the late arrivals. The renderers (export_md, export_html) only lay it out.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from cockpit.journal.arrival import Late, TeamRecord, backs
from cockpit.journal.format import hhmmss
from cockpit.journal.postmortem import Entry, Postmortem
from cockpit.kinds import is_change

LISTED = 50  # entries listed per part of the section; the timeline marks every one


class ActorRoles(msgspec.Struct, frozen=True):
    actor: str
    roles: tuple[tuple[str, int], ...]  # (role, events it inserted), most first
    person: bool  # a responder, not a source: their roles are checked against the name

    @property
    def unbacked(self) -> tuple[str, ...]:
        """The roles that inserted this person's events without naming them."""
        if not self.person:
            return ()
        return tuple(role for role, _ in self.roles if not backs(role, self.actor))


class TeamSection(msgspec.Struct, frozen=True):
    received: int  # timeline entries the team store holds
    roles: tuple[str, ...]  # every role that inserted one of them
    actors: tuple[ActorRoles, ...]
    missing: tuple[Entry, ...]  # not yet in the team store (the first LISTED)
    missing_count: int
    late: tuple[Entry, ...]  # reached it after later events (the first LISTED)
    late_count: int


def with_team(pm: Postmortem, record: TeamRecord) -> Postmortem:
    """The postmortem with its timeline marked and its "Team record" section."""
    entries, section = apply_team(pm.entries, record)
    return msgspec.structs.replace(pm, entries=tuple(entries), team=section)


def apply_team(entries: Sequence[Entry], record: TeamRecord) -> tuple[list[Entry], TeamSection]:
    """The entries with their marks, and the section summing them up."""
    out: list[Entry] = []
    missing: list[Entry] = []
    late: list[Entry] = []
    inserted: dict[tuple[str, str], int] = {}  # (actor, role) -> events
    # a few kinds and (role, actor) pairs make up 100k entries: each is judged once
    person: dict[str, bool] = {}
    sources: set[str] = set()  # actors of system changes: not people
    named: dict[tuple[str, str], bool] = {}
    by_id, late_ids = record.by_id.get, record.late
    add, replace = out.append, msgspec.structs.replace
    for entry in entries:
        e = entry.event
        found = by_id(e.id) or record.receipt(e)
        if found is None:
            missing.append(entry)
            add(entry)
            continue
        role, actor = found.recorded_by, e.actor
        pair = (actor, role)
        inserted[pair] = inserted.get(pair, 0) + 1
        is_person = person.get(e.kind)
        if is_person is None:
            is_person = person[e.kind] = not is_change(e.kind)
        unbacked = ""
        if not is_person:
            sources.add(actor)
        else:
            backed = named.get(pair)
            if backed is None:
                backed = named[pair] = backs(role, actor)
            unbacked = "" if backed else role
        overtaken = late_ids.get(found.id)
        if overtaken is None:
            if unbacked:
                entry = replace(entry, inserted_by=unbacked)
        else:
            arrived = Late(e.ts, found.recorded_at, overtaken)
            entry = replace(entry, inserted_by=unbacked, late=arrived)
            late.append(entry)
        add(entry)
    section = TeamSection(
        received=len(entries) - len(missing),
        roles=tuple(sorted({role for _, role in inserted})),
        actors=_actors(inserted, sources),
        missing=tuple(missing[:LISTED]),
        missing_count=len(missing),
        late=tuple(late[:LISTED]),
        late_count=len(late),
    )
    return out, section


def _actors(
    inserted: dict[tuple[str, str], int], entries: Sequence[Entry]
) -> tuple[ActorRoles, ...]:
    """Per actor, the roles that inserted their events, most first; sources said apart."""
    sources = {e.event.actor for e in entries if is_change(e.event.kind)}
    roles: dict[str, list[tuple[str, int]]] = {}
    for (actor, role), count in inserted.items():
        roles.setdefault(actor, []).append((role, count))
    return tuple(
        ActorRoles(actor, tuple(sorted(pairs, key=lambda p: (-p[1], p[0]))), actor not in sources)
        for actor, pairs in sorted(roles.items(), key=lambda item: item[0].casefold())
    )


def _plural(n: int, word: str, many: str = "") -> str:
    return f"{n} {word}" if n == 1 else f"{n} {many or word + 's'}"


def late_line(late: Late) -> str:
    """e.g. 'happened 01:12:03, reached the team store 01:19:40, after 14 later events'."""
    arrived = hhmmss(late.arrived)
    if late.arrived[:10] != late.happened[:10]:  # another day: say which
        arrived = f"{late.arrived[:10]} {arrived}"
    return (
        f"happened {hhmmss(late.happened)}, reached the team store {arrived},"
        f" after {_plural(late.overtaken, 'later event')}"
    )


def _entry_line(entry: Entry) -> str:
    return f"{hhmmss(entry.event.ts)} {entry.event.actor}: {entry.what}"


def _more(shown: int, total: int) -> list[str]:
    return [f"… and {total - shown} more (marked in the timeline)"] if total > shown else []


def team_lines(team: TeamSection) -> list[tuple[str, list[str]]]:
    """The section as (line, its sub-items), in plain text for either renderer to escape."""
    total = _plural(team.received + team.missing_count, "timeline entry", "timeline entries")
    out: list[tuple[str, list[str]]] = [
        (
            f"The team store holds {team.received} of {total}."
            " The role is the database role that inserted an event (session_user, which"
            " the server authenticated); the actor is the name the cockpit declared.",
            [],
        ),
        ("Roles seen: " + (", ".join(team.roles) or "none yet"), []),
    ]
    if team.actors:
        items = []
        for a in team.actors:
            roles = ", ".join(f"{role} ({count})" for role, count in a.roles)
            line = f"{a.actor}: {roles}" if a.person else f"{a.actor} (a source): {roles}"
            if a.unbacked:
                line += f" — {', '.join(a.unbacked)} does not name {a.actor}"
            items.append(line)
        out.append(("Per actor, the roles that inserted their events:", items))
    if team.missing_count:
        items = [_entry_line(x) for x in team.missing]
        items += _more(len(team.missing), team.missing_count)
        head = f"Not yet in the team store: {_plural(team.missing_count, 'entry', 'entries')}"
        out.append((head, items))
    else:
        out.append(("Not yet in the team store: none", []))
    if team.late_count:
        items = [f"{_entry_line(x)} — {late_line(x.late)}" for x in team.late if x.late is not None]
        items += _more(len(team.late), team.late_count)
        head = "Arrived out of order (reached the team store after events that happened later):"
        out.append((f"{head} {team.late_count}", items))
    else:
        in_order = "Arrived out of order: none (the team chain follows the time of each event)"
        out.append((in_order, []))
    return out
