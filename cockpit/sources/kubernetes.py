"""Kubernetes events, pod health and deploy history through the official client: LIST once, then
WATCH from the list's resourceVersion (never poll-and-re-list).

One worker thread per (resource, namespace) runs the blocking LIST/WATCH loop of the
`kubernetes` client and hands results to the asyncio loop with call_soon_threadsafe; the loop
keeps per-stream maps by uid and publishes a Snapshot at most every `publish_interval` seconds
when something changed. Objects stay raw JSON dicts: decoding 20,000 events into the client's
pydantic models would cost seconds and we read a handful of fields.

Watch protocol (https://kubernetes.io/docs/reference/using-api/api-concepts/#efficient-detection-of-changes):
  - a watch that ends normally (server-side timeoutSeconds) resumes from the last seen
    resourceVersion, without a new LIST;
  - BOOKMARK events only advance the resourceVersion;
  - 410 Gone (HTTP status on watch start, or an ERROR event carrying a Status with code 410)
    means our resourceVersion was compacted away: LIST again and *replace* the stream's map, so
    nothing is duplicated and nothing created meanwhile is missed;
  - connection errors reconnect with exponential backoff from the last resourceVersion;
  - 401/403 on one resource is reported with the missing permission while the other resources
    keep flowing.

Remediation mirrors kubectl: `rollout undo` (JSON patch of /spec/template and
/metadata/annotations from the previous revision's ReplicaSet), `rollout restart` (strategic
merge patch of the restartedAt annotation) and `scale` (merge patch of the scale subresource).
Every change is first sent as a server-side dry run (dryRun=All).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import os
import random
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import msgspec
from kubernetes import client as k8s
from kubernetes import config as k8s_config
from kubernetes import watch as k8s_watch
from kubernetes.client.exceptions import ApiException
from msgspec.structs import replace

from cockpit.model import Deploy, K8sEvent, PodHealth, Snapshot
from cockpit.sources.base import (
    REMEDIATIONS,
    ActionError,
    Clock,
    Source,
    SourceError,
    replicas_param,
    unsupported,
)
from cockpit.sources.deploys import (
    POD_TEMPLATE_HASH,
    REVISION,
    deploy_history,
    image_change,
    images_text,
    previous_revision,
    revision_of,
    template_images,
    utc_iso,
)

if TYPE_CHECKING:
    from cockpit.config import KubernetesConfig

MAX_EVENTS = 5_000
READ_ONLY_ERROR = "read-only: remediation is disabled (started with --read-only)"
RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_PATCH = "application/strategic-merge-patch+json"

# Annotations `kubectl rollout undo` keeps from the Deployment instead of copying them from
# the ReplicaSet (kubectl pkg/polymorphichelpers/rollback.go, annotationsToSkip).
ROLLBACK_KEEP_ANNOTATIONS = frozenset(
    {
        "kubectl.kubernetes.io/last-applied-configuration",
        "deprecated.deployment.rollback.to",
        REVISION,
        "deployment.kubernetes.io/revision-history",
        "deployment.kubernetes.io/desired-replicas",
        "deployment.kubernetes.io/max-replicas",
    }
)

# waiting reasons that are a normal part of starting a pod, not a problem
_BENIGN_WAITING = frozenset({"ContainerCreating", "PodInitializing"})

Raw = dict[str, Any]


# -- raw API objects -> model ------------------------------------------------------------------


def _meta(obj: Raw) -> Raw:
    return obj.get("metadata") or {}


def event_from(obj: Raw) -> K8sEvent:
    """core/v1 Event -> K8sEvent (also reads the events.k8s.io field names)."""
    m = _meta(obj)
    involved = obj.get("involvedObject") or obj.get("regarding") or {}
    series = obj.get("series") or {}
    last = (
        obj.get("lastTimestamp")
        or series.get("lastObservedTime")
        or obj.get("eventTime")
        or m.get("creationTimestamp")
    )
    first = obj.get("firstTimestamp") or obj.get("eventTime") or m.get("creationTimestamp")
    return K8sEvent(
        uid=m.get("uid", ""),
        namespace=m.get("namespace", ""),
        type=obj.get("type") or "Normal",
        reason=obj.get("reason") or "",
        object=f"{involved.get('kind', '')}/{involved.get('name', '')}",
        message=obj.get("message") or obj.get("note") or "",
        count=int(obj.get("count") or series.get("count") or 1),
        last_seen=utc_iso(last),
        first_seen=utc_iso(first),
    )


def pod_from(obj: Raw) -> PodHealth:
    """core/v1 Pod -> PodHealth: restarts summed, the most telling container reason."""
    m = _meta(obj)
    status = obj.get("status") or {}
    statuses = [
        *(status.get("initContainerStatuses") or ()),
        *(status.get("containerStatuses") or ()),
    ]
    restarts = sum(int(cs.get("restartCount") or 0) for cs in statuses)
    waiting = ""
    oom = False
    for cs in statuses:
        state = cs.get("state") or {}
        reason = (state.get("waiting") or {}).get("reason") or ""
        if reason and reason not in _BENIGN_WAITING and waiting != "CrashLoopBackOff":
            waiting = reason
        for terminated in (state.get("terminated"), (cs.get("lastState") or {}).get("terminated")):
            if terminated and terminated.get("reason") == "OOMKilled":
                oom = True
    # CrashLoopBackOff (what kubectl shows) wins over the OOMKilled that may have caused it
    reason = waiting or ("OOMKilled" if oom else status.get("reason") or "")
    ready = any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in status.get("conditions") or ()
    )
    labels = m.get("labels") or {}
    app = labels.get("app.kubernetes.io/name") or labels.get("app") or labels.get("k8s-app", "")
    phase = "Terminating" if m.get("deletionTimestamp") else status.get("phase") or "Unknown"
    return PodHealth(
        namespace=m.get("namespace", ""),
        name=m.get("name", ""),
        phase=phase,
        ready=ready,
        restarts=restarts,
        reason=reason,
        app=app,
    )


def _keep_raw(obj: Raw) -> Raw:
    return obj


class _Kind(msgspec.Struct, frozen=True):
    key: str  # plural resource name, as RBAC spells it
    group: str  # API group ("" = core)
    api: str  # "core" or "apps": which client API object
    namespaced: str  # list function for one namespace
    all_namespaces: str  # list function across namespaces
    convert: Callable[[Raw], Any]


KINDS: tuple[_Kind, ...] = (
    _Kind(
        "events", "", "core", "list_namespaced_event", "list_event_for_all_namespaces", event_from
    ),
    _Kind("pods", "", "core", "list_namespaced_pod", "list_pod_for_all_namespaces", pod_from),
    _Kind(
        "deployments",
        "apps",
        "apps",
        "list_namespaced_deployment",
        "list_deployment_for_all_namespaces",
        _keep_raw,
    ),
    _Kind(
        "replicasets",
        "apps",
        "apps",
        "list_namespaced_replica_set",
        "list_replica_set_for_all_namespaces",
        _keep_raw,
    ),
)


@dataclass(eq=False)
class _Stream:
    """One LIST/WATCH loop: a resource in one namespace (None: all namespaces)."""

    kind: _Kind
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


class _RawWatch(k8s_watch.Watch):
    """A Watch that yields the raw JSON objects: no model decoding (see module doc).

    With no return type the client still raises ApiException for ERROR events, which is how a
    410 inside the stream reaches us.
    """

    def get_return_type(self, func: Any) -> Any:
        return None


# -- errors as one line ------------------------------------------------------------------------


def api_status_message(exc: ApiException) -> str:
    """The `message` of the Status body the API returned, else the raw reason."""
    body = exc.body
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    if body:
        try:
            data = json.loads(body)
        except ValueError:
            return str(body).strip()[:300]
        if isinstance(data, dict) and data.get("message"):
            return str(data["message"])
    return str(exc.reason or "")


def _http_reason(exc: ApiException) -> str:
    reasons = {401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 409: "Conflict"}
    reason = str(exc.reason or "")
    # the watch helper stuffs "Reason: message" into reason; keep only the phrase
    if ":" in reason or not reason:
        reason = reasons.get(int(exc.status or 0), reason.split(":")[0])
    return reason


def action_error(exc: ApiException) -> ActionError:
    return ActionError(f"{exc.status} {_http_reason(exc)}: {api_status_message(exc)}")


def _short_exc(exc: BaseException) -> str:
    """A connection error as a few words, not a urllib3 repr chain."""
    seen: BaseException | None = exc
    text = ""
    while seen is not None:
        text = str(seen)
        nxt = getattr(seen, "reason", None)
        seen = nxt if isinstance(nxt, BaseException) else seen.__cause__
    for needle, short in (
        ("Connection refused", "connection refused"),
        ("timed out", "timed out"),
        ("Name or service not known", "unknown host"),
        ("certificate verify failed", "TLS certificate not trusted"),
        ("Connection reset", "connection reset"),
    ):
        if needle in text or needle in str(exc):
            return short
    return f"{type(exc).__name__}: {text}"[:160]


def _utc_rfc3339(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _selector(deployment: Raw) -> str:
    """The deployment's label selector in query syntax."""
    sel = (deployment.get("spec") or {}).get("selector") or {}
    parts = [f"{k}={v}" for k, v in sorted((sel.get("matchLabels") or {}).items())]
    for expr in sel.get("matchExpressions") or ():
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        if op == "In":
            parts.append(f"{key} in ({','.join(values)})")
        elif op == "NotIn":
            parts.append(f"{key} notin ({','.join(values)})")
        elif op == "Exists":
            parts.append(str(key))
        elif op == "DoesNotExist":
            parts.append(f"!{key}")
    return ",".join(parts)


def _without_hash(template: Raw) -> Raw:
    out = copy.deepcopy(template)
    labels = (out.get("metadata") or {}).get("labels")
    if labels:
        labels.pop(POD_TEMPLATE_HASH, None)
    return out


def rollback_patch(deployment: Raw, target_rs: Raw) -> list[Raw]:
    """The JSON patch `kubectl rollout undo` sends (pkg/polymorphichelpers/rollback.go).

    The target ReplicaSet's pod template minus its pod-template-hash label replaces
    /spec/template; /metadata/annotations becomes the RS's annotations, except the
    revision-bookkeeping ones, which are kept from the Deployment.
    """
    template = _without_hash((target_rs.get("spec") or {}).get("template") or {})
    current = _meta(deployment).get("annotations") or {}
    annotations = {k: v for k, v in current.items() if k in ROLLBACK_KEEP_ANNOTATIONS}
    for key, value in (_meta(target_rs).get("annotations") or {}).items():
        if key not in ROLLBACK_KEEP_ANNOTATIONS:
            annotations[key] = value
    return [
        {"op": "replace", "path": "/spec/template", "value": template},
        {"op": "replace", "path": "/metadata/annotations", "value": annotations},
    ]


def _target(target: Deploy | str) -> tuple[str, str, int | None]:
    """(namespace, deployment, revision or None) from a Deploy row or "namespace/name"."""
    if isinstance(target, Deploy):
        return target.namespace, target.deployment, target.revision
    namespace, sep, name = target.partition("/")
    if not sep or not namespace or not name:
        raise ActionError(f"not a deployment: {target!r} (expected namespace/name)")
    return namespace, name, None


# -- the source --------------------------------------------------------------------------------


class KubernetesSource(Source):
    name = "kubernetes"

    def __init__(
        self,
        config: KubernetesConfig,
        *,
        clock: Clock = time.time,
        read_only: bool = False,
        publish_interval: float = 0.5,
        watch_timeout_s: int = 300,
        backoff_initial_s: float = 0.5,
        backoff_max_s: float = 30.0,
        denied_retry_s: float = 60.0,
    ) -> None:
        super().__init__(interval=publish_interval, clock=clock)
        self.config = config
        self.read_only = read_only
        self.publish_interval = publish_interval
        self.watch_timeout_s = max(1, int(watch_timeout_s))
        self.backoff_initial_s = backoff_initial_s
        self.backoff_max_s = backoff_max_s
        self.denied_retry_s = denied_retry_s
        self.namespaces: tuple[str, ...] = tuple(config.namespaces)
        scopes: tuple[str | None, ...] = self.namespaces or (None,)
        self.streams = [_Stream(kind, ns) for kind in KINDS for ns in scopes]
        self._api_client: k8s.ApiClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._watches: dict[int, k8s_watch.Watch] = {}
        self._lock = threading.Lock()
        self._inbox: list[tuple[Any, ...]] = []
        self._drain_pending = False
        self._dirty = False
        self._publish_handle: asyncio.TimerHandle | None = None
        self._last_publish = 0.0
        self._last_health_ok = 0.0

    # -- client ----------------------------------------------------------------------------

    @property
    def host(self) -> str:
        return self._api_client.configuration.host if self._api_client else "?"

    def _client(self) -> k8s.ApiClient:
        """Load kubeconfig / in-cluster config once; a failure is one line on how to fix it."""
        if self._api_client is not None:
            return self._api_client
        cfg = k8s.Configuration()
        # read KUBECONFIG now: the client's default was frozen at import time
        path = self.config.kubeconfig or os.environ.get("KUBECONFIG") or "~/.kube/config"
        try:
            if self.config.in_cluster:
                k8s_config.load_incluster_config(client_configuration=cfg)
            else:
                k8s_config.load_kube_config(
                    config_file=path,
                    context=self.config.context,
                    client_configuration=cfg,
                    persist_config=False,
                )
        except (k8s_config.ConfigException, OSError, ValueError, TypeError) as exc:
            if self.config.in_cluster:
                raise SourceError(
                    f"kubernetes: cannot load the in-cluster service account: {exc}"
                ) from exc
            raise SourceError(
                f"kubernetes: cannot load kubeconfig {path}: {exc} "
                "(set [kubernetes] kubeconfig/context or KUBECONFIG)"
            ) from exc
        self._api_client = k8s.ApiClient(configuration=cfg)
        return self._api_client

    def _api(self, which: str) -> Any:
        api_client = self._client()
        return {
            "core": k8s.CoreV1Api,
            "apps": k8s.AppsV1Api,
            "authz": k8s.AuthorizationV1Api,
            "version": k8s.VersionApi,
            "coreroot": k8s.CoreApi,
        }[which](api_client)

    # -- lifecycle -------------------------------------------------------------------------

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        while True:
            try:
                await asyncio.to_thread(self._client)
                break
            except SourceError as exc:
                self.mark_down(str(exc))
                await asyncio.sleep(self.backoff_max_s)
        self._stopping.clear()
        for stream in self.streams:
            thread = threading.Thread(
                target=self._worker, args=(stream,), name=f"k8s:{stream.label}", daemon=True
            )
            self._threads.append(thread)
            thread.start()
        try:
            await asyncio.Event().wait()
        finally:
            self._shutdown()

    def _shutdown(self) -> None:
        self._stopping.set()
        with self._lock:
            watches = list(self._watches.values())
        for w in watches:
            w.stop()  # shuts the socket down, so a blocked read returns now
        if self._publish_handle is not None:
            self._publish_handle.cancel()
            self._publish_handle = None

    async def close(self) -> None:
        self._shutdown()
        threads, self._threads = self._threads, []

        def join() -> None:
            deadline = time.monotonic() + 2.0
            for t in threads:
                t.join(max(0.0, deadline - time.monotonic()))

        await asyncio.to_thread(join)
        if self._api_client is not None:
            with contextlib.suppress(Exception):
                self._api_client.close()
            self._api_client = None

    # -- worker threads (blocking) ---------------------------------------------------------

    def _post(self, *msg: Any) -> None:
        """Queue a message for the loop; one wake-up per batch, not per watch event."""
        with self._lock:
            self._inbox.append(msg)
            if self._drain_pending or self._loop is None:
                return
            self._drain_pending = True
        with contextlib.suppress(RuntimeError):  # the loop is closed: we are shutting down
            self._loop.call_soon_threadsafe(self._drain)

    def _wait(self, seconds: float) -> bool:
        """Sleep unless stopping; True when the worker should exit."""
        return self._stopping.wait(seconds)

    def _worker(self, stream: _Stream) -> None:
        kind = stream.kind
        api = self._api(kind.api)
        if stream.namespace is None:
            func, args = getattr(api, kind.all_namespaces), ()
        else:
            func, args = getattr(api, kind.namespaced), (stream.namespace,)
        w = _RawWatch()
        rv: str | None = None
        backoff = self.backoff_initial_s
        gone_streak = 0
        while not self._stopping.is_set():
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
                    self._post("denied", stream, self._denied_text(stream, verb, exc))
                    rv = None  # permissions may change: start over when they do
                    if self._wait(self.denied_retry_s):
                        return
                    continue
                if exc.status == 0 or exc.status is None:
                    text = f"cannot reach the Kubernetes API at {self.host}: {exc.reason}"
                else:
                    text = (
                        f"{verb} {kind.key}{self._where(stream)} failed: {exc.status} "
                        f"{_http_reason(exc)}: {api_status_message(exc)}"
                    )
                self._post("error", stream, text)
                if self._wait(backoff * random.uniform(0.8, 1.2)):
                    return
                backoff = min(self.backoff_max_s, backoff * 2)
            except Exception as exc:
                if self._stopping.is_set():
                    return
                # connection refused/reset, read timeout: back off, resume from rv
                self._post(
                    "error",
                    stream,
                    f"cannot reach the Kubernetes API at {self.host}: {_short_exc(exc)}",
                )
                if self._wait(backoff * random.uniform(0.8, 1.2)):
                    return
                backoff = min(self.backoff_max_s, backoff * 2)

    def _list(self, stream: _Stream, func: Any, args: tuple[Any, ...]) -> str:
        stream.lists += 1
        resp = func(*args, _preload_content=False, _request_timeout=(10, 120))
        try:
            body = json.loads(resp.data)
        finally:
            resp.release_conn()
        convert = stream.kind.convert
        items = {}
        for obj in body.get("items") or ():
            uid = _meta(obj).get("uid")
            if uid:
                items[uid] = convert(obj)
        self._post("reset", stream, items)
        return str(_meta(body).get("resourceVersion") or "0")

    def _watch(
        self, stream: _Stream, w: k8s_watch.Watch, func: Any, args: tuple[Any, ...], rv: str
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
                _request_timeout=(10, timeout + 30),
            ):
                if self._stopping.is_set():
                    break
                kind = event.get("type")
                obj = event.get("raw_object") or {}
                new_rv = _meta(obj).get("resourceVersion")
                if kind in ("ADDED", "MODIFIED", "DELETED"):
                    uid = _meta(obj).get("uid")
                    if uid:
                        value = None if kind == "DELETED" else convert(obj)
                        self._post("apply", stream, uid, value)
                elif kind == "BOOKMARK":
                    self._post("ok", stream)
                if new_rv:
                    rv = str(new_rv)
        finally:
            with self._lock:
                self._watches.pop(id(stream), None)
        self._post("ok", stream)
        return rv

    @staticmethod
    def _where(stream: _Stream) -> str:
        return f" in namespace {stream.namespace}" if stream.namespace else " in all namespaces"

    def _denied_text(self, stream: _Stream, verb: str, exc: ApiException) -> str:
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

    # -- loop thread: maps, health, publishing ---------------------------------------------

    def _drain(self) -> None:
        with self._lock:
            batch, self._inbox = self._inbox, []
            self._drain_pending = False
        if self._stopping.is_set():
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

    # -- remediation -----------------------------------------------------------------------

    def _refuse_if_read_only(self) -> None:
        if self.read_only:
            raise ActionError(READ_ONLY_ERROR)

    async def _call(self, fn: Callable[[], Any]) -> Any:
        try:
            return await asyncio.to_thread(fn)
        except ApiException as exc:
            raise action_error(exc) from exc
        except SourceError as exc:
            raise ActionError(str(exc)) from exc
        except ActionError:
            raise
        except Exception as exc:
            raise ActionError(f"cannot reach the Kubernetes API: {_short_exc(exc)}") from exc

    @staticmethod
    def _json(resp: Any) -> tuple[int, str, Raw]:
        try:
            data = resp.data
            body = json.loads(data) if data else {}
            return int(resp.status), str(resp.reason or ""), body
        finally:
            resp.release_conn()

    def _read_deployment(self, namespace: str, name: str) -> Raw:
        resp = self._api("apps").read_namespaced_deployment(name, namespace, _preload_content=False)
        return self._json(resp)[2]

    def _patch(
        self,
        namespace: str,
        name: str,
        body: Any,
        content_type: str,
        *,
        dry_run: bool,
        subresource: str = "",
    ) -> tuple[int, str, Raw]:
        apps = self._api("apps")
        fn = (
            apps.patch_namespaced_deployment_scale
            if subresource
            else apps.patch_namespaced_deployment
        )
        resp = fn(
            name,
            namespace,
            body,
            dry_run="All" if dry_run else None,
            _content_type=content_type,
            _preload_content=False,
        )
        return self._json(resp)

    def _rollback_plan(self, target: Deploy | str) -> tuple[str, str, list[Raw], str]:
        """(namespace, name, JSON patch, description); sends the dry run. Blocking."""
        namespace, name, before = _target(target)
        deployment = self._read_deployment(namespace, name)
        current_rev = revision_of(deployment)
        if before is None:
            before = current_rev
        if before is None:
            raise ActionError(
                f"{namespace}/{name}: no revision annotation, nothing to roll back to"
            )
        resp = self._api("apps").list_namespaced_replica_set(
            namespace, label_selector=_selector(deployment), _preload_content=False
        )
        replicasets = self._json(resp)[2].get("items") or []
        found = previous_revision(replicasets, _meta(deployment).get("uid", ""), before)
        if found is None:
            raise ActionError(f"{namespace}/{name}: no rollout history before revision {before}")
        target_rev, rs = found
        if (deployment.get("spec") or {}).get("paused"):
            raise ActionError(
                f"{namespace}/{name} is paused: resume it first "
                f"(kubectl rollout resume deployment/{name} -n {namespace})"
            )
        current_template = (deployment.get("spec") or {}).get("template") or {}
        rs_template = (rs.get("spec") or {}).get("template") or {}
        if _without_hash(current_template) == _without_hash(rs_template):
            raise ActionError(
                f"{namespace}/{name}: the current template already matches revision "
                f"{target_rev}; nothing to roll back"
            )
        patch = rollback_patch(deployment, rs)
        _, _, dry = self._patch(namespace, name, patch, JSON_PATCH, dry_run=True)
        # describe what the server says the result would be, not what we hoped to send
        after = template_images(((dry.get("spec") or {}).get("template")) or rs_template)
        before_images = template_images(current_template)
        change = image_change(before_images, after)
        what = (
            f"image {change}"
            if change
            else f"pod template (images unchanged: {images_text(after)})"
        )
        rev_text = f"rev {current_rev}" if current_rev is not None else "current"
        desc = f"{namespace}/{name}: {what} ({rev_text} -> template of rev {target_rev})"
        return namespace, name, patch, desc

    async def plan_rollback(self, deploy: Deploy) -> str:
        self._refuse_if_read_only()
        return (await self._call(lambda: self._rollback_plan(deploy)))[3]

    async def rollback(self, deploy: Deploy) -> str:
        self._refuse_if_read_only()

        def go() -> str:
            namespace, name, patch, desc = self._rollback_plan(deploy)  # includes the dry run
            status, reason, _ = self._patch(namespace, name, patch, JSON_PATCH, dry_run=False)
            return f"{status} {reason}: {desc}"

        return await self._call(go)

    def _restart_plan(self, target: Deploy | str) -> tuple[str, str, Raw, str]:
        namespace, name, _ = _target(target)
        deployment = self._read_deployment(namespace, name)
        if (deployment.get("spec") or {}).get("paused"):
            raise ActionError(
                f"{namespace}/{name} is paused: resume it first, a restart would not roll out"
            )
        stamp = _utc_rfc3339(self.clock())
        body = {"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: stamp}}}}}
        self._patch(namespace, name, body, STRATEGIC_PATCH, dry_run=True)
        replicas = (deployment.get("spec") or {}).get("replicas", 1)
        desc = f"{namespace}/{name}: rolling restart of {replicas} pod(s) ({RESTARTED_AT}={stamp})"
        return namespace, name, body, desc

    async def plan_restart(self, target: Deploy | str) -> str:
        self._refuse_if_read_only()
        return (await self._call(lambda: self._restart_plan(target)))[3]

    async def restart(self, target: Deploy | str) -> str:
        """`kubectl rollout restart`: a new restartedAt stamp makes a new pod template."""
        self._refuse_if_read_only()

        def go() -> str:
            namespace, name, body, desc = self._restart_plan(target)
            status, reason, _ = self._patch(namespace, name, body, STRATEGIC_PATCH, dry_run=False)
            return f"{status} {reason}: {desc}"

        return await self._call(go)

    def _scale_plan(self, target: Deploy | str, replicas: int) -> tuple[str, str, Raw, str]:
        namespace, name, _ = _target(target)
        if replicas < 0:
            raise ActionError(f"replicas must be 0 or more, not {replicas}")
        resp = self._api("apps").read_namespaced_deployment_scale(
            name, namespace, _preload_content=False
        )
        current = (self._json(resp)[2].get("spec") or {}).get("replicas", 0)
        body = {"spec": {"replicas": replicas}}
        _, _, dry = self._patch(
            namespace, name, body, MERGE_PATCH, dry_run=True, subresource="scale"
        )
        after = (dry.get("spec") or {}).get("replicas", replicas)
        return namespace, name, body, f"{namespace}/{name}: replicas {current} -> {after}"

    async def plan_scale(self, target: Deploy | str, replicas: int) -> str:
        self._refuse_if_read_only()
        return (await self._call(lambda: self._scale_plan(target, replicas)))[3]

    async def scale(self, target: Deploy | str, replicas: int) -> str:
        """`kubectl scale`: a merge patch of the scale subresource."""
        self._refuse_if_read_only()

        def go() -> str:
            namespace, name, body, desc = self._scale_plan(target, replicas)
            status, reason, _ = self._patch(
                namespace, name, body, MERGE_PATCH, dry_run=False, subresource="scale"
            )
            return f"{status} {reason}: {desc}"

        return await self._call(go)

    # the Remediator protocol: one fixed table, each action's typed method

    remediations: frozenset[str] = frozenset(REMEDIATIONS)

    async def plan(self, action: str, deploy: Deploy, **params: Any) -> str:
        if action == "rollback":
            return await self.plan_rollback(deploy)
        if action == "restart":
            return await self.plan_restart(deploy)
        if action == "scale":
            return await self.plan_scale(deploy, replicas_param(params))
        raise unsupported(action)

    async def apply(self, action: str, deploy: Deploy, **params: Any) -> str:
        if action == "rollback":
            return await self.rollback(deploy)
        if action == "restart":
            return await self.restart(deploy)
        if action == "scale":
            return await self.scale(deploy, replicas_param(params))
        raise unsupported(action)

    # -- doctor ----------------------------------------------------------------------------

    PERMISSIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
        ("", "events", ("list", "watch")),
        ("", "pods", ("list", "watch")),
        ("apps", "deployments", ("list", "watch", "patch")),
        ("apps", "replicasets", ("list", "watch")),
    )

    async def doctor_checks(self) -> list[tuple[str, bool, str]]:
        """(check, ok, detail) rows: config, reachability, auth, RBAC per namespace."""
        return await asyncio.to_thread(self._doctor)

    def _doctor(self) -> list[tuple[str, bool, str]]:
        rows: list[tuple[str, bool, str]] = []
        try:
            self._client()
        except SourceError as exc:
            return [("kubernetes: config", False, str(exc))]
        rows.append(("kubernetes: config", True, f"API server {self.host}"))
        try:
            resp = self._api("version").get_code(_preload_content=False, _request_timeout=(5, 10))
            version = self._json(resp)[2].get("gitVersion", "?")
            rows.append(("kubernetes: API reachable", True, f"{self.host} ({version})"))
        except ApiException as exc:
            if not exc.status:  # no HTTP answer at all
                rows.append(("kubernetes: API reachable", False, f"{self.host}: {exc.reason}"))
                return rows
            # any HTTP answer (even 401/404) means the server is there; auth is checked next
            rows.append(("kubernetes: API reachable", True, f"{self.host} (HTTP {exc.status})"))
        except Exception as exc:
            rows.append(("kubernetes: API reachable", False, f"{self.host}: {_short_exc(exc)}"))
            return rows
        try:
            resp = self._api("coreroot").get_api_versions(
                _preload_content=False, _request_timeout=(5, 10)
            )
            self._json(resp)
            rows.append(("kubernetes: auth accepted", True, "credentials accepted"))
        except ApiException as exc:
            detail = str(action_error(exc))
            if exc.status == 401:
                detail += " (refresh the kubeconfig user's token or certificate)"
            rows.append(("kubernetes: auth accepted", exc.status != 401, detail))
            if exc.status == 401:
                return rows
        except Exception as exc:
            rows.append(("kubernetes: auth accepted", False, _short_exc(exc)))
            return rows
        for namespace in self.namespaces or ("",):
            where = f"namespace {namespace}" if namespace else "all namespaces"
            for group, resource, verbs in self.PERMISSIONS:
                missing = []
                try:
                    for verb in verbs:
                        if not self._can(namespace, group, resource, verb):
                            missing.append(verb)
                except ApiException as exc:
                    rows.append(
                        (f"kubernetes: {resource} in {where}", False, str(action_error(exc)))
                    )
                    continue
                name = f"kubernetes: {'/'.join(verbs)} {resource} in {where}"
                if missing:
                    rows.append((name, False, f"missing: grant {'/'.join(missing)} on {resource}"))
                else:
                    rows.append((name, True, "allowed"))
        return rows

    def _can(self, namespace: str, group: str, resource: str, verb: str) -> bool:
        review = k8s.V1SelfSubjectAccessReview(
            api_version="authorization.k8s.io/v1",
            kind="SelfSubjectAccessReview",
            spec=k8s.V1SelfSubjectAccessReviewSpec(
                resource_attributes=k8s.V1ResourceAttributes(
                    namespace=namespace or None, group=group, resource=resource, verb=verb
                )
            ),
        )
        resp = self._api("authz").create_self_subject_access_review(
            review, _preload_content=False, _request_timeout=(5, 10)
        )
        return bool((self._json(resp)[2].get("status") or {}).get("allowed"))

    # -- figures ---------------------------------------------------------------------------

    def request_counts(self) -> dict[str, int]:
        """LIST and WATCH requests sent so far (for the benchmark and tests)."""
        return {
            "lists": sum(s.lists for s in self.streams),
            "watches": sum(s.watches for s in self.streams),
        }
