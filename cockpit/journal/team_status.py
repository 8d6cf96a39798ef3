"""Where the team sync stands, as the status bar and `cockpit team status` show it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class TeamStatus:
    """What the status bar and `cockpit team status` show."""

    url: str  # masked
    online: bool = False
    queued: int = 0
    offline_since: float | None = None  # epoch seconds
    last_push: float | None = None
    last_pull: float | None = None
    server_head: int | None = None
    error: str = ""

    def bar(self) -> str:
        """One short line: `team: online`, `team: offline, N queued (since HH:MM)`, or
        `team: connecting` before the first answer or failure."""
        if self.online:
            return "team: online" + (f", {self.queued} queued" if self.queued else "")
        if self.offline_since is None:
            return "team: connecting"
        return f"team: offline, {self.queued} queued (since {_hhmm(self.offline_since)})"


def _hhmm(epoch: float) -> str:
    return datetime.fromtimestamp(epoch).astimezone().strftime("%H:%M")
