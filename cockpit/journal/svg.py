"""Small, dependency-free SVG line charts for the html postmortem.

Every string that reaches the SVG goes through html.escape; the chart is plain markup (no
script, no external reference), so it renders the same in a browser, a mail client or print.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from html import escape

import msgspec

from cockpit.journal.format import fmt_unit
from cockpit.journal.postmortem import Marker, Series
from cockpit.units import nice_step as nice_step  # the axis steps live with the units
from cockpit.units import unit_step

# One stroke colour per chart, none shared with thresholds or markers: a test (or a reader of
# a black-and-white print) can tell each line apart from everything drawn around it.
PALETTE = ("#1f77b4", "#2ca02c", "#17becf", "#8c564b", "#e377c2", "#bcbd22")
WARN_COLOUR = "#e69f00"
CRIT_COLOUR = "#d62728"
DEPLOY_COLOUR = "#6a3d9a"
ACTION_COLOUR = "#8a8a8a"
AXIS_COLOUR = "#555555"
GRID_COLOUR = "#e4e4e4"

_TIME_STEPS = (10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400)


class Frame(msgspec.Struct, frozen=True):
    """Plot geometry: the drawing area inside the margins, in SVG user units."""

    width: int = 760
    height: int = 240
    left: int = 60
    right: int = 20
    top: int = 22
    bottom: int = 30

    @property
    def x0(self) -> float:
        return self.left

    @property
    def x1(self) -> float:
        return self.width - self.right

    @property
    def y0(self) -> float:
        return self.height - self.bottom

    @property
    def y1(self) -> float:
        return self.top


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def value_range(series: Series) -> tuple[float, float]:
    """y range covering the data, its thresholds and zero."""
    values = [v for _, v in series.points if v is not None]
    values += [t for t in (series.warn, series.crit) if t is not None]
    if not values:
        return (0.0, 1.0)
    # zero stays on the axis: the size of a rate or an error count reads from the baseline
    lo, hi = min(*values, 0.0), max(*values, 0.0)
    if hi == lo:
        hi = lo + (abs(lo) or 1.0)
    step = unit_step(hi - lo, series.unit)
    # round outwards to whole steps, so the top grid line carries a label
    return (math.floor(lo / step + 1e-9) * step, math.ceil(hi / step - 1e-9) * step)


def time_ticks(start: float, end: float, most: int = 6) -> list[float]:
    step = next((s for s in _TIME_STEPS if (end - start) / s <= most), _TIME_STEPS[-1])
    first = math.ceil(start / step) * step
    return [t for t in _frange(first, end, step)]


def _frange(start: float, stop: float, step: float) -> list[float]:
    out, i = [], 0
    while start + i * step <= stop + 1e-9:
        out.append(start + i * step)
        i += 1
    return out


def _clock(epoch: float, seconds: bool) -> str:
    return time.strftime("%H:%M:%S" if seconds else "%H:%M", time.gmtime(epoch))


def _num(value: float) -> str:
    return f"{value:.1f}"


def chart(
    series: Series,
    *,
    window: tuple[float, float],
    markers: Sequence[Marker] = (),
    stroke: str = PALETTE[0],
    chart_id: str = "chart",
    frame: Frame | None = None,
) -> str:
    """One panel as an inline <svg>: line with gaps, axes, thresholds, deploy/action markers."""
    f = frame or Frame()
    start, end = window
    if end <= start:
        end = start + 60
    lo, hi = value_range(series)

    def x(t: float) -> float:
        return f.x0 + (t - start) / (end - start) * (f.x1 - f.x0)

    def y(v: float) -> float:
        return f.y0 - (v - lo) / (hi - lo) * (f.y0 - f.y1)

    unit = f" ({series.unit})" if series.unit else ""
    label = f"{series.title}{unit}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{escape(chart_id)}" class="chart"'
        f' viewBox="0 0 {f.width} {f.height}" width="{f.width}" height="{f.height}"'
        f' role="img" aria-label="{escape(label)}" font-family="sans-serif" font-size="11">',
        f"<title>{escape(label)}</title>",
        f'<rect x="0" y="0" width="{f.width}" height="{f.height}" fill="#ffffff"/>',
    ]
    # horizontal grid and y labels
    step = unit_step(hi - lo, series.unit)
    for v in _frange(lo, hi, step):
        yy = _num(y(v))
        parts.append(
            f'<line x1="{f.x0}" y1="{yy}" x2="{f.x1}" y2="{yy}" stroke="{GRID_COLOUR}"'
            ' stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{f.x0 - 6}" y="{yy}" text-anchor="end" dominant-baseline="middle"'
            f' fill="{AXIS_COLOUR}">{escape(fmt_unit(v, series.unit))}</text>'
        )
    # time axis
    seconds = end - start < 600
    for t in time_ticks(start, end):
        xx = _num(x(t))
        parts.append(
            f'<line x1="{xx}" y1="{f.y0}" x2="{xx}" y2="{f.y0 + 4}" stroke="{AXIS_COLOUR}"/>'
        )
        parts.append(
            f'<text x="{xx}" y="{f.y0 + 16}" text-anchor="middle" fill="{AXIS_COLOUR}">'
            f"{_clock(t, seconds)}</text>"
        )
    parts.append(
        f'<polyline points="{f.x0},{f.y1} {f.x0},{f.y0} {f.x1},{f.y0}" fill="none"'
        f' stroke="{AXIS_COLOUR}" stroke-width="1"/>'
    )
    # thresholds, with the side that is bad: "warn ≥ 1.00 req/s", "crit ≤ 9.31 GiB"
    side = "≤" if series.direction == "below" else "≥"
    for name, level, hue in (
        ("warn", series.warn, WARN_COLOUR),
        ("crit", series.crit, CRIT_COLOUR),
    ):
        if level is None:
            continue
        yy = _num(y(level))
        shown = escape(f"{name} {side} {fmt_unit(level, series.unit)}")
        parts.append(
            f'<line class="threshold {name}" x1="{f.x0}" y1="{yy}" x2="{f.x1}" y2="{yy}"'
            f' stroke="{hue}" stroke-width="1.5" stroke-dasharray="6 4">'
            f"<title>{shown}</title></line>"
        )
        parts.append(
            f'<text x="{f.x1 - 2}" y="{_num(y(level) - 4)}" text-anchor="end"'
            f' fill="{hue}">{shown}</text>'
        )
    # markers: deploys and operator actions, numbered like the timeline
    last_label = -1e9
    for m in markers:
        if not start <= m.at <= end:
            continue
        xx = x(m.at)
        hue = DEPLOY_COLOUR if m.kind == "deploy" else ACTION_COLOUR
        dash = "5 3" if m.kind == "deploy" else "2 3"
        parts.append(
            f'<line class="marker {escape(m.kind)}" x1="{_num(xx)}" y1="{f.y1}" x2="{_num(xx)}"'
            f' y2="{f.y0}" stroke="{hue}" stroke-width="1.2" stroke-dasharray="{dash}">'
            f"<title>{escape(m.label)}</title></line>"
        )
        tag = "deploy" if m.kind == "deploy" else str(m.number or "")
        # crowded labels would overprint each other: the line and its tooltip still show
        if tag and xx - last_label >= (38 if m.kind == "deploy" else 14):
            parts.append(
                f'<text x="{_num(xx)}" y="{f.y1 - 6}" text-anchor="middle" font-size="9"'
                f' fill="{hue}">{escape(tag)}</text>'
            )
            last_label = xx
    # the data: one polyline per run of non-null points, so gaps stay gaps
    runs = _runs([(t, v) for t, v in series.points if start <= t <= end])
    for run in runs:
        coords = " ".join(f"{_num(x(t))},{_num(y(v))}" for t, v in run)
        if len(run) > 1:
            parts.append(
                f'<polyline class="series" points="{coords}" fill="none" stroke="{stroke}"'
                ' stroke-width="2.5" stroke-linejoin="round" stroke-linecap="round"/>'
            )
    sparse = sum(len(r) for r in runs) <= 60
    for run in runs:
        if sparse or len(run) == 1:  # a lone sample has no line: draw it as a dot
            for t, v in run:
                parts.append(f'<circle cx="{_num(x(t))}" cy="{_num(y(v))}" r="3" fill="{stroke}"/>')
    if not runs:
        parts.append(
            f'<text x="{_num((f.x0 + f.x1) / 2)}" y="{_num((f.y0 + f.y1) / 2)}"'
            f' text-anchor="middle" fill="{AXIS_COLOUR}">no data in this window</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def _runs(points: Sequence[tuple[float, float | None]]) -> list[list[tuple[float, float]]]:
    runs: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    for t, v in sorted(points, key=lambda p: p[0]):
        if v is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append((t, v))
    if current:
        runs.append(current)
    return runs
