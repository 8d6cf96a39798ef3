"""Container logs through `read_namespaced_pod_log`: one worker thread per (pod, container).

The API answer is streamed (`_preload_content=False`) and cut into lines as it arrives; every
line carries the kubelet's timestamp (`timestamps=true`), which is what makes a follow stream
resumable: when it drops, the thread reconnects with `since_seconds` reaching just before the
last line it saw and skips what it already delivered (lines older than that stamp, and as
many lines *at* that stamp as it had), so nothing is missed and nothing is shown twice.

Lines are posted to the asyncio loop that opened the stream, a batch per network read.
A refusal (403 on pods/log, 400 for a previous container that does not exist, 404) is one
line saying what and how to fix, and is not retried in a loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import threading
import time
from collections.abc import Callable
from typing import Any

from kubernetes.client.exceptions import ApiException

from cockpit.model import ContainerInfo, LogLine, LogTarget, split_log_line
from cockpit.sources.base import SourceError
from cockpit.sources.errors import one_line
from cockpit.sources.kubernetes.api import (
    KubeApi,
    api_problem,
    api_status_message,
    no_answer,
    read_json,
)
from cockpit.sources.kubernetes.decode import Raw

CHUNK = 64 * 1024
MAX_BACKOFF_S = 10.0
RESUME_MARGIN_S = 2  # since_seconds reaches this far before the last stamp (clock skew)
QUIET_S = 300.0
MAX_LINE = 1 << 20  # a line with no newline in sight is cut here (memory stays bounded)


class PodLogStream:
    """One container's log on a worker thread; `stop()` ends it from any thread."""

    def __init__(
        self,
        kube: KubeApi,
        target: LogTarget,
        *,
        previous: bool,
        since_seconds: int | None,
        tail_lines: int | None,
        limit_bytes: int | None,
        follow: bool,
        post_lines: Callable[[list[LogLine]], None],
        post_problem: Callable[[str], None],
        clock: Callable[[], float] = time.time,
        backoff_s: float = 0.5,
    ) -> None:
        self.kube = kube
        self.target = target
        self.previous = previous
        self.since_seconds = since_seconds
        self.tail_lines = tail_lines
        self.limit_bytes = limit_bytes
        # a terminated container's log is complete: nothing to follow
        self.follow = follow and not previous
        self.post_lines = post_lines
        self.post_problem = post_problem
        self.clock = clock
        self.backoff_s = backoff_s
        self._stop = threading.Event()
        self._resp: Any = None
        self._last_ns = 0  # stamp of the last line delivered
        self._seen_at_last = 0  # lines delivered with exactly that stamp
        self.connects = 0
        self.thread = threading.Thread(
            target=self._run, name=f"logs:{target.namespace}/{target.pod}", daemon=True
        )

    @property
    def where(self) -> str:
        t = self.target
        return f"{t.namespace}/{t.pod}" + (f" ({t.container})" if t.container else "")

    def start(self) -> PodLogStream:
        self.thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        resp = self._resp
        if resp is not None:  # unblock a read waiting on a quiet follow stream
            with contextlib.suppress(Exception):
                resp.shutdown()
            with contextlib.suppress(Exception):
                resp.release_conn()

    # -- the worker thread -------------------------------------------------------------------

    def _request(self) -> Any:
        kwargs: dict[str, Any] = {"timestamps": True}
        if self.target.container:
            kwargs["container"] = self.target.container
        if self.previous:
            kwargs["previous"] = True
        if self.follow:
            kwargs["follow"] = True
        if self.connects == 0:
            if self.since_seconds:
                kwargs["since_seconds"] = int(self.since_seconds)
            if self.tail_lines is not None:
                kwargs["tail_lines"] = int(self.tail_lines)
            if self.limit_bytes:
                kwargs["limit_bytes"] = int(self.limit_bytes)
        elif self._last_ns:
            age = self.clock() - self._last_ns / 1e9
            kwargs["since_seconds"] = max(1, math.ceil(age) + RESUME_MARGIN_S)
        elif self.since_seconds:
            kwargs["since_seconds"] = int(self.since_seconds)
        self.connects += 1
        timeout = self.kube.config.timeout
        # following: a quiet container is not a dead stream; after QUIET_S of silence the
        # stream is resumed (gapless), which also notices a half-open connection
        request_timeout = (min(5.0, timeout), QUIET_S if self.follow else timeout)
        return self.kube.api("core").read_namespaced_pod_log(
            self.target.pod,
            self.target.namespace,
            _preload_content=False,
            _request_timeout=request_timeout,
            **kwargs,
        )

    def _run(self) -> None:
        delay = self.backoff_s
        while not self._stop.is_set():
            resumed = self.connects > 0
            try:
                self._resp = self._request()
            except SourceError as exc:
                self._problem(str(exc))
                return
            except ApiException as exc:
                if exc.status and int(exc.status) < 500:
                    self._problem(self._refusal(exc))
                    return
                self._problem(f"kubernetes: logs of {self.where}: {api_problem(exc)}", retry=True)
            except Exception as exc:
                if self._stop.is_set():
                    return
                self._problem(f"kubernetes: logs of {self.where}: {no_answer(exc)}", retry=True)
            else:
                delay = self.backoff_s
                try:
                    self._read(self._resp, resumed)
                except Exception:  # a dropped connection: resume below
                    pass
                finally:
                    with contextlib.suppress(Exception):
                        self._resp.release_conn()
                    self._resp = None
                if not self.follow:
                    return
            if self._stop.wait(delay):
                return
            delay = min(MAX_BACKOFF_S, delay * 2)

    def _read(self, resp: Any, resumed: bool) -> None:
        skip_at_last = self._seen_at_last if resumed else 0
        floor = self._last_ns if resumed else 0
        rest = b""
        ns, pod, container = self.target.namespace, self.target.pod, self.target.container
        for chunk in resp.stream(CHUNK, decode_content=False):
            if self._stop.is_set():
                return
            data = rest + chunk
            parts = data.split(b"\n")
            rest = parts.pop()
            if len(rest) > MAX_LINE:
                parts.append(rest)
                rest = b""
            batch: list[LogLine] = []
            for raw in parts:
                stamp, at, text = split_log_line(raw.decode("utf-8", "replace"))
                if floor and (at < floor or (at == floor and skip_at_last > 0)):
                    if at == floor:
                        skip_at_last -= 1
                    continue
                if at > self._last_ns:
                    self._last_ns, self._seen_at_last = at, 1
                elif at == self._last_ns:
                    self._seen_at_last += 1
                batch.append(LogLine(ns, pod, container, stamp, at, text, self.previous))
            if batch:
                self.post_lines(batch)
        if rest and not self._stop.is_set() and not self.follow:
            stamp, at, text = split_log_line(rest.decode("utf-8", "replace"))
            self.post_lines([LogLine(ns, pod, container, stamp, at, text, self.previous)])

    def _refusal(self, exc: ApiException) -> str:
        status = int(exc.status or 0)
        message = one_line(api_status_message(exc), 300)
        if status == 403:
            return (
                f"kubernetes: logs of {self.where}: {message} "
                f"(grant get on pods/log in namespace {self.target.namespace})"
            )
        return f"kubernetes: logs of {self.where}: {message}"

    def _problem(self, text: str, retry: bool = False) -> None:
        if not self._stop.is_set():
            self.post_problem(text + (" (retrying)" if retry else ""))


class KubeLogReader:
    """The LogReader of a Kubernetes connection (KubernetesSource delegates to it)."""

    def __init__(
        self, kube: KubeApi, *, clock: Callable[[], float] = time.time, backoff_s: float = 0.5
    ) -> None:
        self.kube = kube
        self.clock = clock
        self.backoff_s = backoff_s
        self.limit_bytes: int | None = None

    async def containers(self, namespace: str, pod: str) -> tuple[ContainerInfo, ...]:
        """Init containers first, then the pod's containers, each with how it last ended."""

        def fetch() -> Raw:
            try:
                resp = self.kube.api("core").read_namespaced_pod(
                    pod,
                    namespace,
                    _preload_content=False,
                    _request_timeout=(5.0, self.kube.config.timeout),
                )
                return read_json(resp)[2]
            except ApiException as exc:
                raise SourceError(
                    f"kubernetes: pod {namespace}/{pod}: {api_problem(exc)}"
                ) from None
            except SourceError:
                raise
            except Exception as exc:
                raise SourceError(f"kubernetes: pod {namespace}/{pod}: {no_answer(exc)}") from None

        return containers_of(await asyncio.to_thread(fetch))

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
    ) -> PodLogStream:
        loop = asyncio.get_running_loop()

        def post_lines(batch: list[LogLine]) -> None:
            with contextlib.suppress(RuntimeError):  # the loop closed: nobody is reading
                loop.call_soon_threadsafe(on_lines, batch)

        def post_problem(text: str) -> None:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(on_problem, text)

        return PodLogStream(
            self.kube,
            target,
            previous=previous,
            since_seconds=since_seconds,
            tail_lines=tail_lines,
            limit_bytes=self.limit_bytes,
            follow=follow,
            post_lines=post_lines,
            post_problem=post_problem,
            clock=self.clock,
            backoff_s=self.backoff_s,
        ).start()


def containers_of(pod: Raw) -> tuple[ContainerInfo, ...]:
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    statuses = {
        cs.get("name"): cs
        for cs in (status.get("initContainerStatuses") or [])
        + (status.get("containerStatuses") or [])
    }
    out = []
    for init, containers in ((True, spec.get("initContainers")), (False, spec.get("containers"))):
        for c in containers or ():
            name = str(c.get("name") or "")
            cs = statuses.get(name) or {}
            last = (cs.get("lastState") or {}).get("terminated") or {}
            if init and not last:  # an init container that ran once: how it ended is its state
                last = (cs.get("state") or {}).get("terminated") or {}
            exit_code = last.get("exitCode")
            out.append(
                ContainerInfo(
                    name=name,
                    init=init,
                    restarts=int(cs.get("restartCount") or 0),
                    last_reason=str(last.get("reason") or ""),
                    last_exit=int(exit_code) if exit_code is not None else None,
                    last_finished=str(last.get("finishedAt") or ""),
                    state=state_of(cs.get("state") or {}),
                )
            )
    # the app containers first: that is what a responder opens logs for
    return tuple(sorted(out, key=lambda c: c.init))


def state_of(state: Raw) -> str:
    """`running`, `waiting CrashLoopBackOff`, `terminated Completed` (a container status's
    state has one key); "" when the kubelet has not reported one yet."""
    for phase in ("running", "waiting", "terminated"):
        if phase in state:
            reason = str((state.get(phase) or {}).get("reason") or "")
            return f"{phase} {reason}".strip()
    return ""
