"""`enter` on a metric: a braille line chart of its range, with deploy and action markers.

The chart does not lie: the line breaks where Prometheus was down (the journal says when)
or where samples are missing, and the outage is shaded; it starts with the baseline the
source fetched at start; actions carry their journal number (#42) on the chart, close ones
share one label (#41-43), and a legend below gives each number's time, actor and action.

Several series: the worst five are drawn, each in the legend, and every kept series is
listed below with its labels. A refused query or an empty result says so in full instead.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NamedTuple

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static
from textual_plotext import PlotextPlot

from cockpit.journal.gaps import Outage
from cockpit.journal.gaps import runs as gap_runs
from cockpit.model import PanelSeries
from cockpit.panes.render import level_value, panel_problem
from cockpit.text import inert
from cockpit.units import axis_ticks, fmt_unit

CHART_SERIES = 5  # drawn with a legend; more are listed, not drawn
LINE_COLOURS = ("cyan", "green", "magenta", "blue", "white")  # one per series, all its runs
LEGEND_ROWS = 8  # the latest markers spelled out under the chart
CLUSTER_FRACTION = 1 / 25  # markers closer than this share of the span share one label


class ChartMarker(NamedTuple):
    """A deploy or an operator action on the chart: its journal number names it."""

    at: float
    number: int
    actor: str
    text: str
    deploy: bool = False

    def line(self) -> str:
        return f"#{self.number} {_clock(self.at)} {self.actor}: {self.text}"


def cluster(markers: list[ChartMarker], span: float) -> list[list[ChartMarker]]:
    """Markers in time order, those within a small share of the span grouped together."""
    groups: list[list[ChartMarker]] = []
    for m in sorted(markers, key=lambda m: m.at):
        if groups and m.at - groups[-1][0].at <= span * CLUSTER_FRACTION:
            groups[-1].append(m)
        else:
            groups.append([m])
    return groups


def group_label(group: list[ChartMarker]) -> str:
    first, last = group[0].number, group[-1].number
    return f"#{first}" if first == last else f"#{first}-{last}"


class ChartScreen(ModalScreen[None]):
    BINDINGS = [("escape,q,enter", "dismiss", "Close")]
    DEFAULT_CSS = """
    ChartScreen { align: center middle; }
    ChartScreen > Vertical { width: 95%; height: 90%; border: round $accent;
        background: $surface; }
    ChartScreen PlotextPlot { height: 1fr; }
    ChartScreen #chart-problem { padding: 1 2; }
    ChartScreen #chart-series { max-height: 12; }
    ChartScreen #chart-legend { max-height: 10; }
    """

    def __init__(
        self,
        series: PanelSeries,
        markers: list[ChartMarker],
        outages: list[Outage] | tuple[Outage, ...] = (),
    ) -> None:
        super().__init__()
        self.series = series
        self.markers = markers  # deploys and operator actions, numbered as in the journal
        self.outages = tuple(outages)  # when the metric source was down: no line there

    def compose(self) -> ComposeResult:
        panel = self.series.panel
        with Vertical():
            title = inert(panel.title, limit=80, style="bold")
            problem = panel_problem(self.series)
            if problem is None:
                title.append("  now ").append_text(level_value(self.series))
            title.append(threshold_text(self.series), style="dim")
            yield Label(title)
            if problem is not None:
                yield Static(self.problem_text(problem), id="chart-problem")
            yield PlotextPlot()
            if self.series.series_count > 1:
                yield Static(self.series_list(), id="chart-series")
            yield Static(inert(self.legend(), limit=4000, multiline=True), id="chart-legend")

    def legend(self) -> str:
        """The outages and the latest markers, one per line (the chart shows numbers)."""
        lines = [
            f"▒ {o.source} down {_clock(o.start)}–"
            + ("still down" if o.end is None else _clock(o.end))
            + (f": {o.reason}" if o.reason else "")
            for o in self.outages
        ]
        lines += [m.line() for m in self.markers[-LEGEND_ROWS:]]
        if len(self.markers) > LEGEND_ROWS:
            lines.insert(len(self.outages), f"({len(self.markers) - LEGEND_ROWS} earlier markers)")
        return "\n".join(lines) if lines else "no markers"

    def problem_text(self, problem: Text) -> Text:
        """The whole message (the row cuts it) and the query it is about."""
        text = problem.copy()
        if self.series.query_error:
            text = Text("⊘ query error: Prometheus refused the query\n", style="bold magenta")
            text.append_text(inert(self.series.error or "", limit=4000, multiline=True))
        text.append("\nquery: ", style="dim")
        text.append_text(inert(self.series.panel.query, limit=2000, multiline=True))
        return text

    def series_list(self) -> Text:
        """Every kept series, worst first: its value now and its labels."""
        s, unit = self.series, self.series.panel.unit
        text = Text(f"{s.series_count} series, worst first", style="bold")
        if not s.series:  # a replay: only the line shown in the row was recorded
            return text.append(" (each series' labels were not recorded)", style="dim")
        if s.series_count > len(s.series):
            text.append(f" ({len(s.series)} listed)", style="dim")
        for i, line in enumerate(s.series):
            mark = "●" if i < CHART_SERIES else " "
            text.append(f"\n{mark} {fmt_unit(line.latest, unit):>12}  ")
            text.append_text(inert(line.label_text or "{}", limit=200))
        return text

    def on_mount(self) -> None:
        plt = self.query_one(PlotextPlot).plt
        plt.clear_figure()
        plt.date_form("H:M:S")
        panel, s = self.series.panel, self.series
        lines = (
            [(line.label_text or "{}", line.points) for line in s.series[:CHART_SERIES]]
            if s.series_count > 1 and s.series
            else [("", s.points)]
        )
        drawn: list[tuple[float, float]] = []
        for i, (label, raw) in enumerate(lines):
            colour = LINE_COLOURS[i % len(LINE_COLOURS)]
            # one plot per run: no line across an outage or missing samples
            for k, run in enumerate(gap_runs(raw, self.outages)):
                drawn += run
                xs = [_clock(t) for t, _ in run]
                # the legend is plotext's own: a label per drawn series (its first run)
                name = (label[:40] or None) if k == 0 else None
                plt.plot(xs, [v for _, v in run], marker="braille", color=colour, label=name)
        levels = [v for _, v in drawn]
        levels += [t for t in (panel.warn, panel.crit) if t is not None and drawn]
        if drawn:
            start, end = min(t for t, _ in drawn), max(t for t, _ in drawn)
            top = max(levels)
            for o in self.outages:  # shaded from the axis to the top of the data
                lo, hi = max(o.start, start), min(end if o.end is None else o.end, end)
                if hi > lo:
                    plt.plot([_clock(lo), _clock(hi)], [top, top], fillx=True, color="gray")
            inside = [m for m in self.markers if start <= m.at <= end]
            for group in cluster(inside, end - start):
                moment = group[0].at
                hue = "magenta" if any(m.deploy for m in group) else "orange"
                plt.vline(_clock(moment), hue)
                # the label runs away from the nearer edge, so it is never cut off there
                side = "right" if moment > (start + end) / 2 else "left"
                plt.text(group_label(group), _clock(moment), top, color=hue, alignment=side)
            if panel.crit is not None:
                plt.hline(panel.crit, "red")
            if panel.warn is not None:
                plt.hline(panel.warn, "yellow")
            # round values in the unit's own scale: 20 GiB, 40 GiB; 500 ms, 1.00 s
            ticks = axis_ticks(min(levels), max(levels), panel.unit)
            plt.yticks(ticks, [fmt_unit(v, panel.unit) for v in ticks])


def threshold_text(series: PanelSeries) -> str:
    """'  warn ≤ 18.6 GiB  crit ≤ 9.31 GiB': the lines drawn, with the side that is bad."""
    panel = series.panel
    side = "≤" if panel.direction == "below" else "≥"
    return "".join(
        f"  {name} {side} {fmt_unit(level, panel.unit)}"
        for name, level in (("warn", panel.warn), ("crit", panel.crit))
        if level is not None
    )


def _clock(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%H:%M:%S")
