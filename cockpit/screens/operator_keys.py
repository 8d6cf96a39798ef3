"""The live cockpit's keys: each one asks what it needs, then is one call into actions.py.

A mixin of `LiveScreen`, kept apart so the screen's module is about showing, this one about
acting. Every decision (declared or not, current severity, who has the keyboard) is read from
the controller's state, which is folded from the journal, other processes' entries included.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from msgspec.structs import replace
from textual import work

from cockpit.actions import SILENCE_CHOICES, ActionRefused, parse_duration
from cockpit.files import safe_filename, write_atomic
from cockpit.journal import export as exporter
from cockpit.journal.events import NOTE_TYPES, ROLES, SEVERITIES, STATUSES
from cockpit.keymap import KEYMAP
from cockpit.kinds import describe, is_system, is_view
from cockpit.model import Event
from cockpit.panes.alerts import AlertsPane
from cockpit.panes.deploys import DeploysPane
from cockpit.panes.render import metric_label
from cockpit.panes.rowlist import RowList
from cockpit.panes.timeline import TimelinePane
from cockpit.screens.prompt_host import KeptText

if TYPE_CHECKING:
    from textual.widgets import Input

    from cockpit.actions import Actions
    from cockpit.incident import IncidentController
    from cockpit.screens.prompt_host import PromptHost

# what a prompt holds back while it is open: every operator key (typed text instead)
OPERATOR_ACTIONS = frozenset(k.action.partition("(")[0] for k in KEYMAP) - {"command_palette"}


class OperatorKeys:
    """Key actions of the live screen (mixed into LiveScreen, which provides the rest)."""

    controller: IncidentController
    active_pane: str

    # provided by LiveScreen / CockpitScreen / Textual
    app: Any
    notify: Any
    run_worker: Any
    query_one: Any
    selected_item: Any
    show_pane: Any
    focus_next: Any
    tick: Any
    perform: Any
    open_filter: Any
    submit_filter: Any
    clear_filter: Any
    apply_filter: Any

    @property
    def actions(self) -> Actions:
        return self.controller.actions

    @property
    def host(self) -> PromptHost:
        """The app opens prompts (on this screen) and routes their answers."""
        return self.app  # type: ignore[no-any-return]

    async def act(self, coro: Any) -> Event | None:
        with contextlib.suppress(ActionRefused):
            return await self.perform(coro)  # type: ignore[no-any-return]
        return None

    async def breadcrumb(self, kind: str, **data: Any) -> None:
        """A view.* entry: what the responder looked at (never worth a toast)."""
        with contextlib.suppress(ActionRefused):
            await self.perform(self.actions.view(kind, **data), quiet=True)

    # -- the incident ------------------------------------------------------------------------

    async def action_declare(self) -> None:
        state = self.controller.state
        title = "Retitle the incident" if state.declared else "Declare the incident: title"
        kept = self.drafts.pop("declare", None)  # a title that was refused comes back
        await self.host.ask_text(
            title,
            self._declare,
            value=kept.text if kept else state.title,
            placeholder="e.g. checkout 5xx after deploy",
            problem=kept.problem if kept else "",
        )

    async def _declare(self, title: str | None) -> None:
        if title is not None:
            await self.journal_typed("declare", self.actions.declare(title), ("", title), "i")

    async def action_severity(self) -> None:
        current = self.controller.state.severity
        await self.host.ask_choice("Severity", SEVERITIES, self._severity, current=current)

    async def _severity(self, value: str | None) -> None:
        if value:
            await self.act(self.actions.set_severity(value))

    async def action_status(self) -> None:
        current = self.controller.state.status
        await self.host.ask_choice("Status", STATUSES, self._status, current=current)

    async def _status(self, value: str | None) -> None:
        if value:
            await self.act(self.actions.set_status(value))

    async def action_note(self) -> None:
        kept = self.drafts.pop("note", None)
        if kept is None:
            await self.host.ask_note(NOTE_TYPES, self._note)
        else:  # the text of a refused note comes back, with why it was not journaled
            await self.host.ask_note(
                NOTE_TYPES, self._note, text=kept.text, note_type=kept.type, problem=kept.problem
            )

    async def _note(self, value: tuple[str, str] | None) -> None:
        if value:
            note_type, text = value
            await self.journal_typed("note", self.actions.add_note(note_type, text), value, "n")

    async def action_amend(self) -> None:
        note = self.query_one(TimelinePane).selected()
        if note is None or note.kind not in ("note.added", "note.amended"):
            self.notify("select a note in the timeline (5) to amend it", severity="warning")
            return
        slot = f"amend {note.id}"

        async def amend(value: tuple[str, str] | None) -> None:
            if value is not None:
                amending = self.actions.amend_note(note, value[1])
                await self.journal_typed(slot, amending, value, f"m on note #{note.seq}")

        kept = self.drafts.pop(slot, None)
        await self.host.ask_note(
            (),
            amend,
            title=f"Amend note #{note.seq} (the original stays in the journal)",
            text=kept.text if kept else str(note.data.get("text", "")),
            problem=kept.problem if kept else "",
        )

    async def journal_typed(
        self, slot: str, action: Any, typed: tuple[str, str], again: str
    ) -> Event | None:
        """Journal what the operator typed. If it was not journaled (refused, read-only, the
        journal not writable), nothing typed is lost: the text is kept in `slot` and the
        next `again` key opens the prompt with it and the reason."""
        problem = None
        try:
            event = await self.perform(action)
        except ActionRefused as exc:
            event, problem = None, str(exc)
        else:
            if event is None:
                problem = self.controller.journal_problem or "the journal could not be written"
        note_type, text = typed
        if problem is not None and text.strip():
            self.drafts[slot] = KeptText(note_type, text, problem)
            self.notify(f"your text is kept: {again} brings it back", timeout=10, markup=False)
        return event

    @property
    def drafts(self) -> dict[str, KeptText]:
        """Typed text that was not journaled, kept by the app (it outlives this screen)."""
        return self.host.kept

    async def action_role(self) -> None:
        await self.host.ask_choice("Assign which role?", ROLES, self._role)

    async def _role(self, role: str | None) -> None:
        if not role:
            return

        async def assign(name: str | None) -> None:
            if name is not None:
                await self.act(self.actions.assign_role(role, name))

        await self.host.ask_text(f"Who is {role}?", assign, value=self.actions.operator)

    async def action_handoff(self) -> None:
        await self.host.ask_text("Hand the keyboard to", self._handoff, placeholder="operator name")

    async def _handoff(self, name: str | None) -> None:
        if name:
            await self.act(self.actions.handoff(name))
            self.tick()

    # -- alerts --------------------------------------------------------------------------------

    def _selected_alert(self) -> Any:
        return self.query_one(AlertsPane).selected()

    async def action_ack(self) -> None:
        await self.act(self.actions.acknowledge(self._selected_alert()))

    def _alert_to_silence(self) -> Any:
        """The selected alert, or None after saying why it cannot be silenced here."""
        problem = self.actions.silencing_problem()
        if problem is not None:  # said before any duration is asked
            self.notify(problem, severity="warning", markup=False)
            return None
        alert = self._selected_alert()
        if alert is None:
            self.notify("no alert selected: press 1 and pick one", severity="warning")
        return alert

    async def action_silence(self) -> None:
        alert = self._alert_to_silence()
        if alert is not None:
            self.run_silence(alert)

    @work(exclusive=True, group="silence")
    async def run_silence(self, alert: Any) -> None:
        """An alert already muted is offered an extension, not a second, identical silence."""
        from cockpit.screens.prompts import ChoicePrompt
        from cockpit.screens.silence_prompt import SilencePrompt

        try:
            covering = await self.actions.covering_silence(alert)
        except ActionRefused:
            covering = None  # Alertmanager unreachable: the attempt is journaled as failed
        if covering is not None:
            title = (
                f"{alert.name} is already silenced by {covering.id[:8]} until "
                f"{covering.ends_at[11:16]} UTC. Extend that silence by"
            )
            duration = await self.host.ask_wait(ChoicePrompt(title, SILENCE_CHOICES))
            if duration:
                await self.act(self.actions.extend_silence(alert, duration))
            return
        prompt = SilencePrompt(alert, self.actions.silence_comment(), parse_duration)
        answer = await self.host.ask_wait(prompt)
        if answer is not None:
            await self.act(
                self.actions.silence(alert, answer.duration, answer.comment, answer.drop)
            )

    async def action_extend_silence(self) -> None:
        alert = self._alert_to_silence()
        if alert is None:
            return

        async def extend(duration: str | None) -> None:
            if duration:
                await self.act(self.actions.extend_silence(alert, duration))

        await self.host.ask_choice(
            f"Extend the silence of {alert.name} by", SILENCE_CHOICES, extend
        )

    async def action_expire_silence(self) -> None:
        alert = self._alert_to_silence()
        if alert is not None:
            await self.act(self.actions.expire_silence(alert))

    # -- remediation ---------------------------------------------------------------------------

    def action_rollback(self) -> None:
        self.run_remediation("rollback")

    def action_restart(self) -> None:
        self.run_remediation("restart")

    async def action_scale(self) -> None:
        deploy = self.query_one(DeploysPane).selected()

        def scale(text: str | None) -> None:
            if text is None:
                return
            if not text.strip().isdigit():
                self.notify("replicas must be a whole number, e.g. 3", severity="warning")
                return
            self.run_remediation("scale", replicas=int(text))

        name = f"{deploy.namespace}/{deploy.deployment}" if deploy else "the selected deploy"
        await self.host.ask_text(f"Scale {name} to how many replicas?", scale)

    @work(exclusive=True, group="remediation")
    async def run_remediation(self, action: str, **params: Any) -> None:
        """Dry run, show exactly what changes, confirm, then act through actions.py."""
        deploy = self.query_one(DeploysPane).selected()
        try:
            plan = await self.actions.plan_remediation(action, deploy, **params)
        except ActionRefused as exc:
            self.notify(str(exc), severity="warning", markup=False)
            return
        confirmed = await self.host.confirm(
            f"{action.capitalize()}? This changes production.", plan
        )
        if confirmed and deploy is not None:
            self.notify(f"{action} in progress…", markup=False)
            await self.act(self.actions.remediate(action, deploy, plan, **params))

    # -- evidence and export -------------------------------------------------------------------

    async def action_pin(self) -> None:
        item = self.selected_item()
        label = item_label(item) if item is not None else ""
        await self.act(self.actions.pin(self.active_pane, label))

    # -- logs --------------------------------------------------------------------------------

    async def action_logs(self) -> None:
        from cockpit.screens.logs import LogScreen, subject_for, title_of  # imported when opened
        from cockpit.sources.base import LogReader

        reader = self.app.session.source("kubernetes")
        if not isinstance(reader, LogReader):
            self.notify(
                "logs need the Kubernetes source: add a [kubernetes] section or set KUBECONFIG",
                severity="warning",
                markup=False,
            )
            return
        snap = getattr(self, "snapshots", {}).get("kubernetes")
        subject = subject_for(self.selected_item(), (snap.pods if snap else None) or ())
        if isinstance(subject, str):
            self.notify(subject, severity="warning", markup=False)
            return
        self.app.push_screen(LogScreen(reader, subject, pin=self.pin_log_lines))
        await self.breadcrumb(
            "view.logs",
            target=f"{subject.namespace}/{subject.name}",
            pods=list(subject.pods),
            title=title_of(subject, previous=False),
        )

    async def pin_log_lines(self, detail: dict[str, Any]) -> bool:
        """`p` in the log view: the line(s) as evidence; True once journaled."""
        what = detail.pop("what")
        item = detail.pop("item")
        return await self.act(self.actions.pin(what, item, detail)) is not None

    async def action_export(self) -> None:
        await self.host.ask_choice("Export the timeline as", exporter.FORMATS, self._export)

    async def _export(self, fmt: str | None) -> None:
        if not fmt:
            return
        incident = self.controller.incident
        # an export states the journal there and then, and carries that checkpoint, as
        # `cockpit export` does: `verify --checkpoint FILE` catches a later cut
        checkpointer = self.controller.checkpointer
        checkpoint = await checkpointer.write_now() if checkpointer is not None else None
        exported = await exporter.render_export(
            self.controller.journal,
            incident,
            fmt,
            checkpoint=checkpoint,
            signing=checkpointer.signing if checkpointer is not None else None,
        )
        if exported.unsigned:
            self.notify(exported.unsigned, severity="warning", markup=False)
        text = exported.text
        # in this folder whatever the id holds ("/", "..", controls), whole or not at all
        path = Path.cwd() / f"{safe_filename(incident)}.{fmt}"
        try:
            write_atomic(path, text)
        except OSError as exc:
            self.notify(f"cannot write {path}: {exc.strerror}", severity="error", markup=False)
            return
        await self.act(self.actions.exported(fmt, str(path)))

    # -- looking around ------------------------------------------------------------------------

    async def action_detail(self) -> None:
        item = self.selected_item()
        if item is None:
            return
        await self.breadcrumb("view.detail", pane=self.active_pane, item=item_label(item))
        if self.active_pane == "metrics":
            from cockpit.journal.gaps import outages
            from cockpit.screens.chart import ChartScreen  # plotext only when a chart is opened

            events = self.query_one(TimelinePane).events
            series = self.chart_series(item)
            self.app.push_screen(ChartScreen(series, self.chart_markers(), outages(events)))
        else:
            from cockpit.screens.detail import DetailScreen  # imported when first opened

            extra = self.controller.receipt_lines(item) if isinstance(item, Event) else []
            self.app.push_screen(DetailScreen(item_label(item), item, extra="\n".join(extra)))

    async def on_row_list_selected(self, event: RowList.Selected) -> None:
        event.stop()
        await self.action_detail()

    def chart_markers(self) -> list[Any]:
        """Deploys and operator actions, as numbered marks on a metric's chart."""
        from cockpit.screens.chart import ChartMarker

        timeline = self.query_one(TimelinePane)
        marks = []
        for event in timeline.events:
            deploy = event.kind == "system.deploy"
            if deploy or is_chart_marker(event.kind):
                at = event.moment.timestamp()
                text = describe(event.kind, event.data)
                marks.append(ChartMarker(at, event.seq, event.actor, text, deploy))
        return marks

    def chart_series(self, item: Any) -> Any:
        """The panel with everything its source saw since the start (the baseline fetched
        then included), when the source keeps it and the panel is one line."""
        source = self.app.session.source("prometheus")
        history = getattr(source, "chart_points", None)
        if history is None or item.series_count > 1:
            return item
        points = history(item.panel.title)
        return replace(item, points=points) if points else item

    async def action_filter(self) -> None:
        await self.open_filter()

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "filter":
            return
        event.stop()
        pane = self.active_pane
        self.submit_filter(event.input, event.value)
        await self.breadcrumb("view.filter", pane=pane, text=event.value)

    def action_clear_filter(self) -> None:
        self.clear_filter()

    def action_toggle_views(self) -> None:
        shown = self.query_one(TimelinePane).toggle_views()
        self.notify("view.* entries shown" if shown else "view.* entries hidden")

    def action_focus_next(self) -> None:
        self.focus_next()

    def action_focus_pane(self, pane: str) -> None:
        self.show_pane(pane)

    def action_help(self) -> None:
        from cockpit.screens.help import HelpScreen  # imported when first opened

        self.app.push_screen(HelpScreen())

    async def action_quit(self) -> None:
        await self.app.leave("quit", 0)


def is_chart_marker(kind: str) -> bool:
    """Operator actions (and exports) mark a chart; the cockpit's and the sources' own
    entries and the breadcrumbs do not."""
    return not (is_system(kind) or is_view(kind))


def item_label(item: Any) -> str:
    """A short, stable name for a selected item, stored in the journal."""
    key = getattr(item, "key", None)
    if isinstance(key, str):
        return key
    if hasattr(item, "panel"):
        return metric_label(item)
    if hasattr(item, "fingerprint"):
        labels = " ".join(f"{k}={v}" for k, v in sorted(item.labels.items()))
        return f"{item.name} {{{labels}}}"
    if hasattr(item, "reason") and hasattr(item, "object"):
        return f"{item.reason} {item.namespace}/{item.object}"
    if hasattr(item, "seq"):
        return f"#{item.seq} {item.kind}"
    return str(item)
