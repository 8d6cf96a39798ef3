"""`cockpit replay`: the cockpit as it looked at any moment of an incident, read-only.

The same panes as the live cockpit are fed from a `ReplayModel` frame instead of sources:
alerts, metric panels (15-minute window ending at the moment), Kubernetes warnings, deploys
and the journal up to then. Nothing here writes to the journal.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Static

from cockpit.gcpolicy import CollectorPolicy
from cockpit.keymap import NAVIGATION_KEYS
from cockpit.observations import ReplayFrame, ReplayModel
from cockpit.panes.alerts import AlertsPane
from cockpit.panes.deploys import DeploysPane
from cockpit.panes.kubernetes import KubernetesPane
from cockpit.panes.layout import PANE_IDS
from cockpit.panes.metrics import MetricsPane
from cockpit.panes.status import StatusBar, render_status
from cockpit.panes.timeline import TimelinePane
from cockpit.screens.cockpit import COCKPIT_CSS, CockpitScreen
from cockpit.screens.help import KeysScreen, section
from cockpit.screens.palette import ThemePicker
from cockpit.screens.paste import install as install_paste_parser
from cockpit.screens.prompt_host import PromptHost
from cockpit.text import inert
from cockpit.themes import offer_all_themes, start_in_theme

SPEEDS = (1.0, 10.0, 60.0)  # space cycles x1 -> x10 -> x60 -> pause
PLAY_TICK_S = 0.25
TIMELINE_TAIL = 200  # journal entries rebuilt in the timeline when seeking
REPLAY_KEYS: tuple[tuple[str, str], ...] = (
    ("← / →", "previous / next journal entry"),
    ("[ / ]", "one minute back / forward"),
    ("g", "go to a time (HH:MM[:SS] UTC or an ISO time)"),
    ("space", "play x1 → x10 → x60 → pause"),
    ("1-5, tab", "focus a pane"),
    ("?", "this help"),
    ("q", "quit"),
)
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$")


def parse_moment(text: str, reference: float) -> float | None:
    """HH:MM[:SS] (UTC, on the reference moment's day) or a full ISO time -> epoch seconds."""
    text = text.strip()
    match = _CLOCK.match(text)
    if match:
        hour, minute, second = (int(g or 0) for g in match.groups()[:3])
        millis = int((match.group(4) or "0").ljust(3, "0"))
        if hour > 23 or minute > 59 or second > 59:
            return None
        day = datetime.fromtimestamp(reference, UTC)
        moment = day.replace(hour=hour, minute=minute, second=second, microsecond=millis * 1000)
        return moment.timestamp()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)  # the cockpit speaks UTC everywhere
    return parsed.timestamp()


def clock_text(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _span(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


class ReplayBar(Static):
    """The replay moment, position, play speed and keys."""

    DEFAULT_CSS = """
    ReplayBar { height: 1; background: $accent; color: $background; padding: 0 1; }
    """


class ReplayScreen(CockpitScreen):
    """The live cockpit's screen with a position bar and the replay keys in the footer."""

    def compose_bars(self) -> ComposeResult:
        yield ReplayBar(id="replay-bar")

    def compose_footer(self) -> ComposeResult:
        yield Footer()

    def on_mount(self) -> None:
        replay: Any = self.app
        replay.panes_mounted()

    def pane_shown(self, pane: str, *, breadcrumb: bool) -> None:
        replay: Any = self.app
        replay.render_bars()  # nothing is journaled in a replay


_REPLAY_ACTIONS = frozenset({"step", "shift", "goto", "play", "help", "focus_pane", "quit"})


class ReplayApp(ThemePicker, PromptHost, App[int]):
    TITLE = "cockpit replay"
    CSS_PATH = COCKPIT_CSS  # the same screen and layout as the live cockpit
    BINDINGS = [
        # priority: a focused table would take the arrows for its cursor otherwise
        Binding("left", "step(-1)", "Prev entry", priority=True),
        Binding("right", "step(1)", "Next entry", priority=True),
        Binding("left_square_bracket", "shift(-60)", "-1 min", priority=True),
        Binding("right_square_bracket", "shift(60)", "+1 min", priority=True),
        Binding("g", "goto", "Go to"),
        Binding("space", "play", "Play", priority=True),
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
        *(
            Binding(str(n), f"focus_pane('{pane}')", show=False)
            for n, pane in enumerate(PANE_IDS, start=1)
        ),
    ]

    def __init__(
        self,
        model: ReplayModel,
        *,
        start: float | None = None,
        theme: str = "cockpit-dark",
        themes: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self.model = model
        self.moment = model.clamp(model.end if start is None else start)
        self.speed: float | None = None  # None: paused
        self.frame: ReplayFrame | None = None
        # before the first style pass: switching after mount restyles every widget
        start_in_theme(self, themes or {}, theme)
        install_paste_parser()  # a pasted ESC must not turn the rest of a paste into keys
        self._shown = 0  # journal entries in the timeline
        self.collector = CollectorPolicy()
        self._last_tick = 0.0

    def get_default_screen(self) -> Screen[Any]:
        return ReplayScreen()

    def panes_mounted(self) -> None:
        """The screen's panes exist (after the app's own mount): show the first moment."""
        self._player = self.set_interval(PLAY_TICK_S, self._play_tick, pause=True)
        self.show_pane("alerts")
        self.seek(self.moment)
        self.collector.attach(self)
        offer_all_themes(self)  # for the palette: the start needed only its own theme

    def on_unmount(self) -> None:
        self.collector.release()

    @property
    def main(self) -> ReplayScreen:
        """The cockpit screen under any open prompt or dialog."""
        screen = self.screen_stack[0]
        assert isinstance(screen, ReplayScreen)
        return screen

    @property
    def active_pane(self) -> str:
        return self.main.active_pane

    # -- showing a moment -----------------------------------------------------------------------

    def seek(self, moment: float) -> None:
        self.moment = self.model.clamp(moment)
        frame = self.frame = self.model.at(self.moment)
        main, now = self.main, self.moment
        alerts = main.query_one(AlertsPane)
        alerts.acks = frame.state.acks  # acknowledged as of this moment
        alerts.show(frame.alerts or (), now)
        main.query_one(MetricsPane).show(frame.panels)
        kube = main.query_one(KubernetesPane)
        kube.show(frame.k8s_events or (), frame.pods, now, frame.dropped_events)
        if frame.pods is None:
            kube.set_summary(Text(" pods: nothing recorded by then"))
        main.query_one(DeploysPane).show(frame.deploys or (), now)
        self._sync_timeline(frame)
        self.render_bars()

    def _sync_timeline(self, frame: ReplayFrame) -> None:
        timeline = self.main.query_one(TimelinePane)
        count = len(frame.events)
        if self._shown <= count <= self._shown + TIMELINE_TAIL:  # forward: only the new ones
            for event in frame.events[self._shown :]:
                timeline.add(event)
        else:
            # a jump: rebuilding thousands of rows would make a seek slow; the entries before
            # the tail are one `left` away, and `cockpit export` lists them all
            timeline.reset(list(frame.events[-TIMELINE_TAIL:]), frame.events[:-TIMELINE_TAIL])
        self._shown = count

    def render_bars(self) -> None:
        frame = self.frame
        if frame is None:
            return
        status = render_status(frame.state, frame.operator or "—", [], self.moment)
        self.main.query_one(StatusBar).show(status)
        bar = Text()
        bar.append("REPLAY ", style="bold")
        bar.append(clock_text(self.moment), style="bold")
        total = len(self.model.events)
        bar.append(f" · entry {len(frame.events)}/{total}")
        bar.append(
            f" · +{_span(self.moment - self.model.start)} of "
            f"{_span(self.model.end - self.model.start)}"
        )
        bar.append(" · ")
        bar.append("paused" if self.speed is None else f"▶ x{self.speed:g}", style="bold")
        if frame.metrics_origin == "context":
            bar.append(" · metrics from journal entries (no observations)")
        bar.append("  ←/→ entry  [/] 1 min  g go to  space play  ? help  q quit", style="dim")
        self.main.query_one(ReplayBar).update(bar)
        self.main.show_tabs()

    # -- keys ----------------------------------------------------------------------------------

    def action_step(self, direction: int) -> None:
        target = (
            self.model.previous_entry(self.moment)
            if direction < 0
            else self.model.next_entry(self.moment)
        )
        if target is None:
            self.bell()
            return
        self.seek(target)

    def action_shift(self, seconds: float) -> None:
        self.seek(self.moment + seconds)

    async def action_goto(self) -> None:
        await self.ask_text(
            "Go to (HH:MM[:SS] UTC, or an ISO time)",
            self._goto,
            value=datetime.fromtimestamp(self.moment, UTC).strftime("%H:%M:%S"),
            placeholder="e.g. 19:12 or 2026-11-28T19:12:30Z",
        )

    def _goto(self, text: str | None) -> None:
        if not text:
            return
        moment = parse_moment(text, self.moment)
        if moment is None:
            self.notify(
                inert(f"not a time: {text!r} (use HH:MM[:SS] UTC or an ISO time)", limit=120),
                severity="warning",
            )
            return
        if not self.model.start <= moment <= self.model.end:
            self.notify(
                f"outside the incident ({clock_text(self.model.start)} – "
                f"{clock_text(self.model.end)}): shown at the nearest end",
                severity="warning",
                markup=False,
            )
        self.seek(moment)

    def action_play(self) -> None:
        if self.speed is None:
            self.speed = SPEEDS[0]
        else:
            index = SPEEDS.index(self.speed) + 1
            self.speed = SPEEDS[index] if index < len(SPEEDS) else None
        if self.speed is None:
            self._player.pause()
        else:
            if self.moment >= self.model.end:
                self.seek(self.model.start)  # playing from the end: start over
            self._last_tick = time.monotonic()
            self._player.resume()
        self.render_bars()

    def _play_tick(self) -> None:
        if self.speed is None:
            return
        now = time.monotonic()
        elapsed, self._last_tick = now - self._last_tick, now
        self.seek(self.moment + elapsed * self.speed)
        if self.moment >= self.model.end:
            self.speed = None
            self._player.pause()
            self.render_bars()
            self.notify("end of the incident", markup=False)

    def action_help(self) -> None:
        rows = [*REPLAY_KEYS, ("", ""), *section("Moving around", NAVIGATION_KEYS[:3], 2)]
        self.push_screen(
            KeysScreen("[b]replay keys[/b]  (read-only; esc to close)", ("Key", "Action"), rows)
        )

    def action_focus_pane(self, pane: str) -> None:
        self.show_pane(pane)

    def show_pane(self, pane: str) -> None:
        self.main.show_pane(pane, breadcrumb=False)

    async def action_quit(self) -> None:
        self.exit(0)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # while the go-to prompt is open, arrows, brackets and space are typed text
        held = self.prompt is not None or isinstance(self.screen, ModalScreen)
        return not (held and action in _REPLAY_ACTIONS)
