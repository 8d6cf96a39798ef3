"""The Textual app: app-level wiring only.

It builds the incident controller and the live screen, starts the sources (their snapshots
go to the screen, their changes to the controller), watches who is attached through tmux,
schedules garbage collection, and ends the session on quit. What the panes show lives in
`screens/live.py`, what keys do in `screens/operator_keys.py`, the journal side in
`incident.py`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Any

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.events import Event as TextualEvent
from textual.events import Key
from textual.screen import Screen

from cockpit.actions import ActionRefused
from cockpit.correlate import correlate
from cockpit.gcpolicy import CollectorPolicy
from cockpit.incident import IncidentController
from cockpit.keymap import KEYMAP, LOG_KEYS, display_key
from cockpit.panes.metrics import SPARK_WIDTH
from cockpit.screens.cockpit import COCKPIT_CSS
from cockpit.screens.live import LiveScreen
from cockpit.screens.palette import ThemePicker
from cockpit.screens.paste import install as install_paste_parser
from cockpit.screens.prompt_host import PromptHost
from cockpit.session import Session
from cockpit.sources.base import Remediator, Silencer
from cockpit.sources.evaluator import ALERT_SOURCES, EvaluatorWatch
from cockpit.themes import offer_all_themes, start_in_theme
from cockpit.viewers import Viewer

VIEWER_POLL_S = 2.0
VIEWER_FIRST_POLL_S = 0.5


class CockpitApp(ThemePicker, PromptHost, App[int]):
    TITLE = "cockpit"
    CSS_PATH = COCKPIT_CSS
    BINDINGS = [Binding("ctrl+c", "interrupt", "Quit", show=False, priority=True)]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.controller = IncidentController(session)
        self.controller.actions.context = self._context_now
        self._viewer_set: set[Viewer] = set()
        self.collector = CollectorPolicy()
        # themes before the first style pass: switching after mount restyles every widget
        start_in_theme(self, session.themes, session.theme)
        install_paste_parser()  # a pasted ESC must not turn the rest of a paste into keys

    def get_default_screen(self) -> Screen[Any]:
        return LiveScreen(self.session, self.controller)

    @property
    def main(self) -> LiveScreen:
        """The cockpit screen under any open prompt or dialog."""
        screen = self.screen_stack[0]
        assert isinstance(screen, LiveScreen)
        return screen

    @property
    def journal_failure(self) -> str | None:
        """Why the journal could not be opened (the run ends with this line), else None."""
        return self.controller.journal_failure

    def _context_now(self) -> dict[str, Any]:
        return self.main.context_now() if self.screen_stack else {}

    def on_mount(self) -> None:
        # the sources start now, before the screen's own mount: their first fetch then lands
        # in the first frame (the screen shows what they published by its mount)
        self.wire_sources()

    def panes_mounted(self) -> None:
        """The live screen is mounted (after the app's own mount): start everything else."""
        self.controller.start(self.main)
        # the first frame waits for the sources' first fetch, not for the journal: it opens
        # after that frame, and actions wait for its history (see IncidentController.perform)
        self.call_after_refresh(self.after_first_frame)
        self.set_interval(self.session.tick_s, self.main.tick)
        if self.session.notice:
            self.notify(self.session.notice, timeout=15, markup=False)
        # after the first frame: what startup built is frozen out of the collector's walks
        self.collector.attach(self)
        if self.session.viewers is not None and self.session.viewers.available:
            self.set_interval(VIEWER_POLL_S, self.poll_viewers)
            # not at once: the tmux client it runs would compete with the first frame
            self.set_timer(VIEWER_FIRST_POLL_S, self.poll_viewers)

    def after_first_frame(self) -> None:
        self.controller.frame_shown()
        # what the first prompt needs, loaded now (idle) rather than on the key that opens it
        import cockpit.screens.prompts  # noqa: F401

        offer_all_themes(self)  # for the palette: the start needed only its own theme

    def wire_sources(self) -> None:
        screen, actions = self.main, self.controller.actions
        kube = self.session.source("kubernetes")
        # resolutions while the rule evaluator is down or just back are flagged as such
        evaluator = self.session.source("prometheus") or self.session.source("alerts")
        watch = EvaluatorWatch("prometheus", clock=self.session.wall_clock)
        if evaluator is not None:
            evaluator.subscribe(on_health=watch.on_health)
        for source in self.session.sources:
            on_change = self.controller.observe
            if evaluator is not None and source.name in ALERT_SOURCES:
                on_change = lambda change, w=watch: self.controller.observe(w.flag(change))  # noqa: E731
            source.subscribe(screen.on_snapshot, on_change, screen.on_health)
            if hasattr(source, "set_width"):
                source.set_width(SPARK_WIDTH)  # one sample per sparkline cell, no more
            if isinstance(source, Silencer):
                actions.silencer = source
            if isinstance(source, Remediator):
                actions.remediator = source
            if kube is not None and source is not kube:
                source.enrich = lambda snap, k=kube: correlate(snap, k.latest and k.latest.deploys)
            if self.session.start_sources:
                self.run_worker(source.start(), group="sources")

    @work(exclusive=True, group="viewers")
    async def poll_viewers(self) -> None:
        """Journal tmux clients attaching and detaching; show who is watching."""
        assert self.session.viewers is not None
        current = await self.session.viewers.clients()
        if current is None:
            return
        joined = sorted(current - self._viewer_set)
        left = sorted(self._viewer_set - current)
        self._viewer_set = current
        self.main.viewers = tuple(v.label for v in sorted(current))
        actions = self.controller.actions
        for kind, viewers in (("session.viewer.joined", joined), ("session.viewer.left", left)):
            for viewer in viewers:
                with contextlib.suppress(ActionRefused):
                    await self.controller.perform(
                        actions.record(kind, {"user": viewer.user, "tty": viewer.tty})
                    )
        if joined or left:
            self.main.tick()

    # -- leaving ---------------------------------------------------------------------------------

    async def leave(self, reason: str, code: int) -> None:
        await self.end_session(reason)
        self.exit(code)

    async def action_interrupt(self) -> None:
        await self.leave("interrupted", 130)

    def stop_log_streams(self) -> None:
        """Log views still open when the cockpit leaves: their streams end with it (a
        follow stream is a thread and a connection; a screen left on the stack is never
        unmounted on the way out)."""
        for screen in self.screen_stack:
            stop = getattr(screen, "stop_streams", None)
            if stop is not None:
                stop()

    async def end_session(self, reason: str) -> None:
        """Journal session.ended (once) and stop the sources."""
        self.stop_log_streams()
        if self.controller.ended:
            return
        await self.controller.end_session(reason)
        for source in self.session.sources:
            with contextlib.suppress(Exception):
                await source.stop()

    async def on_unmount(self) -> None:
        self.stop_log_streams()
        self.collector.release()
        await self.end_session("closed")
        await self.controller.close()

    async def on_event(self, event: TextualEvent) -> None:
        if isinstance(event, Key):
            self.collector.input_seen()  # no full garbage collection while someone types
        await super().on_event(event)

    # -- palette -------------------------------------------------------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        from cockpit.screens.logs import LogScreen

        if isinstance(screen, LogScreen):
            # in the log view its own keys act (n, N and p mean something else there)
            for key in LOG_KEYS:
                method = getattr(screen, f"action_{key.action}")
                yield SystemCommand(
                    f"Logs: {key.description} (key {key.display})",
                    key.journal or key.description,
                    method,
                )
            return
        live = self.main
        for item in KEYMAP:
            if item.action == "command_palette":
                continue
            name, _, arg = item.action.partition("(")
            method = getattr(live, f"action_{name}", None) or getattr(self, f"action_{name}", None)
            if method is None:
                continue
            key = display_key(item.key)
            callback = method if not arg else (lambda m=method, a=arg: m(a.strip("')\"")))
            # no square brackets: the palette reads its titles as markup ("[/]" crashed it)
            yield SystemCommand(
                f"{item.description} (key {key})", item.journal or item.description, callback
            )
