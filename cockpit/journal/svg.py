"""Small, dependency-free SVG line charts for the html postmortem.

Every string that reaches the SVG goes through html.escape; the chart is plain markup (no
script, no external reference), so it renders the same in a browser, a mail client or print.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from html import escape

import msgspec

from cockpit.journal.format import fmt_unit
from cockpit.journal.gaps import GAP_FACTOR, Outage
from cockpit.journal.gaps import runs as gap_runs
from cockpit.journal.postmortem import Marker, Series
from cockpit.units import nice_step as nice_step  # the axis steps live with the units
from cockpit.units import unit_step

# One stroke colour per chart, none shared with thresholds or markers: a test (or a reader of
# a black-and-white print) can tell each line apart from everything drawn around it.
PALETTE = ("#1f77b4", "#2ca02c", "#17becf", "#8c564b", "#e377c2", "#bcbd22")
WARN_COLOUR = "#e69f00"
CRIT_COLOUR = "#d62728"
DEPLOY_COLOUR = "#6a3d9a"
OUTAGE_COLOUR = "#7f7f7f"  # a source down: grey, neither a threshold nor a series colour
ACTION_LABEL_PX = 22  # action numbers closer than this share one label ("3-5" style)
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
    outages: Sequence[Outage] = (),
) -> str:
    """One panel as an inline <svg>: line with gaps, axes, thresholds, deploy/action markers,
    and the spans where the metric source was down shaded, with no line across them."""
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
    # outages of the metric source: shaded, and the line breaks there (gaps.runs)
    for o in outages:
        lo_t, hi_t = max(o.start, start), min(end if o.end is None else o.end, end)
        if hi_t <= lo_t:
            continue
        why = f": {o.reason}" if o.reason else ""
        until = "still down" if o.end is None else _clock(o.end, True)
        parts.append(
            f'<rect class="outage" x="{_num(x(lo_t))}" y="{f.y1}"'
            f' width="{_num(max(1.0, x(hi_t) - x(lo_t)))}" height="{_num(f.y0 - f.y1)}"'
            f' fill="{OUTAGE_COLOUR}" fill-opacity="0.12"><title>{escape(o.source)} down'
            f" {_clock(o.start, True)}–{until}{escape(why)}</title></rect>"
        )
        parts.append(
            f'<text x="{_num(x(lo_t) + 3)}" y="{f.y1 + 11}" font-size="9"'
            f' fill="{AXIS_COLOUR}">{escape(o.source)} down</text>'
        )
    parts += _markers(markers, x, f, start, end)
    # the data: one path, a new move (M) after every gap, so a gap is never bridged
    factor = math.inf if series.origin == "context" else GAP_FACTOR  # events are irregular
    inside = [(t, v) for t, v in series.points if start <= t <= end]
    runs = gap_runs(inside, outages, factor=factor)
    drawn = [r for r in runs if len(r) > 1]
    if drawn:
        d = " ".join(
            "M " + " L ".join(f"{_num(x(t))},{_num(y(v))}" for t, v in run) for run in drawn
        )
        parts.append(
            f'<path class="series" d="{d}" fill="none" stroke="{stroke}"'
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


def _markers(
    markers: Sequence[Marker], x: Callable[[float], float], f: Frame, start: float, end: float
) -> list[str]:
    """Deploys and operator actions as lines, numbered like the timeline and the legend
    table under the charts. Actions closer than a label's width share one label, "3 to 5", so
    numbers never run together or vanish when actions cluster."""
    parts = []
    shown = [m for m in markers if start <= m.at <= end]
    groups: list[list[tuple[float, Marker]]] = []
    for m in shown:
        xx = x(m.at)
        hue = DEPLOY_COLOUR if m.kind == "deploy" else ACTION_COLOUR
        dash = "5 3" if m.kind == "deploy" else "2 3"
        parts.append(
            f'<line class="marker {escape(m.kind)}" x1="{_num(xx)}" y1="{f.y1}" x2="{_num(xx)}"'
            f' y2="{f.y0}" stroke="{hue}" stroke-width="1.2" stroke-dasharray="{dash}">'
            f"<title>{escape(m.label)}</title></line>"
        )
        if m.kind == "action" and m.number is not None:
            if groups and xx - groups[-1][0][0] < ACTION_LABEL_PX:
                groups[-1].append((xx, m))
            else:
                groups.append([(xx, m)])
    last_deploy = -1e9
    for m in shown:
        xx = x(m.at)
        if m.kind == "deploy" and xx - last_deploy >= 38:
            parts.append(
                f'<text class="marker-label deploy" x="{_num(xx)}" y="{f.y1 - 6}"'
                f' text-anchor="middle" font-size="9" fill="{DEPLOY_COLOUR}">deploy</text>'
            )
            last_deploy = xx
    for group in groups:
        first, last = group[0][1].number, group[-1][1].number
        tag = str(first) if first == last else f"{first}–{last}"
        middle = (group[0][0] + group[-1][0]) / 2
        parts.append(
            f'<text class="marker-label action" x="{_num(middle)}" y="{f.y1 - 6}"'
            f' text-anchor="middle" font-size="9" fill="{ACTION_COLOUR}">{tag}</text>'
        )
    return parts
