"""Immutable value types shared by the journal, the sources and the panes."""

from __future__ import annotations

import os
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import msgspec

GENESIS_HASH = "0" * 64


def utc_now_iso() -> str:
    """UTC wall clock with milliseconds, e.g. 2026-11-28T19:05:00.123Z."""
    return format_ts(datetime.now(UTC))


def format_ts(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_ts(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


_last_uuid7 = 0


def uuid7() -> str:
    """A time-ordered UUID (RFC 9562 version 7); the stdlib has it only from 3.14.

    Monotonic within one process: ids minted in the same millisecond still sort in order.
    """
    global _last_uuid7
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (millis & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= (rand >> 68 & 0xFFF) << 64
    value |= 0b10 << 62
    value |= rand & ((1 << 62) - 1)
    if value <= _last_uuid7:
        # same millisecond: step the random bits of the previous id instead
        value = _last_uuid7 + 1
    _last_uuid7 = value
    return str(uuid.UUID(int=value))


class Draft(msgspec.Struct, frozen=True):
    """An event before it is appended: the journal assigns seq, version and hashes."""

    incident: str
    kind: str
    actor: str
    data: dict[str, Any] = msgspec.field(default_factory=dict)
    context: dict[str, Any] = msgspec.field(default_factory=dict)
    id: str = msgspec.field(default_factory=uuid7)
    ts: str = msgspec.field(default_factory=utc_now_iso)
    schema: int | None = None  # None: the current schema of the kind


class Event(msgspec.Struct, frozen=True):
    """One committed journal row."""

    seq: int
    id: str
    incident: str
    version: int
    ts: str
    actor: str
    kind: str
    schema: int
    data: dict[str, Any]
    context: dict[str, Any]
    prev_hash: str
    hash: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "id": self.id,
            "incident": self.incident,
            "version": self.version,
            "ts": self.ts,
            "actor": self.actor,
            "kind": self.kind,
            "schema": self.schema,
            "data": self.data,
            "context": self.context,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }

    @property
    def moment(self) -> datetime:
        return parse_ts(self.ts)


# -- what the sources see ---------------------------------------------------------------


class Alert(msgspec.Struct, frozen=True):
    fingerprint: str
    name: str
    severity: str  # critical, warning, info, ... as labelled
    state: str  # firing, pending, silenced, inhibited
    labels: dict[str, str]
    annotations: dict[str, str]
    starts_at: str  # UTC ISO
    silenced_by: tuple[str, ...] = ()
    correlated_deploy: str | None = None  # "checkout rev 42, 8 min before"
    generator_url: str = ""  # the rule's expression in Prometheus (untrusted text)
    silence_ends: str = ""  # UTC ISO end of the latest silence muting it, when known

    @property
    def summary(self) -> str:
        return self.annotations.get("summary") or self.annotations.get("description", "")

    @property
    def labels_summary(self) -> str:
        skip = {"alertname", "severity"}
        return " ".join(f"{k}={v}" for k, v in sorted(self.labels.items()) if k not in skip)


class Silence(msgspec.Struct, frozen=True):
    """An Alertmanager silence: (name, value, is_regex, is_equal) matchers, like amtool's."""

    id: str
    matchers: tuple[tuple[str, str, bool, bool], ...]
    starts_at: str  # UTC ISO
    ends_at: str  # UTC ISO
    created_by: str = ""
    comment: str = ""
    state: str = "active"  # active, pending, expired

    def covers(self, labels: dict[str, str]) -> bool:
        """Whether this silence's matchers all match an alert's labels (Alertmanager's rule:
        a label that is absent matches as the empty string)."""
        import re  # only when a silence is checked

        for name, value, is_regex, is_equal in self.matchers:
            actual = labels.get(name, "")
            if is_regex:
                try:
                    hit = re.fullmatch(value, actual) is not None
                except re.error:
                    return False
            else:
                hit = actual == value
            if hit != is_equal:
                return False
        return True

    def matchers_text(self) -> str:
        """amtool's notation: alertname="X" team=~"a|b"."""
        ops = {(False, True): "=", (False, False): "!=", (True, True): "=~", (True, False): "!~"}
        return " ".join(f'{n}{ops[(r, e)]}"{v}"' for n, v, r, e in self.matchers)


Point = tuple[float, float | None]  # (epoch seconds, value or None for a gap)
REDUCERS = ("sum", "max", "min", "avg")
MAX_SERIES_KEPT = 10  # series listed in a panel's detail; the chart draws the first 5


class Panel(msgspec.Struct, frozen=True):
    """One configured metric panel ([[panels]] in the config)."""

    title: str
    query: str
    unit: str = ""
    warn: float | None = None
    crit: float | None = None
    direction: str = "above"  # "above": higher is worse; "below": lower is worse
    reduce: str = ""  # several series: "" shows the worst by direction, or one of REDUCERS

    def past(self, value: float, threshold: float | None) -> bool:
        """Whether `value` is at or beyond `threshold` in the panel's bad direction."""
        if threshold is None:
            return False
        return value <= threshold if self.direction == "below" else value >= threshold

    @property
    def metric_hint(self) -> str:
        """The metric names the query reads, for a 'no series' hint."""
        return ", ".join(metric_names(self.query)[:3])


class SeriesLine(msgspec.Struct, frozen=True):
    """One series of a panel's result: its labels and its samples."""

    labels: dict[str, str]
    points: tuple[Point, ...] = ()

    @property
    def latest(self) -> float | None:
        return _latest(self.points)

    @property
    def label_text(self) -> str:
        """`{instance="a", job="node"}`, or the metric name alone as Prometheus writes it."""
        name = self.labels.get("__name__", "")
        rest = ", ".join(f'{k}="{v}"' for k, v in sorted(self.labels.items()) if k != "__name__")
        return f"{name}{{{rest}}}" if rest or not name else name


class PanelSeries(msgspec.Struct, frozen=True):
    """A panel's recent samples: (epoch seconds, value or None for a gap).

    With several series, `points` is their reduction (the worst at each step by the panel's
    direction, or its `reduce`), `series` the worst `MAX_SERIES_KEPT` of them, worst first,
    and `series_count` how many the query returned (0: no series at all)."""

    panel: Panel
    points: tuple[Point, ...] = ()
    error: str | None = None
    partial: bool = False
    series: tuple[SeriesLine, ...] = ()
    series_count: int = 1
    query_error: bool = False  # `error` is Prometheus refusing the query (bad PromQL)

    @classmethod
    def of_lines(
        cls, panel: Panel, lines: tuple[SeriesLine, ...], *, partial: bool = False
    ) -> PanelSeries:
        """The panel's view of a result of several series on one step grid."""
        ranked = sorted(lines, key=lambda line: _rank(panel, line.latest))
        return cls(
            panel,
            points=reduce_points(panel, lines),
            partial=partial,
            series=tuple(ranked[:MAX_SERIES_KEPT]),
            series_count=len(lines),
        )

    @property
    def latest(self) -> float | None:
        return _latest(self.points)

    @property
    def no_series(self) -> bool:
        return self.error is None and self.series_count == 0

    def level(self) -> str:
        """ok, warn or crit by the panel's thresholds in its direction."""
        value = self.latest
        if value is None:
            return "unknown"
        if self.panel.past(value, self.panel.crit):
            return "crit"
        if self.panel.past(value, self.panel.warn):
            return "warn"
        return "ok"


def _latest(points: tuple[Point, ...]) -> float | None:
    for _, value in reversed(points):
        if value is not None:
            return value
    return None


def _rank(panel: Panel, value: float | None) -> tuple[int, float]:
    """Sort key: worst first by the panel's direction, series without data last."""
    if value is None:
        return (1, 0.0)
    return (0, value if panel.direction == "below" else -value)


def reduce_points(panel: Panel, lines: tuple[SeriesLine, ...]) -> tuple[Point, ...]:
    """One value per timestamp from several series: `reduce`, or the worst by direction.
    A step where no series has a sample stays a gap."""
    by_ts: dict[float, list[float]] = {}
    for line in lines:
        for ts, value in line.points:
            values = by_ts.setdefault(ts, [])
            if value is not None:
                values.append(value)
    how = panel.reduce or ("min" if panel.direction == "below" else "max")
    out: list[Point] = []
    for ts in sorted(by_ts):
        values = by_ts[ts]
        if not values:
            out.append((ts, None))
        elif how == "sum":
            out.append((ts, sum(values)))
        elif how == "avg":
            out.append((ts, sum(values) / len(values)))
        elif how == "min":
            out.append((ts, min(values)))
        else:
            out.append((ts, max(values)))
    return tuple(out)


_PROMQL_WORDS = frozenset(
    [
        "by",
        "without",
        "on",
        "ignoring",
        "group_left",
        "group_right",
        "bool",
        "and",
        "or",
        "unless",
        "offset",
        "inf",
        "nan",
        "atan2",
    ]
)


def metric_names(query: str) -> list[str]:
    """Metric names in a PromQL expression, in order: identifiers not called as functions,
    outside label matchers, strings and ranges, and not keywords."""
    import re  # only when a panel has no series

    # drop strings, label matchers, ranges and grouping lists
    text = re.sub(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|`[^`]*`', " ", query)
    text = re.sub(r"\{[^}]*\}|\[[^\]]*\]", " ", text)
    text = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    names: list[str] = []
    for match in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", text):
        name = match.group()
        after = text[match.end() :].lstrip()
        if after.startswith("(") or name.lower() in _PROMQL_WORDS or name in names:
            continue
        before = text[match.start() - 1] if match.start() else " "
        if before.isdigit() or before == ".":
            continue  # the exponent or unit of a number: 1e3, 5m
        names.append(name)
    return names


class K8sEvent(msgspec.Struct, frozen=True):
    uid: str
    namespace: str
    type: str  # Normal or Warning
    reason: str
    object: str  # Kind/name, e.g. Pod/checkout-7d9f-abcde
    message: str
    count: int
    last_seen: str  # UTC ISO
    first_seen: str = ""


class PodHealth(msgspec.Struct, frozen=True):
    namespace: str
    name: str
    phase: str
    ready: bool
    restarts: int
    reason: str = ""  # CrashLoopBackOff, OOMKilled, ImagePullBackOff, ...
    app: str = ""  # the app/service label

    @property
    def crashlooping(self) -> bool:
        return self.reason == "CrashLoopBackOff"

    @property
    def oomkilled(self) -> bool:
        return self.reason == "OOMKilled"


class Deploy(msgspec.Struct, frozen=True):
    namespace: str
    deployment: str
    revision: int
    image_from: str
    image_to: str
    created: str  # UTC ISO
    change_cause: str = ""

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.deployment}#{self.revision}"


class Snapshot(msgspec.Struct, frozen=True):
    """What one source knew at one moment; a field is None when the source does not provide it."""

    source: str
    at: float  # epoch seconds of the fetch
    alerts: tuple[Alert, ...] | None = None
    panels: tuple[PanelSeries, ...] | None = None
    events: tuple[K8sEvent, ...] | None = None
    pods: tuple[PodHealth, ...] | None = None
    deploys: tuple[Deploy, ...] | None = None
    dropped_events: int = 0  # events beyond the bound, not kept


class SourceHealth(msgspec.Struct, frozen=True):
    name: str
    up: bool = False
    last_ok: float | None = None  # epoch seconds of the last good fetch
    error: str | None = None
    started: bool = False

    def age(self, now: float) -> float | None:
        return None if self.last_ok is None else max(0.0, now - self.last_ok)


class SystemChange(msgspec.Struct, frozen=True):
    """A change a source observed, to be journaled as a system.* event with the source as actor."""

    kind: str
    source: str
    data: dict[str, Any]
    key: str  # dedupe key: the same change is journaled once


# -- what the journal folds to ------------------------------------------------------------


class Ack(msgspec.Struct, frozen=True):
    """An alert acknowledged in the journal: shown on its row in every cockpit."""

    alert: str
    by: str
    at: str  # UTC ISO of the alert.acknowledged entry


class IncidentState(msgspec.Struct, frozen=True):
    """An incident as folded from its journal (journal/projection.py is the fold).

    The timings all count from the impact start (README "Timings in the postmortem"): the
    earliest startsAt of the alerts that fired for the incident, else its first entry.
    """

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
    # earliest startsAt of the alerts that fired (system.alert.firing), as UTC ISO
    impact_started: str | None = None
    # a responder was on it: the first cockpit session or response action, whichever first
    detected: str | None = None
    # when the current status was set (the header's "identified for 7m")
    status_since: str | None = None
    # acknowledged alerts: fingerprint (or name) -> the first acknowledgement
    acks: dict[str, Ack] = msgspec.field(default_factory=dict)

    def duration(self, start: str | None, end: str | None) -> float | None:
        """Seconds between two recorded moments, or None when either is unknown."""
        if not start or not end:
            return None
        return (parse_ts(end) - parse_ts(start)).total_seconds()

    @property
    def impact(self) -> str | None:
        """Where the timings count from: the impact start, else the first entry."""
        return self.impact_started or self.started

    def since_impact(self, moment: str | None) -> float | None:
        """Seconds from the impact start to `moment`; 0 when it came first (a responder
        already looking when the first alert fired has nothing left to detect)."""
        seconds = self.duration(self.impact, moment)
        return None if seconds is None else max(0.0, seconds)

    @property
    def time_to_detect(self) -> float | None:
        return self.since_impact(self.detected)

    @property
    def time_to_declare(self) -> float | None:
        return self.since_impact(self.declared)

    @property
    def time_to_acknowledge(self) -> float | None:
        return self.since_impact(self.acknowledged)

    @property
    def time_to_mitigate(self) -> float | None:
        return self.since_impact(self.mitigated)

    @property
    def time_to_resolve(self) -> float | None:
        return self.since_impact(self.resolved)

    def ack_of(self, fingerprint: str, name: str = "") -> Ack | None:
        """The acknowledgement of an alert, by fingerprint, else by name (an older entry)."""
        return self.acks.get(fingerprint) or (self.acks.get(name) if name else None)

    @property
    def active(self) -> tuple[str, ...]:
        """Operators with a cockpit open on this incident (a killed one stays until it ends)."""
        return tuple(sorted(set(self.sessions.values())))

    def to_dict(self) -> dict[str, Any]:
        # plain JSON-ready values, copies: tuples become lists, dicts are not shared
        return msgspec.to_builtins(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> IncidentState:
        return msgspec.convert(data, cls)  # nested values (acks) back into their types


# -- container logs -----------------------------------------------------------------------


class LogLine(msgspec.Struct, frozen=True):
    """One line a container wrote, as the API returned it (text untrusted, not cleaned)."""

    namespace: str
    pod: str
    container: str
    ts: str  # the kubelet's RFC 3339 timestamp, "" when the line had none
    at_ns: int  # ts as epoch nanoseconds: merged streams are ordered by it
    text: str
    previous: bool = False  # from the previous (terminated) container


class ContainerInfo(msgspec.Struct, frozen=True):
    """A container of a pod and how its previous instance ended (what a crash loop shows)."""

    name: str
    init: bool = False
    restarts: int = 0
    last_reason: str = ""  # OOMKilled, Error, Completed ...
    last_exit: int | None = None
    last_finished: str = ""  # UTC ISO
    state: str = ""  # now: "running", "waiting CrashLoopBackOff", "terminated Completed"

    @property
    def label(self) -> str:
        """The name as the log view shows it: `init:migrate` for an init container."""
        return f"init:{self.name}" if self.init else self.name

    @property
    def termination(self) -> str:
        """`OOMKilled, exit 137, 01:11:08` (empty when it never terminated)."""
        if not self.last_reason and self.last_exit is None:
            return ""
        parts = [self.last_reason or "terminated"]
        if self.last_exit is not None:
            parts.append(f"exit {self.last_exit}")
        if self.last_finished:
            parts.append(self.last_finished[11:19])
        return ", ".join(parts)


class LogTarget(msgspec.Struct, frozen=True):
    namespace: str
    pod: str
    container: str = ""  # "" = the pod's first (app) container


def parse_log_ts(text: str) -> int:
    """RFC 3339 (nano) -> epoch nanoseconds; 0 when it is not a timestamp."""
    try:
        base = datetime.fromisoformat(text[:19]).replace(tzinfo=UTC)
    except ValueError:
        return 0
    rest = text[19:]
    frac = 0
    if rest.startswith("."):
        digits = rest[1:].rstrip("Z")
        cut = 0
        while cut < len(digits) and digits[cut].isdigit():
            cut += 1
        frac = int((digits[:cut] + "000000000")[:9] or 0)
        rest = digits[cut:]
    elif rest.startswith("Z"):
        rest = ""
    offset = 0
    if rest[:1] in ("+", "-") and len(rest) >= 6:
        sign = 1 if rest[0] == "+" else -1
        offset = sign * (int(rest[1:3]) * 3600 + int(rest[4:6]) * 60)
    return (int(base.timestamp()) - offset) * 1_000_000_000 + frac


def split_log_line(raw: str) -> tuple[str, int, str]:
    """`2026-...Z text` (kubectl --timestamps form) -> (ts, at_ns, text)."""
    stamp, sep, text = raw.partition(" ")
    at = parse_log_ts(stamp) if sep else 0
    if not at:
        return "", 0, raw
    return stamp, at, text
