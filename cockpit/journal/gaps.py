"""Where a chart must not draw a line: the outages of a metric source, and missing samples.

A line drawn straight across a Prometheus outage claims values nobody measured. The journal
says when a source was down (`system.source.down` / `.up`, actor = the source); both charts
(the html export's SVG and the terminal chart) break their line there and shade the span,
and also break it where samples are missing for much longer than the usual step.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import pairwise
from statistics import median

import msgspec

from cockpit.model import Event, parse_ts

METRIC_SOURCES = frozenset({"prometheus"})  # whose outage leaves a metric chart without data
GAP_FACTOR = 3.0  # samples further apart than 3 usual steps were not taken: a gap

Point = tuple[float, float | None]


class Outage(msgspec.Struct, frozen=True):
    source: str
    start: float
    end: float | None  # None: still down when the record ends
    reason: str = ""

    def covers(self, t: float) -> bool:
        return self.start <= t and (self.end is None or t < self.end)


def _epoch(ts: str) -> float | None:
    try:
        return parse_ts(ts).timestamp()
    except (ValueError, TypeError):
        return None


def outages(events: Iterable[Event], sources: frozenset[str] = METRIC_SOURCES) -> list[Outage]:
    """Each down..up span of the metric sources, from the journal (the source is the actor)."""
    open_: dict[str, tuple[float, str]] = {}
    out: list[Outage] = []
    for e in events:
        if e.kind not in ("system.source.down", "system.source.up"):
            continue
        source = str(e.data.get("source") or e.actor)
        if source not in sources:
            continue
        at = _epoch(e.ts)
        if at is None:
            continue
        if e.kind == "system.source.down":
            open_.setdefault(source, (at, str(e.data.get("error") or "")))
        elif source in open_:
            start, reason = open_.pop(source)
            out.append(Outage(source, start, at, reason))
    out += [Outage(s, start, None, reason) for s, (start, reason) in open_.items()]
    return sorted(out, key=lambda o: o.start)


def runs(
    points: Sequence[Point], down: Sequence[Outage] = (), *, factor: float = GAP_FACTOR
) -> list[list[tuple[float, float]]]:
    """The stretches a line may join: broken at a missing value, at every sample taken in an
    outage (dropped: lookback can repeat the last value across it) and at a pause between
    two samples over `factor` times the usual step or spanning the start of an outage."""
    ordered = sorted(points, key=lambda p: p[0])
    times = [t for t, v in ordered if v is not None]
    steps = [b - a for a, b in pairwise(times) if b > a]
    limit = median(steps) * factor if steps else None
    out: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    for t, v in ordered:
        if v is None or any(o.covers(t) for o in down):
            if current:
                out.append(current)
            current = []
            continue
        if current:
            last = current[-1][0]
            crossed = any(last < o.start <= t for o in down)
            if crossed or (limit is not None and t - last > limit):
                out.append(current)
                current = []
        current.append((t, v))
    if current:
        out.append(current)
    return out
