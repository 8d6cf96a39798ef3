"""The Textual app: wires sources -> panes and keys -> actions -> journal.

The timeline and the status bar render the journal (tailed, so another cockpit process on the
same file shows up too), never app memory. An action is confirmed only after its append
committed; if the journal cannot be written a red banner says so.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.events import Event as TextualEvent
from textual.events import Key
from textual.screen import ModalScreen, Screen
from textual.widgets import Input
from textual.worker import Worker

from cockpit.actions import SILENCE_CHOICES, ActionRefused, Actions, JournalUnavailable
from cockpit.correlate import correlate
from cockpit.gcpolicy import CollectorPolicy
from cockpit.journal import export as exporter
from cockpit.journal.events import NOTE_TYPES, ROLES, SEVERITIES, STATUSES
from cockpit.journal.format import describe
from cockpit.journal.projection import IncidentState, apply
from cockpit.keymap import KEYMAP
from cockpit.model import Event, Snapshot, SourceHealth, SystemChange
from cockpit.panes.alerts import AlertsPane
from cockpit.panes.deploys import DeploysPane
from cockpit.panes.kubernetes import KubernetesPane
from cockpit.panes.layout import activate_pane, pane_grid, pane_of, pane_tabs
from cockpit.panes.lines import KeyBar, TextLine
from cockpit.panes.metrics import SPARK_WIDTH, MetricsPane
from cockpit.panes.render import age
from cockpit.panes.rowlist import RowList
from cockpit.panes.status import StatusBar, render_status
from cockpit.panes.timeline import TimelinePane
from cockpit.screens.prompt_host import PromptHost
from cockpit.session import Session
from cockpit.sources.base import Remediator, Silencer
from cockpit.text import inert
from cockpit.themes import offer_all_themes, start_in_theme
from cockpit.viewers import Viewer

if TYPE_CHECKING:  # loaded after the first frame, with the journal
    from cockpit.journal.store import Journal
    from cockpit.observations import ObservationRecorder

VIEWER_POLL_S = 2.0
VIEWER_FIRST_POLL_S = 0.5

# which pane shows which source's data, so a source's trouble is said where its data is
SOURCE_PANES = {
    "prometheus": "metrics",
    "alertmanager": "alerts",
    "alerts": "alerts",
    "kubernetes": "kubernetes",
    "gitops": "deploys",
}
WIDE_AT = 120  # columns: from here all panes show at once, below it one pane and tabs
FOOTER_KEYS = frozenset({"i", "s", "t", "n", "a", "x", "r", "p", "o", "question_mark", "q"})
_OPERATOR_ACTIONS = frozenset(k.action.partition("(")[0] for k in KEYMAP) - {"command_palette"}


# Banner and PaneTabs are mounted the first time they have something to show: most sessions
# need neither, and each widget on the first frame costs its style passes and layout.


class Banner(TextLine):
    """A loud line: the journal cannot be written, or this is a read-only session."""

    DEFAULT_CSS = """
    Banner { height: auto; display: none; padding: 0 1; text-style: bold; }
    Banner.-error { display: block; background: $error; color: $text; }
    Banner.-info { display: block; background: $warning; color: $background; }
    """


class PaneTabs(TextLine):
    """In a narrow terminal only one pane shows at a time: this line says which."""

    DEFAULT_CSS = "PaneTabs { height: 1; display: none; padding: 0 1; }"


class CockpitApp(PromptHost, App[int]):
    TITLE = "cockpit"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (WIDE_AT, "-wide")]
    CSS = """
    Screen { layout: vertical; layers: default prompt; }
    #main { height: 1fr; layout: grid; grid-size: 2 3; grid-rows: 1fr 1fr 1fr; }
    #timeline { column-span: 2; }
    Screen.-narrow PaneTabs { display: block; }
    Screen.-narrow #main { layout: vertical; }
    Screen.-narrow #main > .pane { display: none; }
    Screen.-narrow #main > .pane.-active { display: block; height: 1fr; }
    Screen.-narrow #main > #timeline { display: block; height: 8; }
    Screen.-narrow #main > #timeline.-active { height: 1fr; }
    /* confirmations go top right: the newest timeline rows at the bottom stay readable */
    ToastRack { dock: top; align: right top; margin-top: 2; margin-bottom: 0; }
    #filter { display: none; }
    #filter.-shown { display: block; }
    """
    BINDINGS = [
        *(
            # the footer shows the keys of a first response; every key is in `?` and ctrl+p
            Binding(k.key, k.action, k.label, show=k.key in FOOTER_KEYS)
            for k in KEYMAP
            if k.action not in ("command_palette",)
        ),
        Binding("ctrl+c", "interrupt", "Quit", show=False, priority=True),
        Binding("escape", "clear_filter", show=False),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.state = IncidentState(id=session.incident)
        self.actions_ = Actions(
            journal=session.journal,  # type: ignore[arg-type]  # set in on_mount when None
            incident=session.incident,
            operator=session.operator,
            context=self.context_now,
            clock=session.clock,
            read_only=session.read_only,
        )
        self.health: dict[str, SourceHealth] = {s.name: s.health for s in session.sources}
        self.snapshots: dict[str, Snapshot] = {}
        self.active_pane = "alerts"
        self.filters: dict[str, str] = {}
        self.journal_error: str | None = None
        self.last_seq = 0
        self.ended = False
        self._changes: asyncio.Queue[SystemChange] = asyncio.Queue()
        self._event_waiters: list[tuple[int, asyncio.Future[None]]] = []
        self.viewers: tuple[str, ...] = ()
        self._owns_journal = False
        self._viewer_set: set[Viewer] = set()
        self.recorder: ObservationRecorder | None = None  # what replay will need
        # the journal opens after the first frame (the store, SQLite and hashing are not
        # needed to draw it); set however the open ends, see journal_failure
        self.journal_ready = asyncio.Event()
        self.journal_failure: str | None = None  # the open failed: the app leaves with it
        self._journal_opening: asyncio.Future[None] | None = None
        self._tick_pending = False
        self.history_loaded = asyncio.Event()
        # durable background writes (session start, system changes, observations) wait for
        # the first frame: their hashing, encoding and fsync would compete with it
        self.first_frame = asyncio.Event()
        self._session_start: Worker[None] | None = None
        self.session_start_done = asyncio.Event()  # system changes are journaled after it
        self.collector = CollectorPolicy()
        # themes before the first style pass: switching after mount restyles every widget
        start_in_theme(self, session.themes, session.theme)

    # -- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        yield pane_grid()
        yield KeyBar(self.footer_keys())

    def footer_keys(self) -> list[tuple[str, str]]:
        """The first-response keys as the footer shows them, then the palette."""
        keys = [
            (self.get_key_display(Binding(k.key, k.action, k.label)), k.label)
            for k in KEYMAP
            if k.key in FOOTER_KEYS
        ]
        return [*keys, ("^p", "palette")]

    @property
    def main(self) -> Screen[Any]:
        """The cockpit screen under any open prompt: panes are always looked up here."""
        return self.screen_stack[0]

    @property
    def journal(self) -> Journal:
        assert self.session.journal is not None
        return self.session.journal

    async def on_mount(self) -> None:
        if self.session.read_only:
            self.set_banner("READ-ONLY: watching only, every action is refused", "-info")
        self.run_worker(self.connect_journal(), name="open", group="journal")
        # the first frame waits for the sources' first fetch, not for the journal: it opens
        # after that frame, and actions wait for its history (see perform)
        self.call_after_refresh(self.after_first_frame)
        self.wire_sources()
        self.run_worker(self.follow_journal(), name="tail", group="journal")
        self.run_worker(self.journal_changes(), name="changes", group="journal")
        self.set_interval(self.session.tick_s, self.tick)
        # after the first frame: what startup built is frozen out of the collector's walks
        self.collector.attach(self)
        if self.session.viewers is not None and self.session.viewers.available:
            self.set_interval(VIEWER_POLL_S, self.poll_viewers)
            # not at once: the tmux client it runs would compete with the first frame
            self.set_timer(VIEWER_FIRST_POLL_S, self.poll_viewers)
        self.show_pane("alerts", journal=False)
        self.tick()
        # not awaited: a durable write must not hold back the first frame
        self._session_start = self.run_worker(self._journal_session_start(), group="journal-start")

    async def connect_journal(self) -> None:
        await self.first_frame.wait()
        await self.open_journal()

    async def open_journal(self) -> None:
        """Open the journal, once, whoever asks first (after the first frame, or a quit that
        came before it); a failure ends the app with its one-line reason."""
        if self._journal_opening is None:
            self._journal_opening = asyncio.ensure_future(self._open_journal())
        await asyncio.shield(self._journal_opening)  # a cancelled waiter leaves it opening

    async def _open_journal(self) -> None:
        try:
            if self.session.journal is None:
                from cockpit.journal.store import Journal, JournalError

                assert self.session.journal_path is not None
                try:
                    self.session.journal = await Journal.open(
                        self.session.journal_path, redact_secrets=self.session.redact_secrets
                    )
                except JournalError as exc:
                    self.journal_failure = str(exc)
                    self.exit(2)
                    return
                self._owns_journal = True
            self.actions_.journal = self.session.journal
            if not self.session.read_only:
                from cockpit.observations import ObservationRecorder

                self.recorder = ObservationRecorder(self.journal, self.session.incident)
        finally:
            self.journal_ready.set()

    def after_first_frame(self) -> None:
        self.first_frame.set()
        # what the first prompt needs, loaded now (idle) rather than on the key that opens it
        import cockpit.screens.prompts  # noqa: F401

        offer_all_themes(self)  # for the palette: the start needed only its own theme

    async def _journal_session_start(self) -> None:
        await self.journal_ready.wait()
        try:
            with contextlib.suppress(ActionRefused):
                await self.perform(
                    self.actions_.session_started(self.session.mode),
                    quiet=True,
                    after_history=False,
                )
        finally:
            self.session_start_done.set()

    async def follow_journal(self) -> None:
        try:
            await self.journal_ready.wait()
            if self.session.journal is None:
                return
            await self.load_history()
        finally:
            # even cancelled or failed: quitting must still journal session.ended
            self.history_loaded.set()
        await self.tail_journal()

    async def load_history(self) -> None:
        """Replay this incident's journal into the timeline and the state."""
        timeline = self.main.query_one(TimelinePane)
        for event in await self.journal.events(self.session.incident):
            self.absorb(event, timeline)
        self.actions_.declared = bool(self.state.declared)
        self.tick()

    def explain_missing_sources(self) -> None:
        """Empty panes say why, so nobody waits for data that is not configured."""
        have = {SOURCE_PANES.get(s.name) for s in self.session.sources}
        hints = {
            "alerts": "not configured: set [alertmanager] or [prometheus] url",
            "metrics": "not configured: set [prometheus] url and add [[panels]]",
            "kubernetes": "not configured: add a [kubernetes] section or set KUBECONFIG",
            "deploys": "not configured: add a [kubernetes] section or set KUBECONFIG",
        }
        if "kubernetes" in have:
            have.add("deploys")
        hints["deploys"] += " (or [deploys] gitops_repo)"
        if "metrics" in have and not self.session.panels:
            have.discard("metrics")
            hints["metrics"] = "no [[panels]] in the config: add title and query"
        for pane_id, hint in hints.items():
            if pane_id not in have:
                self.main.query_one(f"#{pane_id}").border_subtitle = Text(hint)

    def wire_sources(self) -> None:
        self.explain_missing_sources()
        kube = self.session.source("kubernetes")
        for source in self.session.sources:
            source.subscribe(self.on_snapshot, self.on_change, self.on_health)
            if hasattr(source, "set_width"):
                source.set_width(SPARK_WIDTH)  # one sample per sparkline cell, no more
            if isinstance(source, Silencer):
                self.actions_.silencer = source
            if isinstance(source, Remediator):
                self.actions_.remediator = source
            if kube is not None and source is not kube:
                source.enrich = lambda snap, k=kube: correlate(snap, k.latest and k.latest.deploys)
            if source.latest is not None:
                self.on_snapshot(source.latest)
            if self.session.start_sources:
                self.run_worker(source.start(), group="sources")

    # -- sources -> panes ---------------------------------------------------------------------

    def on_snapshot(self, snap: Snapshot) -> None:
        self.snapshots[snap.source] = snap
        if not self.session.read_only:
            # fire and forget: recording for replay must never delay what the operator sees
            self.run_worker(self._record(snap), group="observations", exit_on_error=False)
        now = self.session.clock()
        if snap.alerts is not None:
            self.main.query_one(AlertsPane).show(snap.alerts, now)
        if snap.panels is not None:
            self.main.query_one(MetricsPane).show(snap.panels)
        if snap.events is not None:
            self.main.query_one(KubernetesPane).show(
                snap.events, snap.pods, now, snap.dropped_events
            )
        if snap.deploys is not None:
            # rollouts from Kubernetes and commits from a GitOps repo share the pane
            merged = tuple(d for s in self.snapshots.values() for d in (s.deploys or ()))
            self.main.query_one(DeploysPane).show(merged, now)

    async def _record(self, snap: Snapshot) -> None:
        await self.journal_ready.wait()
        if self.recorder is not None:
            await self.recorder.record(snap)

    def on_change(self, change: SystemChange) -> None:
        self._changes.put_nowait(change)

    def on_health(self, health: SourceHealth) -> None:
        previous = self.health.get(health.name)
        self.health[health.name] = health
        if previous is None or (previous.up, previous.error) != (health.up, health.error):
            self.tick()  # up/down shows at once, not on the next tick

    def show_source_problems(self, health: list[SourceHealth]) -> None:
        """A failing source's panes say so, with the age of the data they still show."""
        wall_now = self.session.wall_clock()
        for h in health:
            pane_id = SOURCE_PANES.get(h.name)
            if pane_id is None:
                continue
            pane = self.main.query_one(f"#{pane_id}")
            if h.error is None:
                if str(pane.border_subtitle or "").startswith(("✖", "▲")):
                    pane.border_subtitle = ""
                continue
            data_age = h.age(wall_now)
            # the age first: a long error is clipped by the border, the staleness must not be
            if h.up:
                mark = "▲ "
            elif data_age is not None:
                mark = f"✖ down, showing data {age(data_age)} old: "
            else:
                mark = "✖ down: "
            # a Text, never a str: a str border title is parsed as markup
            pane.border_subtitle = inert(f"{mark}{h.error}", limit=160)

    async def journal_changes(self) -> None:
        """Journal system changes one at a time, in the order the sources saw them."""
        await self.session_start_done.wait()
        while True:
            change = await self._changes.get()
            with contextlib.suppress(ActionRefused):
                await self.perform(self.actions_.system_change(change), quiet=True)

    # -- journal -> timeline and state -----------------------------------------------------------

    async def tail_journal(self) -> None:
        timeline = self.main.query_one(TimelinePane)
        async for event in self.journal.tail(self.last_seq, self.session.incident):
            self.absorb(event, timeline)
            if not self._tick_pending:
                # one status refresh per burst of entries, after the burst is in
                self._tick_pending = True
                self.call_later(self._tick_after_burst)

    def _tick_after_burst(self) -> None:
        self._tick_pending = False
        self.tick()

    def absorb(self, event: Event, timeline: TimelinePane) -> None:
        if event.seq <= self.last_seq:
            return
        self.last_seq = event.seq
        self.state = apply(self.state, event)
        timeline.add(event)
        for seq, waiter in list(self._event_waiters):
            if event.seq >= seq and not waiter.done():
                waiter.set_result(None)
        self._event_waiters = [(s, w) for s, w in self._event_waiters if not w.done()]

    async def wait_for_timeline(self, seq: int) -> None:
        """Resolve once the timeline shows journal entry `seq` (tests, benchmarks)."""
        if self.last_seq >= seq:
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._event_waiters.append((seq, waiter))
        await waiter

    def tick(self) -> None:
        now = self.session.clock()
        health = [self.health.get(s.name, s.health) for s in self.session.sources]
        self.show_source_problems(health)
        status = render_status(
            self.state,
            self.actions_.operator,
            health,
            now,
            wall_now=self.session.wall_clock(),
            viewers=self.viewers,
        )
        # each line repaints only if its text changed
        self.main.query_one(StatusBar).show(status)
        self.show_tabs()

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
        self.viewers = tuple(v.label for v in sorted(current))
        for kind, viewers in (("session.viewer.joined", joined), ("session.viewer.left", left)):
            for viewer in viewers:
                with contextlib.suppress(ActionRefused):
                    await self.perform(
                        self.actions_.record(kind, {"user": viewer.user, "tty": viewer.tty}),
                        quiet=True,
                    )
        if joined or left:
            self.tick()

    # -- performing actions ---------------------------------------------------------------------

    async def perform(
        self, coro: Any, *, quiet: bool = False, after_history: bool = True
    ) -> Event | None:
        """Await an action; toast only after the commit; refusals and journal failures shown."""
        if after_history:
            # an action is judged against the incident as journaled (declared? severity?)
            try:
                await self.history_loaded.wait()
            except asyncio.CancelledError:
                coro.close()
                raise
        if self.session.journal is None:
            # the open failed (the app is leaving with that error): nothing can be recorded
            coro.close()
            return None
        try:
            event = await coro
        except ActionRefused as exc:
            if not quiet:
                self.notify(str(exc), severity="warning", markup=False)
            raise
        except JournalUnavailable as exc:
            self.journal_error = str(exc)
            self.set_banner(f"JOURNAL NOT WRITABLE: {exc}", "-error")
            self.notify(str(exc), severity="error", timeout=10, markup=False)
            return None
        if self.journal_error:
            self.journal_error = None
            self.set_banner("", "")
        if not quiet:
            self.notify(f"journaled #{event.seq}: {describe(event)}"[:200], markup=False)
        return event

    async def act(self, coro: Any) -> Event | None:
        with contextlib.suppress(ActionRefused):
            return await self.perform(coro)
        return None

    def show_tabs(self) -> None:
        """The pane switcher, shown (by the CSS) only in a narrow terminal."""
        if not self.screen_stack:
            return
        tabs = self.main.query(PaneTabs)
        if tabs:
            tabs.first().show(pane_tabs(self.active_pane))
        elif self.size.width < WIDE_AT:
            self.main.mount(PaneTabs(pane_tabs(self.active_pane), id="tabs"), before="#main")

    def on_resize(self, event: Any) -> None:
        # (Textual also calls PromptHost.on_resize: handlers run for each class)
        self.show_tabs()  # narrowed for the first time: the tabs now have a job

    def set_banner(self, text: str, kind: str) -> None:
        if not self.screen_stack:  # closing down: nothing left to show it on
            return
        banners = self.main.query(Banner)
        if banners:
            banner = banners.first()
        elif text:
            banner = Banner(id="banner")
            self.main.mount(banner, after="#status")
        else:
            return
        banner.remove_class("-error", "-info")
        if kind and text:
            banner.add_class(kind)
            banner.show(inert(text, limit=300))

    def context_now(self) -> dict[str, Any]:
        """What the cockpit showed at this moment: stored with every operator action."""
        alerts = self.snapshots.get("alertmanager") or self.snapshots.get("alerts")
        firing = (
            [
                {"alert": a.name, "severity": a.severity, "state": a.state}
                for a in (alerts.alerts or ())
            ]
            if alerts
            else []
        )
        metrics = {}
        for snap in self.snapshots.values():
            for series in snap.panels or ():
                metrics[series.panel.title] = series.latest
        context: dict[str, Any] = {"firing": firing, "metrics": metrics}
        selected = self.selected_item()
        if selected is not None:
            context["selected"] = {"pane": self.active_pane, "item": item_label(selected)}
        return context

    def selected_item(self) -> Any | None:
        try:
            pane = self.main.query_one(f"#{self.active_pane}")
        except (NoMatches, IndexError):  # shutting down: the panes are already gone
            return None
        return pane.selected() if hasattr(pane, "selected") else None

    # -- key actions (each one line into actions.py) ---------------------------------------

    async def action_declare(self) -> None:
        title = "Retitle the incident" if self.state.declared else "Declare the incident: title"
        await self.ask_text(
            title,
            self._declare,
            value=self.state.title,
            placeholder="e.g. checkout 5xx after deploy",
        )

    async def _declare(self, title: str | None) -> None:
        if title is not None:
            await self.act(self.actions_.declare(title))

    async def action_severity(self) -> None:
        await self.ask_choice("Severity", SEVERITIES, self._severity, current=self.state.severity)

    async def _severity(self, value: str | None) -> None:
        if value:
            await self.act(self.actions_.set_severity(value))

    async def action_status(self) -> None:
        await self.ask_choice("Status", STATUSES, self._status, current=self.state.status)

    async def _status(self, value: str | None) -> None:
        if value:
            await self.act(self.actions_.set_status(value))

    async def action_note(self) -> None:
        await self.ask_note(NOTE_TYPES, self._note)

    async def _note(self, value: tuple[str, str] | None) -> None:
        if value:
            await self.act(self.actions_.add_note(*value))

    async def action_amend(self) -> None:
        note = self.main.query_one(TimelinePane).selected()
        if note is None or note.kind not in ("note.added", "note.amended"):
            self.notify("select a note in the timeline (5) to amend it", severity="warning")
            return

        async def amend(text: str | None) -> None:
            if text is not None:
                await self.act(self.actions_.amend_note(note, text))

        title = f"Amend note #{note.seq} (the original stays in the journal)"
        await self.ask_text(title, amend, value=str(note.data.get("text", "")))

    async def action_role(self) -> None:
        await self.ask_choice("Assign which role?", ROLES, self._role)

    async def _role(self, role: str | None) -> None:
        if not role:
            return

        async def assign(name: str | None) -> None:
            if name is not None:
                await self.act(self.actions_.assign_role(role, name))

        await self.ask_text(f"Who is {role}?", assign, value=self.actions_.operator)

    def _selected_alert(self) -> Any:
        return self.main.query_one(AlertsPane).selected()

    async def action_ack(self) -> None:
        await self.act(self.actions_.acknowledge(self._selected_alert()))

    async def action_silence(self) -> None:
        alert = self._selected_alert()
        if alert is None:
            self.notify("no alert selected: press 1 and pick one", severity="warning")
            return

        async def silence(duration: str | None) -> None:
            if duration:
                await self.act(self.actions_.silence(alert, duration))

        await self.ask_choice(f"Silence {alert.name} for", SILENCE_CHOICES, silence)

    def action_rollback(self) -> None:
        self.run_remediation("rollback")

    def action_restart(self) -> None:
        self.run_remediation("restart")

    async def action_scale(self) -> None:
        deploy = self.main.query_one(DeploysPane).selected()

        def scale(text: str | None) -> None:
            if text is None:
                return
            if not text.strip().isdigit():
                self.notify("replicas must be a whole number, e.g. 3", severity="warning")
                return
            self.run_remediation("scale", replicas=int(text))

        name = f"{deploy.namespace}/{deploy.deployment}" if deploy else "the selected deploy"
        await self.ask_text(f"Scale {name} to how many replicas?", scale)

    @work(exclusive=True, group="remediation")
    async def run_remediation(self, action: str, **params: Any) -> None:
        """Dry run, show exactly what changes, confirm, then act through actions.py."""
        deploy = self.main.query_one(DeploysPane).selected()
        try:
            plan = await self.actions_.plan_remediation(action, deploy, **params)
        except ActionRefused as exc:
            self.notify(str(exc), severity="warning", markup=False)
            return
        confirmed = await self.confirm(f"{action.capitalize()}? This changes production.", plan)
        if confirmed and deploy is not None:
            self.notify(f"{action} in progress…", markup=False)
            await self.act(self.actions_.remediate(action, deploy, plan, **params))

    async def action_pin(self) -> None:
        item = self.selected_item()
        label = item_label(item) if item is not None else ""
        await self.act(self.actions_.pin(self.active_pane, label))

    async def action_handoff(self) -> None:
        await self.ask_text("Hand the keyboard to", self._handoff, placeholder="operator name")

    async def _handoff(self, name: str | None) -> None:
        if name:
            await self.act(self.actions_.handoff(name))
            self.tick()

    async def action_export(self) -> None:
        await self.ask_choice("Export the timeline as", exporter.FORMATS, self._export)

    async def _export(self, fmt: str | None) -> None:
        if not fmt:
            return
        text = await exporter.render(self.journal, self.session.incident, fmt)
        path = Path.cwd() / f"{self.session.incident}.{fmt}"
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            self.notify(f"cannot write {path}: {exc.strerror}", severity="error", markup=False)
            return
        await self.act(self.actions_.exported(fmt, str(path)))

    async def action_detail(self) -> None:
        item = self.selected_item()
        if item is None:
            return
        with contextlib.suppress(ActionRefused):
            await self.perform(
                self.actions_.view("view.detail", pane=self.active_pane, item=item_label(item)),
                quiet=True,
            )
        if self.active_pane == "metrics":
            from cockpit.screens.chart import ChartScreen  # plotext only when a chart is opened

            self.push_screen(ChartScreen(item, self.chart_markers()))
        else:
            from cockpit.screens.detail import DetailScreen  # imported when first opened

            self.push_screen(DetailScreen(item_label(item), item))

    async def on_row_list_selected(self, event: RowList.Selected) -> None:
        event.stop()
        await self.action_detail()

    def chart_markers(self) -> list[tuple[float, str]]:
        timeline = self.main.query_one(TimelinePane)
        marks = []
        for event in timeline.events:
            if event.kind == "system.deploy" or not event.kind.startswith(
                ("system.", "session.", "view.")
            ):
                marks.append((event.moment.timestamp(), event.kind.split(".")[-1]))
        return marks

    async def filter_box(self) -> Input:
        """The filter line, mounted the first time it is needed (not every session filters)."""
        try:
            return self.main.query_one("#filter", Input)
        except NoMatches:
            box = Input(placeholder="filter the focused pane (esc clears)", id="filter")
            await self.main.mount(box, before="#main")
            return box

    async def action_filter(self) -> None:
        box = await self.filter_box()
        box.value = self.filters.get(self.active_pane, "")
        box.add_class("-shown")
        box.focus()

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "filter":
            return
        event.stop()
        self.filters[self.active_pane] = event.value
        event.input.remove_class("-shown")
        self.apply_filter(self.active_pane)
        with contextlib.suppress(ActionRefused):
            await self.perform(
                self.actions_.view("view.filter", pane=self.active_pane, text=event.value),
                quiet=True,
            )
        self.show_pane(self.active_pane, journal=False)

    def action_clear_filter(self) -> None:
        shown = self.main.query("#filter.-shown")
        if shown or self.filters.get(self.active_pane):
            shown.remove_class("-shown")
            self.filters[self.active_pane] = ""
            self.apply_filter(self.active_pane)
            self.show_pane(self.active_pane, journal=False)

    def apply_filter(self, pane_id: str) -> None:
        pane = self.main.query_one(f"#{pane_id}")
        if hasattr(pane, "set_filter"):
            pane.set_filter(self.filters.get(pane_id, ""))

    def action_toggle_views(self) -> None:
        shown = self.main.query_one(TimelinePane).toggle_views()
        self.notify("view.* entries shown" if shown else "view.* entries hidden")

    async def action_focus_pane(self, pane: str) -> None:
        self.show_pane(pane)

    def show_pane(self, pane: str, *, journal: bool = True) -> None:
        self.active_pane = pane
        activate_pane(self.main, pane)
        self.tick()
        if journal:
            self.run_worker(self._journal_view("view.focus", pane=pane), group="view")

    async def _journal_view(self, kind: str, **data: Any) -> None:
        with contextlib.suppress(ActionRefused):
            await self.perform(self.actions_.view(kind, **data), quiet=True)

    async def on_event(self, event: TextualEvent) -> None:
        if isinstance(event, Key):
            self.collector.input_seen()  # no full garbage collection while someone types
        await super().on_event(event)

    def on_descendant_focus(self, event: Any) -> None:
        if self.keep_focus_in_prompt(event.widget):
            return
        pane = pane_of(event.widget)
        if pane is not None and pane != self.active_pane:
            self.show_pane(pane)

    def action_help(self) -> None:
        from cockpit.screens.help import HelpScreen  # imported when first opened

        self.push_screen(HelpScreen())

    async def action_quit(self) -> None:
        await self.end_session("quit")
        self.exit(0)

    async def action_interrupt(self) -> None:
        await self.end_session("interrupted")
        self.exit(130)

    async def end_session(self, reason: str) -> None:
        if self.ended:
            return
        self.ended = True
        # leaving before the first frame: the start is still journaled, and before the end
        self.first_frame.set()
        with contextlib.suppress(Exception):
            await self.open_journal()
        if self._session_start is not None:
            with contextlib.suppress(Exception):
                await self._session_start.wait()
        with contextlib.suppress(ActionRefused):
            await self.perform(self.actions_.session_ended(reason), quiet=True, after_history=False)
        for source in self.session.sources:
            with contextlib.suppress(Exception):
                await source.stop()

    async def on_unmount(self) -> None:
        self.collector.release()
        await self.end_session("closed")
        if self._owns_journal:
            # the tail polls the connection: stop it before closing under it
            for worker in self.workers.cancel_group(self, "journal"):
                with contextlib.suppress(Exception):
                    await worker.wait()
            await self.journal.close()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # while a prompt is open, its keys are typed text, not cockpit actions
        held = self.prompt is not None or isinstance(self.screen, ModalScreen)
        return not (held and action in _OPERATOR_ACTIONS)

    # -- palette -------------------------------------------------------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for item in KEYMAP:
            if item.action == "command_palette":
                continue
            name, _, arg = item.action.partition("(")
            method = getattr(self, f"action_{name}", None)
            if method is None:
                continue
            key = {"question_mark": "?", "slash": "/"}.get(item.key, item.key)
            callback = method if not arg else (lambda m=method, a=arg: m(a.strip("')\"")))
            # no square brackets: the palette reads its titles as markup ("[/]" crashed it)
            yield SystemCommand(
                f"{item.description} (key {key})", item.journal or item.description, callback
            )


def item_label(item: Any) -> str:
    """A short, stable name for a selected item, stored in the journal."""
    for attr in ("key", "fingerprint"):
        value = getattr(item, attr, None)
        if isinstance(value, str) and attr == "key":
            return value
    if hasattr(item, "panel"):
        latest = item.latest
        return f"{item.panel.title} = {latest if latest is not None else 'no data'}"
    if hasattr(item, "fingerprint"):
        labels = " ".join(f"{k}={v}" for k, v in sorted(item.labels.items()))
        return f"{item.name} {{{labels}}}"
    if hasattr(item, "reason") and hasattr(item, "object"):
        return f"{item.reason} {item.namespace}/{item.object}"
    if hasattr(item, "seq"):
        return f"#{item.seq} {item.kind}"
    return str(item)
