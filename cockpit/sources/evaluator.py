"""Is the rule evaluator (Prometheus) down, or just back? Resolutions then may be artefacts.

Alertmanager calls an alert resolved when Prometheus stops re-sending it; Prometheus stops
when it is down, and after a restart its `for:` clocks start again. An alert that "resolves"
then says nothing about the service, so the system.alert.resolved entry carries
`artefact` ("while prometheus was down", "just after prometheus came back") and the
timeline and the exports say "may be an artefact".
"""

from __future__ import annotations

import time

from msgspec.structs import replace

from cockpit.model import SourceHealth, SystemChange
from cockpit.sources.base import Clock

# How long after the evaluator came back a resolution is still suspect: Alertmanager's
# default resolve_timeout, and longer than Prometheus's 4 x resend-delay (1m) of validity.
ARTEFACT_WINDOW_S = 300.0
ALERT_SOURCES = frozenset({"alertmanager", "alerts"})  # the sources whose resolutions count


class EvaluatorWatch:
    """Follows one source's health (the rule evaluator) and flags resolutions seen while it
    was down or within `window_s` of its return."""

    def __init__(
        self,
        name: str = "prometheus",
        *,
        clock: Clock = time.time,
        window_s: float = ARTEFACT_WINDOW_S,
    ) -> None:
        self.name = name
        self.clock = clock
        self.window_s = window_s
        self.down_since: float | None = None
        self.back_at: float | None = None

    def on_health(self, health: SourceHealth) -> None:
        if not health.up:
            if self.down_since is None:
                self.down_since = self.clock()
        elif self.down_since is not None:
            self.down_since = None
            self.back_at = self.clock()

    def artefact(self) -> str | None:
        """Why a resolution now may be the monitoring's doing, or None."""
        if self.down_since is not None:
            return f"while {self.name} was down"
        if self.back_at is not None and self.clock() - self.back_at < self.window_s:
            return f"just after {self.name} came back"
        return None

    def flag(self, change: SystemChange) -> SystemChange:
        if change.kind != "system.alert.resolved":
            return change
        why = self.artefact()
        if why is None:
            return change
        return replace(change, data={**change.data, "artefact": why})
