"""One function per operator action: validate, act on the world if needed, journal.

Only this module both changes the world (silence, rollback) and writes the journal. The UI
confirms an action only after the append committed, so every method returns the stored Event.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from cockpit.identifiers import IdentifierError, operator_name
from cockpit.journal.errors import VersionConflict
from cockpit.journal.events import NOTE_TYPES, ROLES, SEVERITIES, STATUSES, PayloadError
from cockpit.journal.limits import fit
from cockpit.journal.projection import IncidentState, apply
from cockpit.model import (
    Alert,
    Deploy,
    Draft,
    Event,
    Silence,
    SystemChange,
    format_ts,
    parse_ts,
    uuid7,
)
from cockpit.sources.base import NO_ALERTMANAGER, ActionError, Remediator, Silencer

if TYPE_CHECKING:  # the store is loaded after the first frame, with the journal
    from cockpit.journal.store import Journal

ContextProvider = Callable[[], dict[str, Any]]
Decision = tuple[str, dict[str, Any]]  # the kind and payload an action chose to journal
# how often an action is re-decided when another process appended first. Each round is one
# read and one append (a few ms); another cockpit writing ~55 entries/s into the same incident
# (bench/keypress.py's filler) beat 5 rounds in a row 2 times in 600, so 20 rounds leave
# a refusal only to an incident that changes many times in every millisecond
MAX_ATTEMPTS = 20
SILENCE_CHOICES = ("15m", "30m", "1h", "2h", "4h", "8h", "24h")
_DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _operator_name(name: str) -> str:
    """A typed operator name, held to the policy of every name that becomes an actor."""
    try:
        return operator_name(name, what="the name")
    except IdentifierError as exc:
        raise ActionRefused(str(exc)) from None


class ActionRefused(Exception):
    """The action was not carried out; the message says why (shown as is)."""


class JournalUnavailable(Exception):
    """The journal could not be written: nothing was recorded."""


class IncidentView(Protocol):
    """The incident as folded from the journal, other processes' entries included."""

    @property
    def state(self) -> IncidentState: ...

    async def catch_up(self) -> None:
        """Fold the entries appended since the state was last brought up to date."""


class _FoldOnDemand:
    """No controller (a script, a test): the journal is folded when a decision was stale."""

    def __init__(self, actions: Actions) -> None:
        self._actions = actions
        self.state = IncidentState(id=actions.incident)
        self._seq = 0

    async def catch_up(self) -> None:
        journal = self._actions.journal
        for event in await journal.events(self.state.id, after_seq=self._seq):
            self._seq = event.seq
            self.state = apply(self.state, event)


def parse_duration(text: str) -> int:
    """'90m' -> 5400 seconds; bounds keep a typo from silencing an alert for a year."""
    m = _DURATION.match(text)
    if not m:
        raise ActionRefused(f"duration {text!r} not understood: use e.g. 30m, 2h or 1d")
    seconds = int(m.group(1)) * _UNIT_S[m.group(2)]
    if not 60 <= seconds <= 7 * 86400:
        raise ActionRefused("a silence must last between 1m and 7d")
    return seconds


class Actions:
    """Every operator action, each ending in one journal append (a service, not a value)."""

    def __init__(
        self,
        journal: Journal,
        incident: str,
        operator: str,
        context: ContextProvider = dict,
        clock: Callable[[], float] = time.time,
        read_only: bool = False,
        silencer: Silencer | None = None,
        remediator: Remediator | None = None,
    ) -> None:
        self.journal = journal
        self.incident = incident
        self.context = context
        self.clock = clock
        self.read_only = read_only
        self.silencer = silencer
        self.remediator = remediator
        self.folded: IncidentView = _FoldOnDemand(self)  # the controller replaces it
        self._operator = operator
        self.session_id = uuid7()[-12:]

    @property
    def operator(self) -> str:
        """Who has this cockpit's keyboard: folded from the journal (handoffs included)."""
        return self.folded.state.sessions.get(self.session_id, self._operator)

    # -- the journal write every action ends with --------------------------------------------

    async def record(
        self,
        kind: str,
        data: dict[str, Any],
        *,
        actor: str | None = None,
        context: dict[str, Any] | None = None,
        once: bool = False,
        expected_version: int | None = None,
        at: float | None = None,
        presence: bool = False,
    ) -> Event:
        # a read-only watcher leaves no trace but its presence, not even view breadcrumbs
        if not presence:
            self._writable(f"record {kind}")
        draft = Draft(
            incident=self.incident,
            kind=kind,
            actor=actor or self.operator,
            data=data,
            context=self.context() if context is None else context,
            ts=format_ts_epoch(self.clock() if at is None else at),
        )
        try:
            if once:
                return await self.journal.append_once(draft)  # type: ignore[return-value]
            return await self.journal.append(draft, expected_version=expected_version)
        except PayloadError as exc:
            raise ActionRefused(str(exc)) from None
        except VersionConflict:
            raise  # the decision is stale: decide() folds the news and decides again
        except self.journal.write_errors as exc:
            raise JournalUnavailable(f"journal not written ({exc}): nothing was recorded") from None

    async def decide(self, choose: Callable[[IncidentState], Decision]) -> Event:
        """Journal what `choose` decides from the incident's current state, appended with
        `expected_version`: if another process appended first, fold its entries and decide
        again, so a race is never journaled twice (e.g. two `incident.declared`)."""
        for _ in range(MAX_ATTEMPTS):
            state = self.folded.state
            kind, data = choose(state)
            try:
                return await self.record(kind, data, expected_version=state.version)
            except VersionConflict:
                await self.folded.catch_up()
        raise ActionRefused(
            f"the incident changed {MAX_ATTEMPTS} times while this was being journaled: "
            "nothing was recorded, try again"
        )

    def _writable(self, what: str) -> None:
        if self.read_only:
            raise ActionRefused(f"read-only session: cannot {what} (restart without --read-only)")

    # -- session -----------------------------------------------------------------------------

    # A session's start and end are journaled for watchers (--read-only) too, marked as such:
    # who watched is part of the record (the postmortem's Operators), though they act on nothing.

    def _session(self, **data: Any) -> dict[str, Any]:
        data["session"] = self.session_id
        if self.read_only:
            data["read_only"] = True
        return data

    async def session_started(self, mode: str) -> Event:
        return await self.record("session.started", self._session(mode=mode), presence=True)

    async def session_ended(self, reason: str = "quit") -> Event:
        return await self.record("session.ended", self._session(reason=reason), presence=True)

    async def system_change(
        self, change: SystemChange, observed: float | None = None
    ) -> Event | None:
        """Journal what a source saw, once per incident even with several cockpits open, at
        the moment it was observed (a journal outage may have held it back)."""
        # what a source reports may be huge (a 5 MB alert annotation): cut, never dropped
        data = fit({**change.data, "key": change.key})
        return await self.record(change.kind, data, actor=change.source, once=True, at=observed)

    async def changes_lost(self, count: int, since: float) -> Event:
        """Say in the record that observed changes were lost (more held than the bound)."""
        data = {"count": count, "since": format_ts_epoch(since)}
        return await self.record("system.changes.lost", data, actor="cockpit")

    # -- incident ------------------------------------------------------------------------------

    async def declare(self, title: str) -> Event:
        self._writable("declare the incident")
        title = " ".join(title.split())
        if not title:
            raise ActionRefused("the title is empty: describe the impact, e.g. 'checkout 5xx'")
        return await self.decide(
            lambda state: (
                "incident.retitled" if state.declared else "incident.declared",
                {"title": title},
            )
        )

    async def set_severity(self, severity: str) -> Event:
        self._writable("change the severity")
        severity = severity.strip().upper()
        if severity not in SEVERITIES:
            raise ActionRefused(f"severity must be one of {', '.join(SEVERITIES)}")
        return await self.decide(lambda _: ("severity.changed", {"severity": severity}))

    async def set_status(self, status: str) -> Event:
        self._writable("change the status")
        status = status.strip().lower()
        if status not in STATUSES:
            raise ActionRefused(f"status must be one of {', '.join(STATUSES)}")
        return await self.decide(lambda _: ("status.changed", {"status": status}))

    async def add_note(self, note_type: str, text: str) -> Event:
        self._writable("add a note")
        if note_type not in NOTE_TYPES:
            raise ActionRefused(f"note type must be one of {', '.join(NOTE_TYPES)}")
        text = note_text(text)
        if not text:
            raise ActionRefused("the note is empty")
        return await self.record("note.added", {"type": note_type, "text": text})

    async def amend_note(self, original: Event | None, text: str) -> Event:
        """A correction that points at the original: the journal never erases."""
        self._writable("amend a note")
        if original is None or original.kind not in ("note.added", "note.amended"):
            raise ActionRefused("select a note in the timeline (5) to amend it")
        text = note_text(text)
        if not text:
            raise ActionRefused("the amended text is empty")
        # amending an amendment corrects the same original note
        target = (
            original.data.get("amends", original.id)
            if original.kind == "note.amended"
            else original.id
        )
        return await self.record("note.amended", {"amends": target, "text": text})

    async def assign_role(self, role: str, operator: str) -> Event:
        self._writable("assign a role")
        if role not in ROLES:
            raise ActionRefused(f"role must be one of {', '.join(ROLES)}")
        holder = _operator_name(operator) if operator.strip() else ""
        return await self.decide(
            lambda _: ("role.assigned", {"role": role, "operator": holder or self.operator})
        )

    async def handoff(self, to: str) -> Event:
        self._writable("hand over the keyboard")
        to = to.strip()
        if not to:
            raise ActionRefused("name the operator taking the keyboard")
        to = _operator_name(to)

        def hand_over(state: IncidentState) -> Decision:
            current = state.sessions.get(self.session_id, self._operator)
            if to == current:
                raise ActionRefused(f"{to} already has the keyboard")
            return "operator.handoff", {"to": to, "from": current, "session": self.session_id}

        event = await self.decide(hand_over)
        self._operator = to  # also when session.started never made it into the journal
        return event

    # -- alerts ----------------------------------------------------------------------------------

    async def acknowledge(self, alert: Alert | None) -> Event:
        self._writable("acknowledge alerts")
        if alert is None:
            raise ActionRefused("no alert selected: move to the alerts pane (1) and pick one")
        return await self.record(
            "alert.acknowledged", {"alert": alert.name, "fingerprint": alert.fingerprint}
        )

    def silencing_problem(self) -> str | None:
        """Why this cockpit cannot silence at all (said before a duration is asked)."""
        if self.silencer is None or not getattr(self.silencer, "can_silence", True):
            return NO_ALERTMANAGER
        return None

    def silence_comment(self) -> str:
        """The comment a new silence starts with: the incident and who asked (amtool's -c)."""
        return f"{self.incident} {self.operator} via cockpit"

    async def covering_silence(self, alert: Alert) -> Silence | None:
        """The active silence that already mutes this alert, the latest-ending one."""
        silencer = self._silencer()
        try:
            silences = await silencer.active_silences()
        except ActionError as exc:
            raise ActionRefused(str(exc)) from None
        covering = [s for s in silences if s.id in alert.silenced_by or s.covers(alert.labels)]
        return max(covering, key=lambda s: s.ends_at) if covering else None

    def _silencer(self) -> Silencer:
        problem = self.silencing_problem()
        if problem is not None or self.silencer is None:
            raise ActionRefused(problem or NO_ALERTMANAGER)
        return self.silencer

    async def silence(
        self,
        alert: Alert | None,
        duration: str,
        comment: str | None = None,
        drop: frozenset[str] | set[str] = frozenset(),
    ) -> Event:
        """Create a silence on the alert's labels but `drop`, exact matchers (as amtool and
        the Alertmanager UI make them). Refused when a silence already mutes the alert: that
        one is extended instead. A silence Alertmanager refuses is journaled as failed."""
        self._writable("silence alerts")
        if alert is None:
            raise ActionRefused("no alert selected: move to the alerts pane (1) and pick one")
        silencer = self._silencer()
        seconds = parse_duration(duration)
        matchers = {k: v for k, v in sorted(alert.labels.items()) if k not in drop}
        if not matchers:
            raise ActionRefused("keep at least one label: a silence without matchers mutes all")
        text = " ".join((comment if comment is not None else self.silence_comment()).split())
        if not text:
            raise ActionRefused("a silence needs a comment: say why (the incident id will do)")
        covering = await self._covering_or_none(alert)
        if covering is not None:
            raise ActionRefused(
                f"{alert.name} is already silenced by {covering.id} until "
                f"{covering.ends_at[11:16]} UTC: extend that silence instead (E)"
            )
        try:
            silence_id = await silencer.silence(alert, seconds, text, self.operator, matchers)
        except ActionError as exc:
            await self._silence_failed(alert, "create", str(exc))
            raise ActionRefused(str(exc)) from None
        return await self.record(
            "alert.silenced",
            {
                "alert": alert.name,
                "fingerprint": alert.fingerprint,
                "duration": duration.strip(),
                "silence_id": silence_id,
                "matchers": matchers,
                "comment": text,
                "ends_at": format_ts_epoch(self.clock() + seconds),
            },
            context=self._silenced_context(alert),
        )

    async def _covering_or_none(self, alert: Alert) -> Silence | None:
        try:
            return await self.covering_silence(alert)
        except ActionRefused:
            return None  # Alertmanager unreachable: creating says so (and is journaled)

    def _silenced_context(self, alert: Alert) -> dict[str, Any]:
        """The evidence after the action: the alert just silenced is no longer firing."""
        context = self.context()
        firing = context.get("firing")
        if isinstance(firing, list):
            context = {
                **context,
                "firing": [
                    {**item, "state": "silenced"}
                    if isinstance(item, dict)
                    and item.get("alert") == alert.name
                    and item.get("fingerprint", alert.fingerprint) == alert.fingerprint
                    else item
                    for item in firing
                ],
            }
        return context

    async def _silence_failed(self, alert: Alert, action: str, error: str) -> None:
        """Journal that Alertmanager did not do it, and why (the attempt is part of the record)."""
        with contextlib.suppress(JournalUnavailable):
            await self.record(
                "alert.silence.failed",
                {
                    "alert": alert.name,
                    "fingerprint": alert.fingerprint,
                    "action": action,
                    "error": error,
                },
            )

    async def extend_silence(self, alert: Alert | None, duration: str) -> Event:
        """Move the end of the silence muting the alert `duration` later (POST with its id)."""
        self._writable("extend silences")
        if alert is None:
            raise ActionRefused("no alert selected: move to the alerts pane (1) and pick one")
        silencer = self._silencer()
        seconds = parse_duration(duration)
        silence = await self.covering_silence(alert)
        if silence is None:
            raise ActionRefused(f"{alert.name} is not silenced: silence it with x")
        ends = max(self.clock(), _epoch(silence.ends_at) or self.clock()) + seconds
        try:
            new_id = await silencer.extend_silence(silence, ends, self.operator)
        except ActionError as exc:
            await self._silence_failed(alert, "extend", str(exc))
            raise ActionRefused(str(exc)) from None
        data: dict[str, Any] = {
            "silence_id": new_id,
            "alert": alert.name,
            "fingerprint": alert.fingerprint,
            "duration": duration.strip(),
            "ends_at": format_ts_epoch(ends),
            "previous_ends_at": silence.ends_at,
        }
        if new_id != silence.id:
            data["replaces"] = silence.id  # Alertmanager replaced rather than updated it
        return await self.record("alert.silence.extended", data)

    async def expire_silence(self, alert: Alert | None) -> Event:
        """End the silence muting the alert now (DELETE /api/v2/silence/ID)."""
        self._writable("expire silences")
        if alert is None:
            raise ActionRefused("no alert selected: move to the alerts pane (1) and pick one")
        silencer = self._silencer()
        silence = await self.covering_silence(alert)
        if silence is None:
            raise ActionRefused(f"{alert.name} is not silenced: nothing to expire")
        try:
            await silencer.expire_silence(silence.id)
        except ActionError as exc:
            await self._silence_failed(alert, "expire", str(exc))
            raise ActionRefused(str(exc)) from None
        return await self.record(
            "alert.silence.expired",
            {"silence_id": silence.id, "alert": alert.name, "fingerprint": alert.fingerprint},
        )

    # -- remediation -----------------------------------------------------------------------------

    async def plan_remediation(self, action: str, deploy: Deploy | None, **params: Any) -> str:
        """Server-side dry run of rollback, restart or scale: exactly what would change."""
        self._writable(f"{action} workloads")
        if deploy is None:
            raise ActionRefused("no deploy selected: move to the deploys pane (4) and pick one")
        if self.remediator is None:
            raise ActionRefused(f"{action} needs Kubernetes: set [kubernetes] in the config")
        if action not in self.remediator.remediations:
            raise ActionRefused(f"{action} is not supported by this source")
        try:
            return await self.remediator.plan(action, deploy, **params)
        except ActionError as exc:
            raise ActionRefused(str(exc)) from None

    async def remediate(self, action: str, deploy: Deploy, plan: str, **params: Any) -> Event:
        """Journal the request first, then act, then journal the outcome with the API status."""
        self._writable(f"{action} workloads")
        remediator = self.remediator
        if remediator is None:
            raise ActionRefused(f"{action} needs Kubernetes: set [kubernetes] in the config")
        if action not in remediator.remediations:
            raise ActionRefused(f"{action} is not supported by this source")
        target = f"{deploy.namespace}/{deploy.deployment}"
        base = {"action": action, "target": target, "revision": deploy.revision, **params}
        await self.record("remediation.requested", {**base, "plan": plan})
        try:
            status = await remediator.apply(action, deploy, **params)
        except ActionError as exc:
            await self.record("remediation.failed", {**base, "error": str(exc)})
            raise ActionRefused(f"{action} failed: {exc}") from None
        return await self.record("remediation.succeeded", {**base, "status": status})

    # -- evidence, export, view ------------------------------------------------------------------

    async def pin(self, what: str, item: str, detail: dict[str, Any] | None = None) -> Event:
        self._writable("pin evidence")
        if not item:
            raise ActionRefused("nothing selected to pin")
        return await self.record("evidence.pinned", {"what": what, "item": item, **(detail or {})})

    async def exported(self, fmt: str, path: str) -> Event:
        return await self.record("export.created", {"format": fmt, "path": path})

    async def view(self, kind: str, **data: Any) -> Event:
        """view.* events: cheap breadcrumbs of what the responder looked at (also read-only)."""
        return await self.record(kind, data)


def note_text(text: str) -> str:
    """A note as journaled: every line kept (a pasted log excerpt), line endings as "\n"
    whatever the clipboard used, no blank lines around it."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def format_ts_epoch(epoch: float) -> str:
    return format_ts(datetime.fromtimestamp(epoch, UTC))


def _epoch(ts: str) -> float | None:
    try:
        return parse_ts(ts).timestamp()
    except (ValueError, TypeError):
        return None
