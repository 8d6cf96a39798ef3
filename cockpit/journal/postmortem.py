"""The postmortem model: what an export says about an incident, gathered once from its events.

The renderers (export_md, export_html) only lay this out. Keeping the meaning of events here
means the markdown and the html always tell the same story: the same timings, the same
amended note texts, the same evidence and the same deploy-to-alert correlations.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterable, Sequence
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import msgspec

from cockpit.correlate import WINDOW_S, Rollout, suspect
from cockpit.journal import codec
from cockpit.journal.arrival import Late
from cockpit.journal.format import describe, fmt_duration, fmt_unit, fmt_value, hhmmss
from cockpit.journal.gaps import Outage, outages
from cockpit.journal.projection import fold
from cockpit.kinds import ACK_KINDS, NOTE_TYPES, is_change, is_operator, is_view
from cockpit.model import Event, IncidentState, parse_ts

if TYPE_CHECKING:
    from cockpit.journal.ports import JournalPort, ObservationLog
    from cockpit.journal.postmortem_team import TeamSection

# A deploy this long before an alert fired is a suspect: correlate.py's rule, the live one.
CORRELATION_WINDOW_S = WINDOW_S
# Charts start this long before the impact (the cockpit fetches that much history at start)
BASELINE_S = 30 * 60.0
# An observations body larger than this once inflated is ignored: the file is untrusted input.
MAX_OBSERVATION_BYTES = codec.MAX_BODY_BYTES
NOTE_SECTIONS = (
    ("decision", "Decisions"),
    ("hypothesis", "Hypotheses"),
    ("finding", "Findings"),
    ("note", "Notes"),
)
_MILESTONE_KINDS = {
    "declared": ("incident.declared",),
    "acknowledged": ("alert.acknowledged",),
    "mitigated": ("status.changed", "remediation.succeeded"),
    "resolved": ("status.changed",),
}


# what marks "detected": a responder's first cockpit session or response action
_DETECTING = ACK_KINDS | {"session.started"}


def _number(value: Any) -> float | None:
    # bool is an int subclass, and NaN/inf would wreck a chart's scale
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def _epoch(ts: str) -> float | None:
    try:
        return parse_ts(ts).timestamp()
    except (ValueError, TypeError):
        return None


# -- value types -------------------------------------------------------------------------------


MUTED_STATES = ("silenced", "inhibited")


class FiringAlert(msgspec.Struct, frozen=True):
    alert: str
    severity: str
    state: str


class Evidence(msgspec.Struct, frozen=True):
    """What the cockpit showed when an operator acted (the event's context)."""

    firing: tuple[FiringAlert, ...] = ()
    metrics: tuple[tuple[str, float | None], ...] = ()
    selected: str = ""
    units: dict[str, str] = msgspec.field(default_factory=dict)  # panel title -> unit

    def value_text(self, title: str, value: float | None) -> str:
        """A recorded panel value humanised by its unit, as the cockpit showed it."""
        unit = self.units.get(title)
        return fmt_value(value) if unit is None or value is None else fmt_unit(value, unit)

    @property
    def empty(self) -> bool:
        return not (self.firing or self.metrics or self.selected)

    @property
    def active(self) -> tuple[FiringAlert, ...]:
        """The alerts that were firing, not muted by a silence or an inhibition."""
        return tuple(a for a in self.firing if a.state not in MUTED_STATES)

    @property
    def muted(self) -> tuple[FiringAlert, ...]:
        """Alerts the cockpit listed but Alertmanager muted: not "firing" in any record."""
        return tuple(a for a in self.firing if a.state in MUTED_STATES)

    def alerts_text(self, limit: int = 4, alerts: tuple[FiringAlert, ...] | None = None) -> str:
        chosen = self.active if alerts is None else alerts
        shown = [f"{a.alert} ({a.severity})" if a.severity else a.alert for a in chosen]
        extra = len(shown) - limit
        return ", ".join(shown[:limit]) + (f" +{extra} more" if extra > 0 else "")

    def metrics_text(self, limit: int = 4) -> str:
        shown = [f"{title} {self.value_text(title, value)}" for title, value in self.metrics]
        extra = len(shown) - limit
        return ", ".join(shown[:limit]) + (f" +{extra} more" if extra > 0 else "")

    def line(self, *, selected: bool = False) -> str:
        """One compact line, e.g. 'firing: A (critical); 5xx rate 7.2'."""
        parts = []
        if self.active:
            parts.append(f"firing: {self.alerts_text()}")
        else:
            parts.append("no alert firing")
        for state in MUTED_STATES:  # silenced is not firing: said apart, in its own words
            muted = tuple(a for a in self.muted if a.state == state)
            if muted:
                parts.append(f"{state}: {self.alerts_text(alerts=muted)}")
        if self.metrics:
            parts.append(self.metrics_text())
        if selected and self.selected:  # the action's own text usually names its target
            parts.append(f"selected: {self.selected}")
        return "; ".join(parts)

    @classmethod
    def from_context(cls, context: Any) -> Evidence:
        """Parse defensively: a context may come from an import or an older cockpit."""
        if not isinstance(context, dict):
            return cls()
        firing_raw = context.get("firing")
        metrics_raw = context.get("metrics")
        selected = context.get("selected")
        if not firing_raw and metrics_raw is None and selected is None:
            # most contexts: nothing to parse (and an empty Evidence is immutable: share one)
            return _NO_EVIDENCE if cls is Evidence else cls()
        firing = []
        for item in firing_raw if isinstance(firing_raw, list) else ():
            if isinstance(item, dict) and item.get("alert"):
                firing.append(
                    FiringAlert(
                        _text(item.get("alert")),
                        _text(item.get("severity")),
                        _text(item.get("state")),
                    )
                )
        metrics = (
            tuple((_text(k), _number(v)) for k, v in metrics_raw.items())
            if isinstance(metrics_raw, dict)
            else ()
        )
        chosen = ""
        if isinstance(selected, dict) and selected.get("item"):
            pane = _text(selected.get("pane"))
            chosen = f"{pane} {_text(selected.get('item'))}".strip()
        units_raw = context.get("units")
        units = (
            {_text(k): _text(v) for k, v in units_raw.items()}
            if isinstance(units_raw, dict)
            else {}
        )
        return cls(tuple(firing), metrics, chosen, units)


_NO_EVIDENCE = Evidence()


class Note(msgspec.Struct, frozen=True):
    """A note as it reads now: the latest amendment's text, the original kept for the record."""

    event: Event
    type: str
    original: str
    amendments: tuple[Event, ...] = ()

    @property
    def text(self) -> str:
        return _text(self.amendments[-1].data.get("text")) if self.amendments else self.original

    @property
    def amended(self) -> bool:
        return bool(self.amendments)


class Entry(msgspec.Struct, frozen=True):
    """One timeline row."""

    event: Event
    what: str
    amended: bool = False  # `what` shows a note's current text: mark it "(amended)"
    evidence: Evidence | None = None  # operator actions only
    marker: int | None = None  # the number of this action's marker on the charts
    # from the team store's receipts (postmortem_team.py), set only where it matters:
    inserted_by: str = ""  # the database role that inserted it, when it does not name the actor
    late: Late | None = None  # it reached the team store after events that happened later

    @property
    def operator(self) -> bool:
        return is_operator(self.event.kind)


class DeployChange(msgspec.Struct, frozen=True):
    ts: str
    actor: str
    deployment: str
    revision: str
    image_from: str
    image_to: str
    change_cause: str = ""

    def line(self) -> str:
        text = f"{self.deployment} rev {self.revision}" if self.revision else self.deployment
        if self.image_from or self.image_to:
            text += f": {self.image_from or '?'} -> {self.image_to or '?'}"
        if self.change_cause:
            text += f" ({self.change_cause})"
        return text


class Correlation(msgspec.Struct, frozen=True):
    """An alert and the deploy suspected of causing it."""

    ts: str
    alert: str
    severity: str
    deploy: str  # "checkout rev 42, 8 min before"
    by: str  # "source": the alert source said so; "journal": a system.deploy shortly before

    def line(self) -> str:
        who = f"{self.alert} ({self.severity})" if self.severity else self.alert
        how = "" if self.by == "source" else " (by time, from the journal)"
        return f"alert {who} fired; suspect deploy: {self.deploy}{how}"


class Milestone(msgspec.Struct, frozen=True):
    name: str  # started, declared, acknowledged, mitigated, resolved
    at: str
    since_start: float | None
    actor: str = ""
    what: str = ""


class Series(msgspec.Struct, frozen=True):
    """One metric panel's points over the incident window."""

    title: str
    unit: str = ""
    warn: float | None = None
    crit: float | None = None
    points: tuple[tuple[float, float | None], ...] = ()
    origin: str = "observations"  # or "context": the values recorded with each event
    direction: str = "above"  # "below": lower values are worse (the thresholds read <=)

    @property
    def has_data(self) -> bool:
        return any(v is not None for _, v in self.points)


class Marker(msgspec.Struct, frozen=True):
    at: float
    kind: str  # "deploy" or "action"
    label: str
    number: int | None = None


class SilenceRecord(msgspec.Struct, frozen=True):
    """One silence the responders made, as journaled: created, extended, expired or failed."""

    silence_id: str
    alert: str
    created: str  # when it was journaled
    by: str
    matchers: tuple[tuple[str, str], ...] = ()
    comment: str = ""
    ends_at: str = ""  # the latest end journaled (an extension moves it)
    expired: str = ""  # when X ended it
    extended: int = 0
    error: str = ""  # a silence Alertmanager refused or could not take: why

    def matchers_text(self) -> str:
        return " ".join(f'{k}="{v}"' for k, v in self.matchers)

    def outcome(self) -> str:
        if self.error:
            return f"failed: {self.error}"
        if self.expired:
            return f"expired at {hhmmss(self.expired)}"
        ends = f"until {hhmmss(self.ends_at)}" if self.ends_at else "active"
        return f"{ends} (extended {self.extended}x)" if self.extended else ends


class AlertRecord(msgspec.Struct, frozen=True):
    """What an alert that fired said about itself: its annotations and where it came from."""

    alert: str
    severity: str
    starts_at: str
    summary: str = ""
    description: str = ""
    runbook_url: str = ""
    generator_url: str = ""
    other: tuple[tuple[str, str], ...] = ()  # the other annotations, by name


PINNED_LINES_SHOWN = 50  # of a pinned log range, in the Evidence section


def pinned_lines(entry: Entry) -> list[str]:
    """The log text of a pinned entry, line by line (empty for other pins)."""
    data = entry.event.data
    if data.get("what") != "log":
        return []
    lines = str(data.get("text") or "").split("\n")
    if len(lines) > PINNED_LINES_SHOWN:
        rest = len(lines) - PINNED_LINES_SHOWN
        lines = [*lines[:PINNED_LINES_SHOWN], f"… ({rest} more lines in the journal)"]
    return lines


class Postmortem(msgspec.Struct, frozen=True):
    incident: str
    state: IncidentState
    entries: tuple[Entry, ...] = ()
    notes: tuple[Note, ...] = ()
    correlations: tuple[Correlation, ...] = ()
    deploys: tuple[DeployChange, ...] = ()
    system: tuple[Entry, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    series: tuple[Series, ...] = ()
    markers: tuple[Marker, ...] = ()
    window: tuple[float, float] = (0.0, 0.0)
    head: tuple[int, str] | None = None
    timings: tuple[tuple[str, str], ...] = msgspec.field(default=())
    first_session: str | None = None  # when the first cockpit opened on the incident
    # everyone who acted, was handed the keyboard or watched, in order of appearance
    people: tuple[str, ...] = ()
    silences: tuple[SilenceRecord, ...] = ()
    alerts: tuple[AlertRecord, ...] = ()
    outages: tuple[Outage, ...] = ()  # metric sources down: no line, a shaded span
    pinned: tuple[Entry, ...] = ()  # evidence.pinned entries: the exports' "Evidence" section
    team: TeamSection | None = None  # a team incident: "Team record" (postmortem_team.py)

    @property
    def title(self) -> str:
        return self.state.title or "(untitled)"

    def summary_rows(self) -> list[tuple[str, str]]:
        s = self.state
        impact = s.impact_started or "— (no alert fired: timings count from the first entry)"
        return [
            ("Severity", s.severity or "—"),
            ("Status", s.status),
            ("Impact started", impact),
            ("First session", self.first_session or "—"),
            ("Declared", s.declared or "—"),
            ("End", s.resolved or "—"),
            ("Duration", fmt_duration(s.time_to_resolve)),
            ("Commander", s.roles.get("commander", "—")),
            ("Operators", ", ".join(self.people or s.operators) or "—"),
        ]

    def notes_of(self, note_type: str) -> list[Note]:
        return [n for n in self.notes if n.type == note_type]


# -- gathering ---------------------------------------------------------------------------------


def build(
    events: Sequence[Event],
    *,
    head: tuple[int, str] | None = None,
    panels: Sequence[Series] = (),
    charts: bool = True,
) -> Postmortem:
    """The postmortem of one incident's events; `panels` are metric series from observations.

    charts=False leaves out what only the charts draw (markers, series, window), for the
    markdown export: at 100k events that is a marker per action and a parse of every time.
    """
    incident = events[0].incident if events else "?"
    state = fold(list(events), incident=incident)
    root = _amendment_roots(events)
    notes = _notes(events, root)
    by_id = {n.event.id: n for n in notes}
    # every event's moment parsed once: markers, the window and the context series share it
    epochs = {ts: _epoch(ts) for ts in {e.ts for e in events}} if charts else {}
    # the registry asked once per distinct kind, not once per event
    distinct = {e.kind for e in events}
    views = {k for k in distinct if is_view(k)}
    operator = {k for k in distinct if is_operator(k)}
    changes = {k for k in distinct if is_change(k)}
    visible = [e for e in events if e.kind not in views]
    entries: list[Entry] = []
    markers: list[Marker] = []
    add_entry, add_marker, evidence_of = entries.append, markers.append, Evidence.from_context
    number = 0
    for e in visible:
        what, amended = _what(e, by_id, root)
        if e.kind not in operator:
            add_entry(Entry(e, what, amended))
            continue
        number += 1
        add_entry(Entry(e, what, amended, evidence_of(e.context), number))
        if not charts:
            continue
        ts = e.ts
        at = epochs[ts]
        if at is not None:
            clock = ts[11:19] if len(ts) >= 19 else ts  # hhmmss(ts), inlined
            add_marker(Marker(at, "action", f"{clock} {what}", number))
    deploys = _deploys(visible)
    for d in deploys if charts else ():
        at = _epoch(d.ts)
        if at is not None:
            markers.append(Marker(at, "deploy", f"{hhmmss(d.ts)} deploy {d.line()}"))
    system = tuple(x for x in entries if x.event.kind in changes)
    window = _window(state, events, epochs) if charts else (0.0, 0.0)
    series: tuple[Series, ...] = ()
    if charts:
        # the charts open on a baseline: up to 30 min before the impact, as far as data goes
        impact = _epoch(state.impact or "") or window[0]
        wanted = (min(window[0], impact) - BASELINE_S, window[1])
        series = tuple(_series(panels, events, wanted, epochs, pad_before=False))
        earliest = min((t for s in series for t, v in s.points if v is not None), default=None)
        first = min(window[0], impact)
        start = first if earliest is None else max(wanted[0], min(first, earliest))
        window = (start, window[1])
    return Postmortem(
        incident=incident,
        state=state,
        outages=tuple(outages(events)) if charts else (),
        pinned=tuple(x for x in entries if x.event.kind == "evidence.pinned"),
        silences=tuple(_silences(visible)),
        alerts=tuple(_alert_records(visible)),
        entries=tuple(entries),
        notes=tuple(notes),
        correlations=tuple(_correlations(visible)),
        deploys=tuple(deploys),
        system=system,
        milestones=tuple(_milestones(state, visible)),
        series=series,
        markers=tuple(sorted(markers, key=attrgetter("at"))),
        window=window,
        head=head,
        timings=_timings(state),
        first_session=next((e.ts for e in events if e.kind == "session.started"), None),
        people=_people(events),
    )


async def gather(journal: JournalPort, incident: str) -> Postmortem:
    """Everything the exports need from an open journal, metric observations included."""
    events = await journal.events(incident)
    panels = await load_panels(journal, incident)
    return build(events, head=await journal.head(), panels=panels)


def _amendment_roots(events: Iterable[Event]) -> dict[str, str]:
    """note.amended id -> the id of the note it ultimately amends (amendments may chain)."""
    target = {e.id: _text(e.data.get("amends")) for e in events if e.kind == "note.amended"}
    roots: dict[str, str] = {}
    for amend_id in target:
        seen = {amend_id}
        current = target[amend_id]
        while current in target and current not in seen:  # a cycle is garbage, not a hang
            seen.add(current)
            current = target[current]
        roots[amend_id] = current
    return roots


def _notes(events: Sequence[Event], roots: dict[str, str]) -> list[Note]:
    notes: dict[str, Note] = {}
    for e in events:
        if e.kind == "note.added":
            note_type = e.data.get("type")
            if note_type not in NOTE_TYPES:  # "", None, non-text: "note", as _text(...) gave
                note_type = "note"
            notes[e.id] = Note(e, note_type, _text(e.data.get("text")))
        elif e.kind == "note.amended":
            original = notes.get(roots.get(e.id, ""))
            if original is not None:
                notes[original.event.id] = Note(
                    original.event,
                    original.type,
                    original.original,
                    (*original.amendments, e),
                )
    return list(notes.values())


def _what(e: Event, notes: dict[str, Note], roots: dict[str, str]) -> tuple[str, bool]:
    """The timeline text of an event; notes show their current text."""
    kind = e.kind
    if kind == "note.added":
        note = notes.get(e.id)
        if note is not None and note.amendments:
            return _tidy(f"{note.type}: {note.text}"), True
    elif kind == "note.amended":
        note = notes.get(roots.get(e.id, ""))
        if note is not None:
            text = _text(e.data.get("text"))
            was = _tidy(note.original)
            what = f"amended the {note.type} of {hhmmss(note.event.ts)}: {text} (was: {was})"
            return _tidy(what), False
    return describe(e), False


def _tidy(text: str) -> str:
    """Spacing tidied, line breaks of a multi-line note kept (the renderers show them)."""
    return "\n".join(" ".join(line.split()) for line in text.strip().split("\n"))


def _silences(events: Iterable[Event]) -> list[SilenceRecord]:
    """Each silence's story from its journal entries (failed attempts are listed too)."""
    found: dict[str, SilenceRecord] = {}
    failed: list[SilenceRecord] = []
    replace = msgspec.structs.replace
    for e in events:
        d = e.data
        sid = _text(d.get("silence_id"))
        if e.kind == "alert.silenced":
            matchers = d.get("matchers")
            pairs = (
                tuple(sorted((_text(k), _text(v)) for k, v in matchers.items()))
                if isinstance(matchers, dict)
                else ()
            )
            found[sid] = SilenceRecord(
                sid,
                _text(d.get("alert")),
                e.ts,
                e.actor,
                pairs,
                _text(d.get("comment")),
                _text(d.get("ends_at")),
            )
        elif e.kind == "alert.silence.extended":
            old = found.pop(_text(d.get("replaces")) or sid, None)
            if old is not None:
                ends = _text(d.get("ends_at"))
                found[sid] = replace(old, silence_id=sid, ends_at=ends, extended=old.extended + 1)
        elif e.kind == "alert.silence.expired" and sid in found:
            found[sid] = replace(found[sid], expired=e.ts)
        elif e.kind == "alert.silence.failed":
            what = _text(d.get("action")) or "create"
            failed.append(
                SilenceRecord(
                    "",
                    _text(d.get("alert")),
                    e.ts,
                    e.actor,
                    error=f"{what}: {_text(d.get('error'))}",
                )
            )
    return sorted([*found.values(), *failed], key=attrgetter("created"))


_KNOWN_ANNOTATIONS = ("summary", "description", "runbook_url")


def _alert_records(events: Iterable[Event]) -> list[AlertRecord]:
    """The alerts that fired, once each (the first time), with what they said."""
    out: dict[str, AlertRecord] = {}
    for e in events:
        if e.kind != "system.alert.firing":
            continue
        d = e.data
        name = _text(d.get("alert"))
        raw = d.get("annotations")
        notes = {_text(k): _text(v) for k, v in raw.items()} if isinstance(raw, dict) else {}
        key = f"{name}@{_text(d.get('starts_at'))}"
        if key in out:
            continue
        out[key] = AlertRecord(
            name,
            _text(d.get("severity")),
            _text(d.get("starts_at")) or e.ts,
            _text(d.get("summary")) or notes.get("summary", ""),
            notes.get("description", ""),
            notes.get("runbook_url", ""),
            _text(d.get("generator_url")),
            tuple(sorted((k, v) for k, v in notes.items() if k not in _KNOWN_ANNOTATIONS)),
        )
    return list(out.values())


def _deploys(events: Iterable[Event]) -> list[DeployChange]:
    out = []
    for e in events:
        if e.kind != "system.deploy":
            continue
        d = e.data
        revision = d.get("revision")
        out.append(
            DeployChange(
                ts=e.ts,
                actor=e.actor,
                deployment=_text(d.get("deployment")),
                revision="" if revision is None else _text(revision),
                image_from=_text(d.get("image_from")),
                image_to=_text(d.get("image_to")),
                change_cause=_text(d.get("change_cause")),
            )
        )
    return out


def _correlations(events: Sequence[Event]) -> list[Correlation]:
    """The sources' own deploy correlation, else correlate.py's rule on the journaled deploys.

    The rule is the live one (same window, label matching and tie-break), so the export names
    the suspect the alert row named, in the same words.
    """
    out = []
    rollouts = [r for e in events if e.kind == "system.deploy" for r in _rollout(e)]
    for e in events:
        if e.kind != "system.alert.firing":
            continue
        alert = _text(e.data.get("alert"))
        severity = _text(e.data.get("severity"))
        if e.data.get("deploy"):
            out.append(Correlation(e.ts, alert, severity, _text(e.data["deploy"]), "source"))
            continue
        fired = _epoch(_text(e.data.get("starts_at"))) or _epoch(e.ts)
        labels = e.data.get("labels")
        if fired is None or not isinstance(labels, dict):
            continue
        found = suspect(labels, fired, rollouts)
        if found is not None:
            out.append(Correlation(e.ts, alert, severity, found.text, "journal"))
    return out


def _rollout(e: Event) -> list[Rollout]:
    """A journaled system.deploy as the correlation rule sees it ([] if its time is unreadable).

    The data names the deployment "namespace/name"; its moment is the rollout's own when the
    source recorded one, else when it was journaled.
    """
    at = _epoch(_text(e.data.get("created"))) or _epoch(e.ts)
    if at is None:
        return []
    namespace, _, name = _text(e.data.get("deployment")).rpartition("/")
    revision = e.data.get("revision")
    return [Rollout(namespace, name, None if revision is None else _text(revision), at)]


def _timings(state: IncidentState) -> tuple[tuple[str, str], ...]:
    """Each from the impact start (README "Timings"); "—" when the moment never came."""
    return (
        ("Time to detect", fmt_duration(state.time_to_detect)),
        ("Time to declare", fmt_duration(state.time_to_declare)),
        ("Time to acknowledge", fmt_duration(state.time_to_acknowledge)),
        ("Time to mitigate", fmt_duration(state.time_to_mitigate)),
        ("Time to resolve", fmt_duration(state.time_to_resolve)),
    )


def _people(events: Iterable[Event]) -> tuple[str, ...]:
    """Who acted, was handed the keyboard, or watched (a cockpit session, read-only ones
    too, or a tmux client attached to one), in order of appearance; sources are not people."""
    seen: dict[str, None] = {}
    for e in events:
        kind, data = e.kind, e.data
        if is_operator(kind) or kind == "session.started":
            seen.setdefault(e.actor, None)
        if kind == "operator.handoff":
            seen.setdefault(_text(data.get("to")) or e.actor, None)
        elif kind == "session.viewer.joined" and _text(data.get("user")):
            seen.setdefault(_text(data.get("user")), None)
    return tuple(name for name in seen if name)


def _impact_event(state: IncidentState, events: Sequence[Event]) -> Event | None:
    """The alert whose startsAt is the impact start (else the incident's first entry)."""
    if state.impact_started is None:
        return events[0] if events else None
    at = _epoch(state.impact_started)
    for e in events:
        if e.kind == "system.alert.firing":
            began = _epoch(_text(e.data.get("starts_at"))) or _epoch(e.ts)
            if began is not None and at is not None and abs(began - at) < 0.001:
                return e
    return None


def _milestones(state: IncidentState, events: Sequence[Event]) -> list[Milestone]:
    out = []
    impact = state.impact
    if impact:
        event = _impact_event(state, events)
        name = "impact started" if state.impact_started else "started"
        what = describe(event) if event else ""
        out.append(Milestone(name, impact, None, event.actor if event else "", what))
    for name in ("detected", "declared", "acknowledged", "mitigated", "resolved"):
        at = getattr(state, name)
        if not at:
            continue
        kinds = _MILESTONE_KINDS.get(name)
        marking = [e for e in events if e.ts == at and (kinds is None or e.kind in kinds)]
        if name == "detected":
            marking = [e for e in marking if e.kind in _DETECTING] or marking
        event = marking[-1] if name == "resolved" and marking else (marking or [None])[0]
        out.append(
            Milestone(
                name,
                at,
                state.since_impact(at),
                event.actor if event else "",
                describe(event) if event else "",
            )
        )
    return out


def _window(
    state: IncidentState, events: Sequence[Event], epochs: dict[str, float | None]
) -> tuple[float, float]:
    """Chart x range: first event to resolution (or the last event), never empty."""
    moments = [t for e in events if (t := epochs[e.ts]) is not None]
    if not moments:
        return (0.0, 60.0)
    start = min(moments)
    end = _epoch(state.resolved) if state.resolved else None
    end = max(moments) if end is None else end
    if end - start < 60:
        end = start + 60
    return (start, end)


def _series(
    panels: Sequence[Series],
    events: Sequence[Event],
    window: tuple[float, float],
    epochs: dict[str, float | None],
    *,
    pad_before: bool = True,
) -> list[Series]:
    """Observed panels clipped to the window; titles only seen in event contexts fall back
    to the values recorded with each event, so a chart exists whenever a metric was seen."""
    span = window[1] - window[0]
    pad = max(60.0, span * 0.05)  # a little lead-in shows how the metric got there
    lo, hi = window[0] - (pad if pad_before else 0.0), window[1] + pad
    out: list[Series] = []
    for p in panels:
        points = tuple((t, v) for t, v in p.points if lo <= t <= hi)
        if points:
            out.append(
                Series(
                    p.title,
                    p.unit,
                    p.warn,
                    p.crit,
                    points,
                    origin=p.origin or "observations",
                    direction=p.direction,
                )
            )
    covered = {s.title for s in out}
    seen: dict[str, dict[float, float | None]] = {}
    for e in events:
        metrics = e.context.get("metrics") if isinstance(e.context, dict) else None
        if not isinstance(metrics, dict):
            continue
        at = epochs[e.ts]
        if at is None:
            continue
        for title, value in metrics.items():
            name = _text(title)
            if name and name not in covered:
                seen.setdefault(name, {})[at] = _number(value)
    for title, points in seen.items():
        out.append(Series(title, points=tuple(sorted(points.items())), origin="context"))
    return out


# -- observations ------------------------------------------------------------------------------


def decode_panels(body: bytes | str) -> list[Series]:
    """One observations body ({"panels": [...]}, codec.py) -> series; junk gives []."""
    payload = codec.decode(body, limit=MAX_OBSERVATION_BYTES)
    panels = payload.get("panels") if isinstance(payload, dict) else None
    if not isinstance(panels, list):
        return []
    out = []
    for p in panels:
        if not isinstance(p, dict) or not p.get("title"):
            continue
        points = []
        for pair in p.get("points") or ():
            if not isinstance(pair, list | tuple) or len(pair) != 2:
                continue
            at = _number(pair[0])
            if at is not None:
                points.append((at, _number(pair[1])))
        out.append(
            Series(
                _text(p["title"]),
                _text(p.get("unit")),
                _number(p.get("warn")),
                _number(p.get("crit")),
                tuple(points),
                direction="below" if p.get("direction") == "below" else "above",
            )
        )
    return out


def merge_panels(bodies: Iterable[list[Series]]) -> list[Series]:
    """Successive snapshots overlap: merge each title's points by time, later rows win."""
    merged: dict[str, tuple[Series, dict[float, float | None]]] = {}
    for panels in bodies:
        for s in panels:
            _, points = merged.get(s.title, (s, {}))
            points.update(s.points)
            merged[s.title] = (s, points)  # unit and thresholds: the latest known
    return [
        Series(
            s.title, s.unit, s.warn, s.crit, tuple(sorted(points.items())), direction=s.direction
        )
        for s, points in merged.values()
    ]


async def load_panels(journal: ObservationLog, incident: str) -> list[Series]:
    """Metric series recorded in the journal's observations table (kind "panels")."""
    try:
        rows = await journal.observations(incident, kinds=("panels",))
    except (sqlite3.Error, AttributeError):
        return []  # an older journal, or a stand-in without the table: charts from contexts
    return merge_panels(decode_panels(row[5]) for row in rows)
