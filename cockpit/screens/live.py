"""The live cockpit screen: sources' snapshots and health in the panes, the journal (through
the incident controller) in the timeline and status line, and every action's outcome shown
only once it is journaled."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding

from cockpit.actions import ActionRefused
from cockpit.incident import IncidentController
from cockpit.keymap import KEYMAP
from cockpit.model import Event, Snapshot, SourceHealth
from cockpit.panes.alerts import AlertsPane
from cockpit.panes.deploys import DeploysPane
from cockpit.panes.kubernetes import KubernetesPane
from cockpit.panes.lines import KeyBar
from cockpit.panes.metrics import MetricsPane
from cockpit.panes.render import age
from cockpit.panes.status import StatusBar, render_status
from cockpit.panes.timeline import TimelinePane
from cockpit.panes.timeline import what as timeline_what
from cockpit.screens.cockpit import CockpitScreen
from cockpit.screens.operator_keys import OPERATOR_ACTIONS, OperatorKeys, item_label
from cockpit.session import Session
from cockpit.text import inert

# which pane shows which source's data, so a source's trouble is said where its data is
SOURCE_PANES = {
    "prometheus": "metrics",
    "alertmanager": "alerts",
    "alerts": "alerts",
    "kubernetes": "kubernetes",
    "gitops": "deploys",
}
FOOTER_KEYS = frozenset({"i", "s", "t", "n", "a", "x", "r", "p", "o", "question_mark", "q"})
MISSING_SOURCE_HINTS = {
    "alerts": "not configured: set [alertmanager] or [prometheus] url",
    "metrics": "not configured: set [prometheus] url and add [[panels]]",
    "kubernetes": "not configured: add a [kubernetes] section or set KUBECONFIG",
    "deploys": "not configured: add a [kubernetes] section or set KUBECONFIG"
    " (or [deploys] gitops_repo)",
}


class LiveScreen(OperatorKeys, CockpitScreen):
    """The cockpit on live sources and the journal; keys act through the controller."""

    BINDINGS = [
        *(
            # the footer shows the keys of a first response; every key is in `?` and ctrl+p
            Binding(k.key, k.action, k.label, show=k.key in FOOTER_KEYS)
            for k in KEYMAP
            if k.action != "command_palette"
        ),
        Binding("escape", "clear_filter", show=False),
    ]

    def __init__(self, session: Session, controller: IncidentController) -> None:
        super().__init__()
        self.session = session
        self.controller = controller
        self.health: dict[str, SourceHealth] = {s.name: s.health for s in session.sources}
        self.snapshots: dict[str, Snapshot] = {}
        self.viewers: tuple[str, ...] = ()  # tmux clients watching, set by the app
        self.panes_ready = False

    def compose_footer(self) -> ComposeResult:
        yield KeyBar(self.footer_keys())

    def footer_keys(self) -> list[tuple[str, str]]:
        """The first-response keys as the footer shows them, then the palette."""
        keys = [
            (self.app.get_key_display(Binding(k.key, k.action, k.label)), k.label)
            for k in KEYMAP
            if k.key in FOOTER_KEYS
        ]
        return [*keys, ("^p", "palette")]

    def on_mount(self) -> None:
        # the app wires the sources from its own mount, which comes before this screen's:
        # what they published until now is shown here, before the first frame
        self.panes_ready = True
        if self.session.read_only:
            self.set_banner("READ-ONLY: watching only, every action is refused", "-info")
        self.explain_missing_sources()
        for source in self.session.sources:
            if source.latest is not None:
                self.on_snapshot(source.latest)
        self.show_pane("alerts", breadcrumb=False)
        host: Any = self.app
        host.panes_mounted()

    def pane_shown(self, pane: str, *, breadcrumb: bool) -> None:
        self.tick()
        if breadcrumb:
            self.run_worker(self.breadcrumb("view.focus", pane=pane), group="view")

    def explain_missing_sources(self) -> None:
        """Empty panes say why, so nobody waits for data that is not configured."""
        have = {SOURCE_PANES.get(s.name) for s in self.session.sources}
        hints = dict(MISSING_SOURCE_HINTS)
        if "kubernetes" in have:
            have.add("deploys")
        if "metrics" in have and not self.session.panels:
            have.discard("metrics")
            hints["metrics"] = "no [[panels]] in the config: add title and query"
        for pane_id, hint in hints.items():
            if pane_id not in have:
                self.pane(pane_id).border_subtitle = Text(hint)
        if "kubernetes" not in have:
            self.query_one(KubernetesPane).show_source("pods: not configured", style="dim")

    # -- sources -> panes ---------------------------------------------------------------------

    def on_snapshot(self, snap: Snapshot) -> None:
        if not self.panes_ready:
            return  # shown (and recorded) from source.latest once the panes are mounted
        self.snapshots[snap.source] = snap
        if not self.session.read_only:
            # fire and forget: recording for replay must never delay what the operator sees
            self.run_worker(
                self.controller.record_observation(snap),
                group="observations",
                exit_on_error=False,
            )
        now = self.session.clock()
        if snap.alerts is not None:
            self.query_one(AlertsPane).show(snap.alerts, now)
        if snap.panels is not None:
            self.show_panels(snap)
        if snap.events is not None:
            self.query_one(KubernetesPane).show(snap.events, snap.pods, now, snap.dropped_events)
        if snap.deploys is not None:
            # rollouts from Kubernetes and commits from a GitOps repo share the pane
            merged = tuple(d for s in self.snapshots.values() for d in (s.deploys or ()))
            self.query_one(DeploysPane).show(merged, now)

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
            pane = self.pane(pane_id)
            self.show_source_state(pane_id, h, wall_now)
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

    def stale_after(self, name: str) -> float | None:
        """Seconds after which a source's data is stale (None: only when it is down)."""
        source = self.session.source(name)
        return None if source is None else source.stale_after

    def show_panels(self, snap: Snapshot) -> None:
        """The metrics rows; a value older than two poll intervals, or any value while the
        source is down, says `stale <age>` instead of ✓."""
        health = self.health.get(snap.source)
        stale_after = 0.0 if health is not None and not health.up else self.stale_after(snap.source)
        # the values' age in the snapshot's own clock (a demo's story time), plus how long
        # ago, on the wall clock, that snapshot was fetched
        since_fetch = health.age(self.session.wall_clock()) if health is not None else None
        now = snap.at + (since_fetch or 0.0)
        self.query_one(MetricsPane).show(snap.panels or (), now, stale_after)

    def show_source_state(self, pane_id: str, h: SourceHealth, wall_now: float) -> None:
        """Inside the pane, what its source's state means for the data (down, stale)."""
        data_age = h.age(wall_now)
        stale = age(data_age) if data_age is not None else None
        down = not h.up and h.error is not None
        if pane_id == "kubernetes":
            # a watch that is up is fresh however quiet it is: stale only when down, or past
            # its source's own limit if it has one
            limit = self.stale_after(h.name)
            old = down or (limit is not None and data_age is not None and data_age > limit)
            kube = self.query_one(KubernetesPane)
            kube.show_source(
                f"✖ kubernetes down: {h.error}" if down else None, stale if old else None
            )
        elif pane_id == "alerts":
            service = "prometheus" if h.name == "alerts" else h.name
            self.query_one(AlertsPane).show_source(service if down else None, stale)
        elif pane_id == "metrics":
            snap = self.snapshots.get(h.name)
            limit = self.stale_after(h.name)
            if snap is not None and (down or (limit is not None and (data_age or 0) > limit)):
                self.show_panels(snap)  # each tick while stale: the age moves

    def tick(self) -> None:
        """Refresh what ages or changes with the state: status line, source problems, tabs."""
        if not (self.panes_ready and self.is_attached):
            return
        now = self.session.clock()
        health = [self.health.get(s.name, s.health) for s in self.session.sources]
        self.show_source_problems(health)
        for pane in (AlertsPane, KubernetesPane, DeploysPane):
            # "since" and age cells move every second, not only when new data comes
            self.query_one(pane).refresh_ages(now)
        bar = self.query_one(StatusBar)
        status = render_status(
            self.controller.state,
            self.controller.actions.operator,
            health,
            now,
            wall_now=self.session.wall_clock(),
            viewers=self.viewers,
            stale_after={s.name: s.stale_after for s in self.session.sources},
            width=bar.content_region.width or None,  # never wraps: it shortens instead
            team=team.bar() if (team := self.controller.team_status()) else None,
        )
        # each line repaints only if its text changed
        bar.show(status)
        self.show_tabs()

    # -- the controller's listener: journal -> timeline, status, banner ------------------------

    def journal_event(self, event: Event) -> None:
        if self.panes_ready and self.is_attached:  # also: session.ended while closing
            self.query_one(TimelinePane).add(event)

    def state_changed(self) -> None:
        self.tick()
        if self.panes_ready and self.is_attached:
            # an acknowledgement from any cockpit on the incident shows on the alert's row
            self.query_one(AlertsPane).show_acks(self.controller.state.acks)

    def journal_problem(self, problem: str | None) -> None:
        # the banner, not a toast: retries of held changes update its count every few seconds
        if problem is None:
            self.set_banner("", "")
        else:
            self.set_banner(f"JOURNAL NOT WRITABLE: {problem}", "-error")

    def notice(self, text: str) -> None:
        self.notify(text, severity="warning", timeout=10, markup=False)

    def receipts_changed(self, ids: set[str]) -> None:
        if self.panes_ready and self.is_attached:
            self.query_one(TimelinePane).mark_late(self.controller.late_ids())

    def journal_failed(self, reason: str) -> None:
        self.app.exit(2)  # the launcher prints the reason as the run's one error line

    # -- performing actions ---------------------------------------------------------------------

    async def perform(
        self, coro: Any, *, quiet: bool = False, after_history: bool = True
    ) -> Event | None:
        """Await an action; toast only after the commit; refusals shown (and raised)."""
        try:
            event = await self.controller.perform(coro, after_history=after_history)
        except ActionRefused as exc:
            if not quiet:
                self.notify(str(exc), severity="warning", markup=False)
            raise
        if quiet:
            return event
        if event is not None:
            # as its timeline row reads (an amendment names its note by number, not by id)
            line = timeline_what(event, self.query_one(TimelinePane).numbers)
            self.notify(f"journaled #{event.seq}: {line}"[:200], markup=False)
        elif self.controller.journal_problem is not None:
            # what the operator just did was not recorded: said where they look, at once
            problem = self.controller.journal_problem
            self.notify(problem, severity="error", timeout=10, markup=False)
        return event

    def context_now(self) -> dict[str, Any]:
        """What the cockpit showed at this moment: stored with every operator action."""
        alerts = self.snapshots.get("alertmanager") or self.snapshots.get("alerts")
        firing = (
            [
                {
                    "alert": a.name,
                    "severity": a.severity,
                    "state": a.state,
                    "fingerprint": a.fingerprint,
                }
                for a in (alerts.alerts or ())
            ]
            if alerts
            else []
        )
        metrics, units = {}, {}
        for snap in self.snapshots.values():
            for series in snap.panels or ():
                metrics[series.panel.title] = series.latest
                if series.panel.unit:  # the exports humanise the values as the pane did
                    units[series.panel.title] = series.panel.unit
        context: dict[str, Any] = {"firing": firing, "metrics": metrics}
        if units:
            context["units"] = units
        selected = self.selected_item()
        if selected is not None:
            context["selected"] = {"pane": self.active_pane, "item": item_label(selected)}
        return context

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # while a prompt is open, its keys are typed text, not cockpit actions
        host: Any = self.app
        return not (host.prompt is not None and action in OPERATOR_ACTIONS)
