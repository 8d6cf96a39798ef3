"""What the live cockpit records so that `cockpit replay` can show any moment, and its reader.

Recording (`ObservationRecorder`): each source snapshot becomes at most one row per kind in the
journal's `observations` table (outside the hash chain), zlib-compressed canonical JSON:

* ``panels``: only the points newer than the last ones recorded for that panel, in the
  format the postmortem export reads ({"panels": [{"title", "unit", "warn", "crit",
  "points"}]}); a poll repeats ~99 % of a 15-minute window, so storing it whole would
  multiply the file by the window length. Every row lists every panel (maybe with no new
  point) so the set and order of panels at any moment is known.
* ``alerts``, ``kubernetes`` (warning events, pods, dropped count), ``deploys``: the
  snapshot's fields, stored only when their digest differs from the previous row's.

The size is bounded: past half of `max_bytes` each (source, kind) is stored at most once a
minute (lossless for panels, whose next row carries every point since), and at `max_bytes`
recording stops with a warning; `full` and `thinning` say so.

Reading (`ReplayModel`): an incident is loaded once into in-memory timestamp indexes; `at()`
answers with bisects and decodes at most one body per kind (cached), so seeking anywhere in
a long incident stays far below the 100 ms a key press may take.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import msgspec
from msgspec.structs import asdict, replace

from cockpit.journal.codec import canonical_json, decode, encode
from cockpit.journal.projection import IncidentState, apply
from cockpit.kinds import is_operator
from cockpit.model import (
    Alert,
    Deploy,
    Event,
    K8sEvent,
    Panel,
    PanelSeries,
    PodHealth,
    Snapshot,
    format_ts,
    parse_ts,
)

if TYPE_CHECKING:
    from cockpit.journal.ports import JournalPort, ObservationLog, ObservationRow

log = logging.getLogger(__name__)

SILENCE_KINDS = frozenset({"alert.silenced", "alert.silence.extended", "alert.silence.expired"})
WINDOW_S = 15 * 60.0  # the metrics pane shows the last 15 minutes
THIN_INTERVAL_S = 60.0
PLAIN_KINDS = ("alerts", "kubernetes", "deploys")


__all__ = ["ObservationRecorder", "ReplayFrame", "ReplayModel", "decode", "encode"]


def _epoch_ts(epoch: float) -> str:
    return format_ts(datetime.fromtimestamp(epoch, UTC))


def _epoch(ts: str) -> float | None:
    try:
        return parse_ts(ts).timestamp()
    except (ValueError, TypeError, AttributeError):
        return None


# -- recording ---------------------------------------------------------------------------------


class _Pending(msgspec.Struct):
    kind: str
    digest: str
    body: bytes
    last_points: dict[str, float] = msgspec.field(default_factory=dict)
    meta: str = ""


class ObservationRecorder:
    """Records source snapshots of one incident for replay; never raises into the caller."""

    def __init__(
        self,
        journal: ObservationLog,
        incident: str,
        *,
        max_bytes: int = 256 * 2**20,
        thin_interval_s: float = THIN_INTERVAL_S,
    ) -> None:
        self.journal = journal
        self.incident = incident
        self.max_bytes = max_bytes
        self.thin_after = max_bytes // 2
        self.thin_interval_s = thin_interval_s
        self.stored_bytes: int | None = None  # read from the journal on the first record
        self.rows = 0
        self.skipped = 0  # (snapshot, kind) pairs not stored: unchanged, thinned or over budget
        self.full = False  # max_bytes reached: nothing more is recorded
        self.thinning = False
        self.errors = 0
        self._digests: dict[tuple[str, str], str] = {}
        self._last_point: dict[tuple[str, str], float] = {}  # (source, title) -> epoch
        self._meta: dict[str, str] = {}  # source -> panel titles/units/thresholds last stored
        self._stored_at: dict[tuple[str, str], float] = {}
        self._lock = asyncio.Lock()  # one snapshot at a time: deltas depend on the previous

    async def record(self, snapshot: Snapshot) -> None:
        if self.full:
            self.skipped += 1
            return
        try:
            async with self._lock:
                if self.stored_bytes is None:
                    self.stored_bytes = await self.journal.observation_bytes(self.incident)
                # JSON + zlib of a big Kubernetes snapshot is milliseconds: off the UI loop
                pending = await asyncio.to_thread(self._prepare, snapshot)
                for item in pending:
                    await self._store(snapshot, item)
        except Exception as exc:  # recording is best effort: replay must never cost the cockpit
            self.errors += 1
            if self.errors == 1:
                log.warning("observations of %s not recorded: %s", self.incident, exc)

    async def _store(self, snapshot: Snapshot, item: _Pending) -> None:
        assert self.stored_bytes is not None
        key = (snapshot.source, item.kind)
        if self.stored_bytes + len(item.body) > self.max_bytes:
            self.full = True
            self.skipped += 1
            log.warning(
                "observations of %s reached %d bytes: recording for replay stopped",
                self.incident,
                self.max_bytes,
            )
            return
        await self.journal.add_observation(
            self.incident,
            _epoch_ts(snapshot.at),
            snapshot.source,
            item.kind,
            item.digest,
            item.body,
        )
        self.stored_bytes += len(item.body)
        self.rows += 1
        self._digests[key] = item.digest
        self._stored_at[key] = snapshot.at
        for title, at in item.last_points.items():
            self._last_point[(snapshot.source, title)] = at
        if item.kind == "panels":
            self._meta[snapshot.source] = item.meta
        if not self.thinning and self.stored_bytes >= self.thin_after:
            self.thinning = True
            log.warning(
                "observations of %s past %d bytes: storing each source at most every %.0f s",
                self.incident,
                self.thin_after,
                self.thin_interval_s,
            )

    def _thinned(self, snapshot: Snapshot, kind: str) -> bool:
        if not self.thinning:
            return False
        last = self._stored_at.get((snapshot.source, kind))
        return last is not None and snapshot.at - last < self.thin_interval_s

    def _prepare(self, snap: Snapshot) -> list[_Pending]:
        """The rows this snapshot adds (runs in a thread; reads state, changes none)."""
        out: list[_Pending] = []
        if snap.panels is not None:
            item = self._panels(snap)
            if item is not None:
                out.append(item)
        plain: list[tuple[str, Any]] = []
        if snap.alerts is not None:
            plain.append(("alerts", {"alerts": [asdict(a) for a in snap.alerts]}))
        if snap.events is not None or snap.pods is not None:
            k8s = {
                "events": None if snap.events is None else [asdict(e) for e in snap.events],
                "pods": None if snap.pods is None else [asdict(p) for p in snap.pods],
                "dropped": snap.dropped_events,
            }
            plain.append(("kubernetes", k8s))
        if snap.deploys is not None:
            plain.append(("deploys", {"deploys": [asdict(d) for d in snap.deploys]}))
        for kind, payload in plain:
            if self._thinned(snap, kind):
                self.skipped += 1
                continue
            digest, body = encode(payload)
            if self._digests.get((snap.source, kind)) == digest:
                self.skipped += 1
                continue
            out.append(_Pending(kind, digest, body))
        return out

    def _panels(self, snap: Snapshot) -> _Pending | None:
        assert snap.panels is not None
        full = canonical_json(
            [
                [s.panel.title, s.panel.unit, s.panel.warn, s.panel.crit, s.error, s.partial]
                + [s.panel.direction, s.series_count, s.query_error]
                + [list(p) for p in s.points]
                for s in snap.panels
            ]
        )
        digest = hashlib.sha256(full.encode("utf-8")).hexdigest()
        if self._digests.get((snap.source, "panels")) == digest or self._thinned(snap, "panels"):
            self.skipped += 1
            return None
        entries: list[dict[str, Any]] = []
        last_points: dict[str, float] = {}
        for s in snap.panels:
            title = s.panel.title
            last = self._last_point.get((snap.source, title), -math.inf)
            # only points after the last recorded one: the rest of the window is already stored
            points = [[t, v] for t, v in s.points if t > last]
            if points:
                last_points[title] = max(t for t, _ in points)
            entry: dict[str, Any] = {
                "title": title,
                "unit": s.panel.unit,
                "warn": s.panel.warn,
                "crit": s.panel.crit,
                "points": points,
            }
            if s.error:
                entry["error"] = s.error
            if s.partial:
                entry["partial"] = True
            # only what differs from a plain one-series panel: old rows read the same
            if s.panel.direction != "above":
                entry["direction"] = s.panel.direction
            if s.series_count != 1:
                entry["series_count"] = s.series_count
            if s.query_error:
                entry["query_error"] = True
            entries.append(entry)
        meta = canonical_json([{k: v for k, v in e.items() if k != "points"} for e in entries])
        if not last_points and self._meta.get(snap.source) == meta:
            self.skipped += 1
            return None
        _, body = encode({"panels": entries})
        return _Pending("panels", digest, body, last_points, meta)


# -- reading -----------------------------------------------------------------------------------


def _build(cls: Any, data: Any, tuples: Iterable[str] = ()) -> Any | None:
    """A model object from a stored dict, or None when it does not fit (untrusted input)."""
    if not isinstance(data, dict):
        return None
    names = cls.__struct_fields__  # not msgspec.structs.fields(): it resolves type hints
    values = {k: v for k, v in data.items() if k in names}
    for name in tuples:
        if isinstance(values.get(name), list):
            values[name] = tuple(values[name])
    try:
        return cls(**values)
    except TypeError:
        return None


def _many(cls: Any, items: Any, tuples: Iterable[str] = ()) -> tuple[Any, ...] | None:
    if not isinstance(items, list):
        return None
    built = (_build(cls, item, tuples) for item in items)
    return tuple(b for b in built if b is not None)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


class ReplayFrame(msgspec.Struct, frozen=True):
    """The cockpit as it was at `moment` (epoch seconds)."""

    moment: float
    alerts: tuple[Alert, ...] | None
    panels: tuple[PanelSeries, ...]
    k8s_events: tuple[K8sEvent, ...] | None
    pods: tuple[PodHealth, ...] | None
    dropped_events: int
    deploys: tuple[Deploy, ...] | None
    events: Sequence[Event]  # the journal up to the moment
    state: IncidentState
    operator: str  # who was at the keyboard (the last operator to act)
    alerts_origin: str = "observations"  # or "context" (journal without observations), ""
    metrics_origin: str = "observations"


class _Track(msgspec.Struct):
    """One metric panel's recorded points, sorted by time."""

    times: list[float] = msgspec.field(default_factory=list)
    values: list[float | None] = msgspec.field(default_factory=list)
    recorded: list[float] = msgspec.field(default_factory=list)  # when each point was first stored

    def window(self, moment: float, span: float) -> tuple[tuple[float, float | None], ...]:
        hi = bisect_right(self.times, moment)
        while hi > 0 and self.recorded[hi - 1] > moment:
            hi -= 1  # stored after the moment: the cockpit had not seen it yet
        if hi == 0:
            return ()
        # the window ends at the newest point, as a source's range query does
        lo = bisect_left(self.times, self.times[hi - 1] - span)
        return tuple(
            (self.times[i], self.values[i]) for i in range(lo, hi) if self.recorded[i] <= moment
        )


def _tracks(points: dict[str, dict[float, tuple[float | None, float]]]) -> dict[str, _Track]:
    out = {}
    for title, by_time in points.items():
        track = _Track()
        for t in sorted(by_time):
            value, rec = by_time[t]
            track.times.append(t)
            track.values.append(value)
            track.recorded.append(rec)
        out[title] = track
    return out


# (panel, error, partial, series count, query error) in order
_PanelMeta = tuple[tuple[Panel, str | None, bool, int, bool], ...]


class ReplayModel:
    """One incident loaded for replay; `at(moment)` is cheap enough for every key press."""

    def __init__(
        self,
        incident: str,
        events: Sequence[Event],
        rows: Iterable[ObservationRow],
        *,
        window_s: float = WINDOW_S,
    ) -> None:
        self.incident = incident
        self.window_s = window_s
        self.events = list(events)
        # running max: an entry appended later is never shown earlier (clock skew between
        # two cockpit processes), and bisect needs sorted times
        self.event_times: list[float] = []
        last = -math.inf
        for e in self.events:
            t = _epoch(e.ts)
            last = max(last, t if t is not None else last)
            self.event_times.append(last if last > -math.inf else 0.0)
        self._states = [IncidentState(id=incident)]
        self._operators = [""]
        for e in self.events:
            self._states.append(apply(self._states[-1], e))
            self._operators.append(e.actor if is_operator(e.kind) else self._operators[-1])
        self._plain: dict[str, tuple[list[float], list[bytes]]] = {k: ([], []) for k in PLAIN_KINDS}
        self._panel_rows: dict[str, tuple[list[float], list[_PanelMeta]]] = {}
        self._cache: OrderedDict[tuple[str, int], Any] = OrderedDict()
        self.observation_rows = 0
        self.observation_bytes = 0
        points: dict[str, dict[float, tuple[float | None, float]]] = {}
        obs_times: list[float] = []
        for _id, ts, source, kind, _digest, body in rows:
            at = _epoch(ts)
            if at is None:
                continue
            self.observation_rows += 1
            self.observation_bytes += len(body)
            obs_times.append(at)
            if kind in self._plain:
                times, bodies = self._plain[kind]
                if times and at < times[-1]:
                    continue  # out of order (rows are read sorted by ts): ignore
                times.append(at)
                bodies.append(body)
            elif kind == "panels":
                self._add_panels(source, at, body, points)
        self._tracks = _tracks(points)
        self._context_metrics, self._context_titles = self._metrics_from_contexts()
        self._context_alerts = [
            i for i, e in enumerate(self.events) if isinstance(e.context.get("firing"), list)
        ]
        # silences journaled by the cockpit: a frame shows them at once, not at the next poll
        self._silence_events = [i for i, e in enumerate(self.events) if e.kind in SILENCE_KINDS]
        moments = [*self.event_times[:1], *self.event_times[-1:], *obs_times]
        self.start = min(moments) if moments else 0.0
        self.end = max(moments) if moments else 0.0

    @classmethod
    async def load(cls, journal: JournalPort, incident: str) -> ReplayModel:
        events = await journal.events(incident)
        rows = await journal.observations(incident)
        return cls(incident, events, rows)

    def _add_panels(
        self,
        source: str,
        at: float,
        body: bytes,
        points: dict[str, dict[float, tuple[float | None, float]]],
    ) -> None:
        payload = decode(body)
        entries = payload.get("panels") if isinstance(payload, dict) else None
        if not isinstance(entries, list):
            return
        meta: list[tuple[Panel, str | None, bool, int, bool]] = []
        for entry in entries:
            if not isinstance(entry, dict) or not isinstance(entry.get("title"), str):
                continue
            title = entry["title"]
            unit = entry.get("unit")
            panel = Panel(
                title,
                "",
                unit if isinstance(unit, str) else "",
                _number(entry.get("warn")),
                _number(entry.get("crit")),
                direction="below" if entry.get("direction") == "below" else "above",
            )
            error = entry.get("error")
            count = entry.get("series_count", 1)
            meta.append(
                (
                    panel,
                    error if isinstance(error, str) else None,
                    entry.get("partial") is True,
                    count if isinstance(count, int) and not isinstance(count, bool) else 1,
                    entry.get("query_error") is True,
                )
            )
            track = points.setdefault(title, {})
            for pair in entry.get("points") or ():
                if not isinstance(pair, list) or len(pair) != 2:
                    continue
                t = _number(pair[0])
                if t is None:
                    continue
                known = track.get(t)
                # a later row may revise a value; the point stays visible from its first row
                track[t] = (_number(pair[1]), known[1] if known else at)
        times, metas = self._panel_rows.setdefault(source, ([], []))
        if times and at < times[-1]:
            return
        frozen = tuple(meta)
        times.append(at)
        metas.append(metas[-1] if metas and metas[-1] == frozen else frozen)  # share repeats

    def _metrics_from_contexts(self) -> tuple[dict[str, _Track], list[tuple[float, str]]]:
        """Metric values recorded with each event: replay's fallback without observations."""
        points: dict[str, dict[float, tuple[float | None, float]]] = {}
        first_seen: dict[str, float] = {}
        for e, at in zip(self.events, self.event_times, strict=True):
            metrics = e.context.get("metrics") if isinstance(e.context, dict) else None
            if not isinstance(metrics, dict):
                continue
            for title, value in metrics.items():
                if isinstance(title, str) and title:
                    points.setdefault(title, {})[at] = (_number(value), at)
                    first_seen.setdefault(title, at)
        titles = sorted((at, title) for title, at in first_seen.items())
        return _tracks(points), titles

    # -- navigation ------------------------------------------------------------------------

    def clamp(self, moment: float) -> float:
        return min(max(moment, self.start), self.end)

    def entry_count(self, moment: float) -> int:
        """How many journal entries were written by `moment`."""
        return bisect_right(self.event_times, moment)

    def previous_entry(self, moment: float) -> float | None:
        i = bisect_left(self.event_times, moment) - 1
        return self.event_times[i] if i >= 0 else None

    def next_entry(self, moment: float) -> float | None:
        i = bisect_right(self.event_times, moment)
        return self.event_times[i] if i < len(self.event_times) else None

    # -- the frame ---------------------------------------------------------------------------

    def at(self, moment: float) -> ReplayFrame:
        n = self.entry_count(moment)
        alerts, alerts_origin = self._alerts(moment, n)
        k8s = self._latest("kubernetes", moment)
        events = pods = None
        dropped = 0
        if isinstance(k8s, dict):
            events = _many(K8sEvent, k8s.get("events"))
            pods = _many(PodHealth, k8s.get("pods"))
            dropped = int(_number(k8s.get("dropped")) or 0)
        deploys_body = self._latest("deploys", moment)
        deploys = (
            _many(Deploy, deploys_body.get("deploys")) if isinstance(deploys_body, dict) else None
        )
        panels, metrics_origin = self._panels(moment)
        return ReplayFrame(
            moment=moment,
            alerts=alerts,
            panels=panels,
            k8s_events=events,
            pods=pods,
            dropped_events=dropped,
            deploys=deploys,
            events=self.events[:n],
            state=self._states[n],
            operator=self._operators[n],
            alerts_origin=alerts_origin,
            metrics_origin=metrics_origin,
        )

    def _latest(self, kind: str, moment: float) -> Any | None:
        times, bodies = self._plain[kind]
        i = bisect_right(times, moment) - 1
        if i < 0:
            return None
        key = (kind, i)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        value = decode(bodies[i])
        self._cache[key] = value
        if len(self._cache) > 64:
            self._cache.popitem(last=False)
        return value

    def _alerts(self, moment: float, n: int) -> tuple[tuple[Alert, ...] | None, str]:
        alerts, origin = self._alerts_seen(moment, n)
        if alerts:
            alerts = self._silenced_as_journaled(alerts, moment, n)
        return alerts, origin

    def _silenced_as_journaled(
        self, alerts: tuple[Alert, ...], moment: float, n: int
    ) -> tuple[Alert, ...]:
        """Alerts the journal says were silenced by `moment` show as silenced, even before
        the next alerts poll said so: the frame of the action shows its effect."""
        active: dict[str, tuple[str, str]] = {}  # fingerprint or name -> (silence id, end)
        for i in self._silence_events[: bisect_right(self._silence_events, n - 1)]:
            e = self.events[i]
            key = str(e.data.get("fingerprint") or e.data.get("alert") or "")
            if e.kind == "alert.silence.expired":
                active.pop(key, None)
            elif key:
                active[key] = (
                    str(e.data.get("silence_id") or ""),
                    str(e.data.get("ends_at") or ""),
                )
        if not active:
            return alerts
        now = format_ts(datetime.fromtimestamp(moment, UTC))
        out = []
        for a in alerts:
            hit = active.get(a.fingerprint) or active.get(a.name)
            if a.state == "firing" and hit is not None and (not hit[1] or now < hit[1]):
                a = replace(a, state="silenced", silenced_by=(hit[0],), silence_ends=hit[1])
            out.append(a)
        return tuple(out)

    def _alerts_seen(self, moment: float, n: int) -> tuple[tuple[Alert, ...] | None, str]:
        body = self._latest("alerts", moment)
        if isinstance(body, dict):
            return _many(Alert, body.get("alerts"), tuples=("silenced_by",)), "observations"
        # no recorded alerts yet: the firing list the last journal entry saw
        i = bisect_right(self._context_alerts, n - 1) - 1
        if i < 0:
            return None, ""
        event = self.events[self._context_alerts[i]]
        alerts = []
        for k, item in enumerate(event.context["firing"]):
            if isinstance(item, dict) and isinstance(item.get("alert"), str):
                alerts.append(
                    Alert(
                        fingerprint=str(item.get("fingerprint") or f"context-{k}"),
                        name=item["alert"],
                        severity=str(item.get("severity") or ""),
                        state=str(item.get("state") or "firing"),
                        labels={},
                        annotations={},
                        starts_at="",
                    )
                )
        return tuple(alerts), "context"

    def _panels(self, moment: float) -> tuple[tuple[PanelSeries, ...], str]:
        shown: list[PanelSeries] = []
        seen: set[str] = set()
        for times, metas in self._panel_rows.values():
            i = bisect_right(times, moment) - 1
            if i < 0:
                continue
            for panel, error, partial, count, query_error in metas[i]:
                if panel.title in seen:
                    continue
                seen.add(panel.title)
                track = self._tracks.get(panel.title)
                points = track.window(moment, self.window_s) if track else ()
                shown.append(
                    PanelSeries(
                        panel,
                        points,
                        error=error,
                        partial=partial,
                        series_count=count,
                        query_error=query_error,
                    )
                )
        if shown:
            return tuple(shown), "observations"
        for first, title in self._context_titles:
            if first > moment:
                break
            # values come only with journal entries: keep the last known one however old
            points = self._context_metrics[title].window(moment, math.inf)
            shown.append(PanelSeries(Panel(title, ""), points))
        return tuple(shown), "context" if shown else ""
