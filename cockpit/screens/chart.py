"""`enter` on a metric: a braille line chart of its range, with deploy and action markers."""

from __future__ import annotations

from datetime import UTC, datetime

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label
from textual_plotext import PlotextPlot

from cockpit.model import PanelSeries
from cockpit.panes.render import format_value
from cockpit.text import inert


class ChartScreen(ModalScreen[None]):
    BINDINGS = [("escape,q,enter", "dismiss", "Close")]
    DEFAULT_CSS = """
    ChartScreen { align: center middle; }
    ChartScreen > Vertical { width: 95%; height: 90%; border: round $accent;
        background: $surface; }
    ChartScreen PlotextPlot { height: 1fr; }
    """

    def __init__(self, series: PanelSeries, markers: list[tuple[float, str]]) -> None:
        super().__init__()
        self.series = series
        self.markers = markers  # (epoch seconds, label): deploys and operator actions

    def compose(self) -> ComposeResult:
        panel = self.series.panel
        with Vertical():
            title = f"{panel.title}  now {format_value(self.series.latest, panel.unit)}"
            yield Label(inert(title, limit=120, style="bold"))
            yield PlotextPlot()
            legend = "  ".join(f"│{label}" for _, label in self.markers[-6:])
            yield Label(inert(f"markers: {legend}" if legend else "no markers", limit=300))

    def on_mount(self) -> None:
        plt = self.query_one(PlotextPlot).plt
        points = [(t, v) for t, v in self.series.points if v is not None]
        plt.clear_figure()
        plt.date_form("H:M:S")
        if points:
            xs = [_clock(t) for t, _ in points]
            plt.plot(xs, [v for _, v in points], marker="braille")
            start, end = points[0][0], points[-1][0]
            for moment, label in self.markers:
                if start <= moment <= end:
                    plt.vline(_clock(moment), "orange")
                    plt.text(label[:12], _clock(moment), max(v for _, v in points))
        panel = self.series.panel
        if panel.crit is not None:
            plt.hline(panel.crit, "red")
        if panel.warn is not None:
            plt.hline(panel.warn, "yellow")
        plt.ylabel(panel.unit)


def _clock(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%H:%M:%S")
