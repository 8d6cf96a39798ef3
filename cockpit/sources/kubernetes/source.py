"""KubernetesSource: the watch streams' results kept by uid, health, and Snapshots.

The worker threads (watch.py) post what they see; this side runs on the asyncio loop, keeps
one map per stream, and publishes a Snapshot at most every `publish_interval` seconds when
something changed. Remediation (remediation.py) and the doctor checks (doctor.py) share the
same connection (api.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from msgspec.structs import replace

from cockpit.model import K8sEvent, Snapshot
from cockpit.sources.base import Clock, Source, SourceError
from cockpit.sources.deploys import deploy_history
from cockpit.sources.kubernetes.api import KubeApi
from cockpit.sources.kubernetes.decode import Raw
from cockpit.sources.kubernetes.doctor import Row, doctor_rows
from cockpit.sources.kubernetes.logs import KubeLogReader
from cockpit.sources.kubernetes.remediation import KubernetesRemediator
from cockpit.sources.kubernetes.watch import KINDS, Stream, Watcher

if TYPE_CHECKING:
    from cockpit.config import KubernetesConfig

MAX_EVENTS = 5_000
CONFIG_RETRY_S = 10.0  # a kubeconfig that cannot be loaded is read again this often


class KubernetesSource(Source, KubernetesRemediator):
    name = "kubernetes"

    def __init__(
        self,
        config: KubernetesConfig,
        *,
        clock: Clock = time.time,
        read_only: bool = False,
        publish_interval: float = 0.5,
        watch_timeout_s: int | None = None,
        backoff_initial_s: float = 0.5,
        backoff_max_s: float = 30.0,
        denied_retry_s: float = 60.0,
    ) -> None:
        super().__init__(interval=publish_interval, clock=clock)
        self.config = config
        self.read_only = read_only
        self.publish_interval = publish_interval
        self.backoff_max_s = backoff_max_s
        self.config_retry_s = min(backoff_max_s, CONFIG_RETRY_S)
        self.namespaces: tuple[str, ...] = tuple(config.namespaces)
        scopes: tuple[str | None, ...] = self.namespaces or (None,)
        self.streams = [Stream(kind, ns) for kind in KINDS for ns in scopes]
        self.kube = KubeApi(config)
        self.logs = KubeLogReader(self.kube, clock=clock, backoff_s=backoff_initial_s)
        # the LogReader protocol, on the same connection
        self.containers = self.logs.containers
        self.open_logs = self.logs.open_logs
        self._watcher = Watcher(
            self.kube,
            self._post,
            watch_timeout_s=int(
                config.watch_timeout if watch_timeout_s is None else watch_timeout_s
            ),
            request_timeout_s=config.timeout,
            backoff_initial_s=backoff_initial_s,
            backoff_max_s=backoff_max_s,
            denied_retry_s=denied_retry_s,
        )
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()
        self._inbox: list[tuple[Any, ...]] = []
        self._drain_pending = False
        self._dirty = False
        self._publish_handle: asyncio.TimerHandle | None = None
        self._last_publish = 0.0
        self._last_health_ok = 0.0

    @property
    def stale_after(self) -> float | None:
        # a quiet cluster sends nothing for minutes: the watch is stale only when it is down
        return None

    # -- lifecycle -------------------------------------------------------------------------

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        while True:
            try:
                await asyncio.to_thread(self.kube.client)
                break
            except SourceError as exc:
                self.mark_down(str(exc))
                # the file may be fixed while the cockpit runs: look again soon
                await asyncio.sleep(self.config_retry_s)
        self._watcher.start(self.streams)
        try:
            await asyncio.Event().wait()
        finally:
            self._shutdown()

    def _shutdown(self) -> None:
        self._watcher.stop()
        if self._publish_handle is not None:
            self._publish_handle.cancel()
            self._publish_handle = None

    async def close(self) -> None:
        self._shutdown()
        await asyncio.to_thread(self._watcher.join)
        self.kube.close()

    # -- from the worker threads -----------------------------------------------------------

    def _post(self, *msg: Any) -> None:
        """Queue a message for the loop; one wake-up per batch, not per watch event."""
        with self._lock:
            self._inbox.append(msg)
            if self._drain_pending or self._loop is None:
                return
            self._drain_pending = True
        with contextlib.suppress(RuntimeError):  # the loop is closed: we are shutting down
            self._loop.call_soon_threadsafe(self._drain)

    # -- loop thread: maps, health, publishing ---------------------------------------------

    def _drain(self) -> None:
        with self._lock:
            batch, self._inbox = self._inbox, []
            self._drain_pending = False
        if self._watcher.stopping.is_set():
            return  # stopped: publish nothing more
        for msg in batch:
            what, stream = msg[0], msg[1]
            if what == "reset":
                stream.items = msg[2]  # the list result replaces the map: reconcile
                stream.listed, stream.denied, stream.error = True, False, None
                self._dirty = True
            elif what == "apply":
                uid, value = msg[2], msg[3]
                if value is None:
                    stream.items.pop(uid, None)
                else:
                    stream.items[uid] = value
                stream.error = None
                self._dirty = True
            elif what == "ok":
                stream.error = None
            elif what == "denied":
                if not stream.denied or stream.error != msg[2]:
                    stream.denied, stream.error = True, msg[2]
                    stream.items = {}
                    self._dirty = True
            elif what == "error":
                stream.error = msg[2]
        self._update_health()
        if self._dirty:
            self._schedule_publish()

    def _errors(self) -> list[str]:
        seen: dict[str, None] = {}
        for s in self.streams:
            if s.error:
                seen.setdefault(s.error, None)
        return list(seen)

    def _update_health(self) -> None:
        errors = self._errors()
        if errors and all(s.error for s in self.streams):
            if self.health.up or self.health.error != "; ".join(errors):
                self.mark_down("; ".join(errors))
            return
        if not any(s.listed and not s.error for s in self.streams):
            return  # still starting
        now = time.monotonic()
        partial = "; ".join(errors) or None
        if not self.health.up or self.health.error != partial or now - self._last_health_ok > 1:
            self._last_health_ok = now
            self.mark_up()

    def mark_up(self) -> None:
        errors = self._errors()
        if errors and all(s.error for s in self.streams):
            # publish() marks up; with every stream failing the source is down regardless
            if self.health.up or self.health.error != "; ".join(errors):
                self.mark_down("; ".join(errors))
            return
        super().mark_up()
        if errors:
            # a partial failure (e.g. one forbidden resource): up, but the error is visible
            self.health = replace(self.health, error="; ".join(errors))
            self._notify_health()

    def _schedule_publish(self) -> None:
        if self._publish_handle is not None or self._loop is None:
            return
        delay = max(0.0, self._last_publish + self.publish_interval - time.monotonic())
        self._publish_handle = self._loop.call_later(delay, self._flush)

    def _flush(self) -> None:
        self._publish_handle = None
        if not self._dirty:
            return
        self._dirty = False
        self._last_publish = time.monotonic()
        self.publish(self.build_snapshot())

    def _synced(self, key: str) -> bool:
        """Every stream of the resource listed or was denied, and at least one listed."""
        mine = [s for s in self.streams if s.kind.key == key]
        return any(s.listed for s in mine) and all(s.listed or s.denied for s in mine)

    def _values(self, key: str) -> Iterable[Any]:
        for s in self.streams:
            if s.kind.key == key:
                yield from s.items.values()

    def build_snapshot(self) -> Snapshot:
        # A resource not yet listed is None (unknown), not empty: the change tracker takes the
        # first deploys it sees as the baseline, so an early empty tuple would re-journal them.
        events: tuple[K8sEvent, ...] | None = None
        dropped = 0
        if self._synced("events"):
            ordered = sorted(self._values("events"), key=lambda e: e.last_seen, reverse=True)
            dropped = max(0, len(ordered) - MAX_EVENTS)
            events = tuple(ordered[:MAX_EVENTS])
        pods = None
        if self._synced("pods"):
            pods = tuple(sorted(self._values("pods"), key=lambda p: (p.namespace, p.name)))
        deploys = None
        if self._synced("replicasets"):
            deploys = tuple(deploy_history(self._values("replicasets")))
        return Snapshot(
            source=self.name,
            at=self.clock(),
            events=events,
            pods=pods,
            deploys=deploys,
            dropped_events=dropped,
        )

    def deployments(self) -> list[Raw]:
        """The watched Deployments (raw API objects)."""
        return list(self._values("deployments"))

    # -- doctor and figures ----------------------------------------------------------------

    async def doctor_checks(self) -> list[Row]:
        """(check, ok, detail) rows: config, reachability, auth, RBAC per namespace."""
        return await asyncio.to_thread(doctor_rows, self.kube, self.namespaces)

    def request_counts(self) -> dict[str, int]:
        """LIST and WATCH requests sent so far (for the benchmark and tests)."""
        return {
            "lists": sum(s.lists for s in self.streams),
            "watches": sum(s.watches for s in self.streams),
        }
