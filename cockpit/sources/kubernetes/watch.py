"""LIST once, then WATCH from the list's resourceVersion (never poll-and-re-list).

One worker thread per (resource, namespace) runs the blocking LIST/WATCH loop of the
`kubernetes` client and hands what it sees to `post` (the source moves it onto its asyncio
loop). Watch protocol
(https://kubernetes.io/docs/reference/using-api/api-concepts/#efficient-detection-of-changes):
  - a watch that ends normally (server-side timeoutSeconds) resumes from the last seen
    resourceVersion, without a new LIST;
  - BOOKMARK events only advance the resourceVersion;
  - 410 Gone (HTTP status on watch start, or an ERROR event carrying a Status with code 410)
    means our resourceVersion was compacted away: LIST again and *replace* the stream's map, so
    nothing is duplicated and nothing created meanwhile is missed;
  - connection errors reconnect with exponential backoff from the last resourceVersion;
  - 401/403 on one resource is reported with the missing permission while the other resources
    keep flowing.

Messages posted: ("reset", stream, items), ("apply", stream, uid, value or None for a
deletion), ("ok", stream), ("denied", stream, text), ("error", stream, text).
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import msgspec
from kubernetes import watch as k8s_watch
from kubernetes.client.exceptions import ApiException

from cockpit.sources.kubernetes.api import KubeApi, api_problem, no_answer
from cockpit.sources.kubernetes.decode import Raw, event_from, keep_raw, meta, pod_from

Post = Callable[..., None]


class Kind(msgspec.Struct, frozen=True):
    key: str  # plural resource name, as RBAC spells it
    group: str  # API group ("" = core)
    api: str  # "core" or "apps": which client API object
    namespaced: str  # list function for one namespace
    all_namespaces: str  # list function across namespaces
    convert: Callable[[Raw], Any]


KINDS: tuple[Kind, ...] = (
    Kind(
        "events", "", "core", "list_namespaced_event", "list_event_for_all_namespaces", event_from
    ),
    Kind("pods", "", "core", "list_namespaced_pod", "list_pod_for_all_namespaces", pod_from),
    Kind(
        "deployments",
        "apps",
        "apps",
        "list_namespaced_deployment",
        "list_deployment_for_all_namespaces",
        keep_raw,
    ),
    Kind(
        "replicasets",
        "apps",
        "apps",
        "list_namespaced_replica_set",
        "list_replica_set_for_all_namespaces",
        keep_raw,
    ),
)


@dataclass(eq=False)
class Stream:
    """One LIST/WATCH loop: a resource in one namespace (None: all namespaces)."""

    kind: Kind
    namespace: str | None
    items: dict[str, Any] = field(default_factory=dict)  # uid -> converted object (loop thread)
    listed: bool = False
    denied: bool = False
    error: str | None = None
    lists: int = 0  # LIST requests sent (figures for the benchmark)
    watches: int = 0

    @property
    def label(self) -> str:
        return f"{self.kind.key}@{self.namespace or '*'}"

    @property
    def where(self) -> str:
        return f" in namespace {self.namespace}" if self.namespace else " in all namespaces"


class _RawWatch(k8s_watch.Watch):
    """A Watch that yields the raw JSON objects: no model decoding.

    With no return type the client still raises ApiException for ERROR events, which is how a
    410 inside the stream reaches us.
    """

    def get_return_type(self, func: Any) -> Any:
        return None


def denied_text(stream: Stream, verb: str, exc: ApiException) -> str:
    """A 401/403 as what to fix: the token, or the permission missing where."""
    key = stream.kind.key
    if exc.status == 401:
        return (
            f"kubernetes rejected the credentials ({exc.status} Unauthorized) on {verb} {key}: "
            "refresh the kubeconfig user's token or certificate"
        )
    if stream.namespace:
        return (
            f"cannot {verb} {key} in namespace {stream.namespace} ({exc.status} Forbidden): "
            f"grant list/watch on {key}"
        )
    return (
        f"cannot {verb} {key} in all namespaces ({exc.status} Forbidden): grant list/watch "
        f"on {key} cluster-wide, or set [kubernetes] namespaces"
    )


class Watcher:
    """The worker threads: start them, stop them (a blocked read returns at once), join."""

    def __init__(
        self,
        kube: KubeApi,
        post: Post,
        *,
        watch_timeout_s: int,
        request_timeout_s: float = 30.0,
        backoff_initial_s: float,
        backoff_max_s: float,
        denied_retry_s: float,
    ) -> None:
        self.kube = kube
        self.post = post
        self.watch_timeout_s = max(1, int(watch_timeout_s))
        # (connect, read) of a LIST: an API server that accepts and never answers is down
        # after this long, not after the client's default of minutes
        self.request_timeout = (min(10.0, request_timeout_s), request_timeout_s)
        self.backoff_initial_s = backoff_initial_s
        self.backoff_max_s = backoff_max_s
        self.denied_retry_s = denied_retry_s
        self.stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._watches: dict[int, k8s_watch.Watch] = {}
        self._lock = threading.Lock()

    def start(self, streams: Iterable[Stream]) -> None:
        self.stopping.clear()
        for stream in streams:
            thread = threading.Thread(
                target=self._worker, args=(stream,), name=f"k8s:{stream.label}", daemon=True
            )
            self._threads.append(thread)
            thread.start()

    def stop(self) -> None:
        self.stopping.set()
        with self._lock:
            watches = list(self._watches.values())
        for w in watches:
            w.stop()  # shuts the socket down, so a blocked read returns now

    def join(self, timeout_s: float = 2.0) -> None:
        """Blocking: wait for the threads to end, at most `timeout_s` for all of them."""
        threads, self._threads = self._threads, []
        deadline = time.monotonic() + timeout_s
        for t in threads:
            t.join(max(0.0, deadline - time.monotonic()))

    def _wait(self, seconds: float) -> bool:
        """Sleep unless stopping; True when the worker should exit."""
        return self.stopping.wait(seconds)

    def _worker(self, stream: Stream) -> None:
        kind = stream.kind
        api = self.kube.api(kind.api)
        if stream.namespace is None:
            func, args = getattr(api, kind.all_namespaces), ()
        else:
            func, args = getattr(api, kind.namespaced), (stream.namespace,)
        w = _RawWatch()
        rv: str | None = None
        backoff = self.backoff_initial_s
        gone_streak = 0
        while not self.stopping.is_set():
            verb = "list"
            try:
                if rv is None:
                    rv = self._list(stream, func, args)
                verb = "watch"
                rv = self._watch(stream, w, func, args, rv)
                backoff = self.backoff_initial_s
                gone_streak = 0
            except ApiException as exc:
                if exc.status == 410:
                    # our resourceVersion is compacted away: re-LIST and reconcile; a second
                    # 410 straight after a fresh LIST backs off instead of hammering the API
                    gone_streak += 1
                    rv = None
                    if gone_streak > 1 and self._wait(backoff):
                        return
                    if gone_streak > 1:
                        backoff = min(self.backoff_max_s, backoff * 2)
                    continue
                if exc.status in (401, 403):
                    self.post("denied", stream, denied_text(stream, verb, exc))
                    rv = None  # permissions may change: start over when they do
                    if self._wait(self.denied_retry_s):
                        return
                    continue
                if exc.status == 0 or exc.status is None:
                    text = f"cannot reach the Kubernetes API at {self.kube.host}: {exc.reason}"
                else:
                    text = f"{verb} {kind.key}{stream.where} failed: {api_problem(exc)}"
                self.post("error", stream, text)
                if self._wait(backoff * random.uniform(0.8, 1.2)):
                    return
                backoff = min(self.backoff_max_s, backoff * 2)
            except Exception as exc:
                if self.stopping.is_set():
                    return
                # connection refused/reset, read timeout: back off, resume from rv
                self.post(
                    "error",
                    stream,
                    f"cannot reach the Kubernetes API at {self.kube.host}: {no_answer(exc)}",
                )
                if self._wait(backoff * random.uniform(0.8, 1.2)):
                    return
                backoff = min(self.backoff_max_s, backoff * 2)

    def _list(self, stream: Stream, func: Any, args: tuple[Any, ...]) -> str:
        stream.lists += 1
        resp = func(*args, _preload_content=False, _request_timeout=self.request_timeout)
        try:
            body = json.loads(resp.data)
        finally:
            resp.release_conn()
        convert = stream.kind.convert
        items = {}
        for obj in body.get("items") or ():
            uid = meta(obj).get("uid")
            if uid:
                items[uid] = convert(obj)
        self.post("reset", stream, items)
        return str(meta(body).get("resourceVersion") or "0")

    def _watch(
        self, stream: Stream, w: k8s_watch.Watch, func: Any, args: tuple[Any, ...], rv: str
    ) -> str:
        """One watch request until the server ends it; returns the last resourceVersion."""
        stream.watches += 1
        # jitter so that the streams do not all reconnect in the same second
        timeout = max(1, round(self.watch_timeout_s * random.uniform(0.9, 1.0)))
        convert = stream.kind.convert
        with self._lock:
            self._watches[id(stream)] = w
        try:
            for event in w.stream(
                func,
                *args,
                resource_version=rv,
                allow_watch_bookmarks=True,
                timeout_seconds=timeout,
                # the server ends the watch after `timeout`; silence beyond that is a hang
                _request_timeout=(self.request_timeout[0], timeout + self.request_timeout[1]),
            ):
                if self.stopping.is_set():
                    break
                kind = event.get("type")
                obj = event.get("raw_object") or {}
                new_rv = meta(obj).get("resourceVersion")
                if kind in ("ADDED", "MODIFIED", "DELETED"):
                    uid = meta(obj).get("uid")
                    if uid:
                        value = None if kind == "DELETED" else convert(obj)
                        self.post("apply", stream, uid, value)
                elif kind == "BOOKMARK":
                    self.post("ok", stream)
                if new_rv:
                    rv = str(new_rv)
        finally:
            with self._lock:
                self._watches.pop(id(stream), None)
        self.post("ok", stream)
        return rv
