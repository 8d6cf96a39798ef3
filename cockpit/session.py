"""Everything one cockpit run needs, assembled by the launcher and handed to the app."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from cockpit.model import Panel
from cockpit.sources.base import Source
from cockpit.viewers import TmuxViewers

if TYPE_CHECKING:
    from cockpit.config import SigningConfig
    from cockpit.journal.store import Journal


class Session(msgspec.Struct):
    journal: Journal | None  # None: the app opens `journal_path` inside its own event loop
    incident: str
    operator: str
    journal_path: Path | None = None
    redact_secrets: bool = True  # [journal] redact in the config
    sources: list[Source] = msgspec.field(default_factory=list)
    panels: tuple[Panel, ...] = ()
    clock: Callable[[], float] = time.time  # story time: journal stamps, ages of alerts
    wall_clock: Callable[[], float] = time.time  # source health ages (differs in a fast demo)
    read_only: bool = False
    mode: str = "live"  # live, demo
    theme: str = "cockpit-dark"
    themes: dict[str, Any] = msgspec.field(default_factory=dict)  # name -> textual Theme
    tick_s: float = 1.0  # how often ages and the status bar refresh
    start_sources: bool = True  # tests drive sources by hand
    viewers: TmuxViewers | None = msgspec.field(default_factory=TmuxViewers)  # None: do not look
    notice: str | None = None  # said once at the start (e.g. an operator name from git)
    signing: SigningConfig | None = None  # [signing]: checkpoints signed with this SSH key
    team_url: str | None = None  # [team] url / COCKPIT_TEAM_URL: sync the journal there

    def source(self, name: str) -> Source | None:
        return next((s for s in self.sources if s.name == name), None)
