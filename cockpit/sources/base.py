"""The Source contract shared by the demo and the real Prometheus/Alertmanager/Kubernetes sources.

A source runs as one asyncio task, fetches (poll or watch), and publishes immutable Snapshots
plus its health. It never raises into the app: a failure becomes health.error and, once per
outage, a system.source.down change. Blocking clients run in worker threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any, Literal, Protocol, runtime_checkable

from msgspec.structs import replace

from cockpit.model import (
    Alert,
    ContainerInfo,
    Deploy,
    LogLine,
    LogTarget,
    Silence,
    Snapshot,
    SourceHealth,
    SystemChange,
)
from cockpit.sources.changes import ChangeTracker
from cockpit.sources.errors import one_line

Clock = Callable[[], float]
NO_ALERTMANAGER = (
    "silencing needs Alertmanager: set [alertmanager] url in the config or ALERTMANAGER_URL"
)
SnapshotListener = Callable[[Snapshot], None]
ChangeListener = Callable[[SystemChange], None]
HealthListener = Callable[[SourceHealth], None]


class SourceError(Exception):
    """A fetch failed; the message is shown to the user as is (one line, how to fix)."""


class ActionError(Exception):
    """A remediation or silence failed or is not possible; message shown as is."""


class Source:
    """Base class: subclasses implement `fetch()` (polling) or override `run()` (watching)."""

    name = "source"

    def __init__(self, *, interval: float = 5.0, clock: Clock = time.time) -> None:
        self.interval = interval
        self.clock = clock
        self.health = SourceHealth(name=self.name)
        self.latest: Snapshot | None = None
        self._snapshot_listeners: list[SnapshotListener] = []
        self._change_listeners: list[ChangeListener] = []
        self._health_listeners: list[HealthListener] = []
        self._task: asyncio.Task[None] | None = None
        self._was_down = False
        self._tracker = ChangeTracker(self.name)
        # set by fetch() when it got an answer but not a whole one ("degraded: 4/5 queries
        # timed out"): the source stays up and its health carries this as the error
        self.problem: str | None = None
        # set by the app to add cross-source facts (e.g. deploy correlation) before publishing
        self.enrich: Callable[[Snapshot], Snapshot] | None = None

    @property
    def stale_after(self) -> float | None:
        """Data older than this is stale: two poll intervals (None: a watch, fresh until down)."""
        return 2 * self.interval

    # -- wiring ----------------------------------------------------------------------------

    def subscribe(
        self,
        on_snapshot: SnapshotListener | None = None,
        on_change: ChangeListener | None = None,
        on_health: HealthListener | None = None,
    ) -> None:
        if on_snapshot:
            self._snapshot_listeners.append(on_snapshot)
        if on_change:
            self._change_listeners.append(on_change)
        if on_health:
            self._health_listeners.append(on_health)

    async def start(self) -> None:
        if self._task is None:
            self.health = replace(self.health, started=True)
            self._task = asyncio.create_task(self.run(), name=f"source:{self.name}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.close()

    async def close(self) -> None:
        """Release clients; called once by stop()."""

    # -- the loop --------------------------------------------------------------------------

    async def fetch(self) -> Snapshot:
        raise NotImplementedError

    async def run(self) -> None:
        while True:
            await self.refresh()
            await asyncio.sleep(self.interval)

    async def refresh(self) -> None:
        """One fetch, published; failures become health, never exceptions."""
        try:
            snapshot = await self.fetch()
        except asyncio.CancelledError:
            raise
        except SourceError as exc:
            self.mark_down(str(exc))
            return
        except Exception as exc:  # a source must never take the app down
            self.mark_down(one_line(f"{type(exc).__name__}: {exc}"))
            return
        self.publish(snapshot)

    # -- publishing (also used by watch-based subclasses) ------------------------------------

    def publish(self, snapshot: Snapshot) -> None:
        if self.enrich is not None:
            snapshot = self.enrich(snapshot)
        self.latest = snapshot
        self.mark_up()
        for listener in self._snapshot_listeners:
            listener(snapshot)
        for change in self._tracker.observe(snapshot):
            self.emit(change)

    def emit(self, change: SystemChange) -> None:
        for listener in self._change_listeners:
            listener(change)

    def mark_up(self) -> None:
        now = self.clock()
        self.health = replace(self.health, up=True, last_ok=now, error=self.problem)
        if self._was_down:
            self._was_down = False
            self.emit(
                SystemChange("system.source.up", self.name, {"source": self.name}, f"up:{now}")
            )
        self._notify_health()

    def mark_down(self, error: str) -> None:
        self.health = replace(self.health, up=False, error=error)
        if not self._was_down:
            self._was_down = True
            self.emit(
                SystemChange(
                    "system.source.down",
                    self.name,
                    {"source": self.name, "error": error},
                    f"down:{self.clock()}",
                )
            )
        self._notify_health()

    def _notify_health(self) -> None:
        for listener in self._health_listeners:
            listener(self.health)


@runtime_checkable
class Silencer(Protocol):
    """A source that can silence alerts (Alertmanager, the demo)."""

    async def silence(
        self,
        alert: Alert,
        duration_s: int,
        comment: str,
        author: str,
        matchers: dict[str, str] | None = None,
    ) -> str:
        """Create a silence on `matchers` (default: all the alert's labels); return its id."""
        ...

    async def active_silences(self) -> list[Silence]:
        """The silences in force (active or pending)."""
        ...

    async def extend_silence(self, silence: Silence, ends_at: float, author: str) -> str:
        """Move a silence's end to `ends_at` (epoch s); return its id (maybe a new one)."""
        ...

    async def expire_silence(self, silence_id: str) -> None: ...


# The workload changes the cockpit can make, each planned (server-side dry run) then applied.
Remediation = Literal["rollback", "restart", "scale"]
REMEDIATIONS: tuple[Remediation, ...] = ("rollback", "restart", "scale")


class LogHandle(Protocol):
    def stop(self) -> None: ...


@runtime_checkable
class LogReader(Protocol):
    """Container logs (Kubernetes, demo). Lines and problems arrive on the asyncio loop that
    called open_logs; reading happens off it (a worker thread or a task), never blocking."""

    async def containers(self, namespace: str, pod: str) -> tuple[ContainerInfo, ...]: ...

    def open_logs(
        self,
        target: LogTarget,
        *,
        previous: bool,
        since_seconds: int | None,
        tail_lines: int | None,
        follow: bool,
        on_lines: Callable[[list[LogLine]], None],
        on_problem: Callable[[str], None],
    ) -> LogHandle: ...


@runtime_checkable
class Remediator(Protocol):
    """A source that can change workloads (Kubernetes, the demo).

    `remediations` names the actions this source can take (a subset of REMEDIATIONS); `params`
    are the action's own arguments (scale: replicas=N). Both calls raise ActionError, whose
    message is shown as is.
    """

    remediations: frozenset[str]

    async def plan(self, action: str, deploy: Deploy, **params: Any) -> str:
        """Dry run; return a human description of exactly what `apply` will change."""
        ...

    async def apply(self, action: str, deploy: Deploy, **params: Any) -> str:
        """Make the change; return the API status and what changed."""
        ...


def unsupported(action: str) -> ActionError:
    return ActionError(f"{action} is not supported by this source")


def replicas_param(params: dict[str, Any]) -> int:
    """The replica count a scale was asked for; anything else is refused, not guessed."""
    replicas = params.get("replicas")
    if isinstance(replicas, bool) or not isinstance(replicas, int):
        raise ActionError("scale needs a whole number of replicas, e.g. replicas=3")
    return replicas
