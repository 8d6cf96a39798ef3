"""A loopback Kubernetes API server for tests and the benchmark: stdlib http.server, threads.

It speaks the real wire format for the paths cockpit uses, so the real `kubernetes` client is
exercised end to end: List objects with metadata.resourceVersion, chunked newline-delimited
watch streams from a resourceVersion (ADDED/MODIFIED/DELETED/BOOKMARK/ERROR), 410 Gone for a
compacted resourceVersion (as an ERROR event or as an HTTP 410), 401/403 Status bodies, PATCH
(JSON patch, merge and strategic merge, dryRun=All), the scale subresource,
SelfSubjectAccessReview and pods/{name}/log (follow, previous, timestamps, sinceSeconds,
tailLines, limitBytes; a follow stream can be cut mid-way). Every request is recorded.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

Raw = dict[str, Any]

KINDS = {
    "events": ("Event", "v1"),
    "pods": ("Pod", "v1"),
    "deployments": ("Deployment", "apps/v1"),
    "replicasets": ("ReplicaSet", "apps/v1"),
}
GROUPS = {"events": "", "pods": "", "deployments": "apps", "replicasets": "apps"}

PATH = re.compile(
    r"^/(?:api/v1|apis/apps/v1)(?:/namespaces/(?P<ns>[^/]+))?/(?P<res>events|pods|deployments|"
    r"replicasets)(?:/(?P<name>[^/]+))?(?:/(?P<sub>scale))?$"
)
LOG_PATH = re.compile(r"^/api/v1/namespaces/(?P<ns>[^/]+)/pods/(?P<name>[^/]+)/log$")
EPOCH = datetime(2026, 11, 28, 19, 0, 0, tzinfo=UTC)


def rfc3339nano(epoch_ns: int) -> str:
    """The kubelet's stamp: RFC 3339 with nanoseconds, trailing zeros trimmed."""
    seconds, nanos = divmod(epoch_ns, 1_000_000_000)
    base = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    frac = f"{nanos:09d}".rstrip("0")
    return f"{base}.{frac}Z" if frac else f"{base}Z"


def ts(seconds: float) -> str:
    return (EPOCH + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def status(code: int, reason: str, message: str, kind: str = "") -> Raw:
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "details": {"kind": kind} if kind else {},
        "code": code,
    }


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    content_type: str = ""
    body: Any = None
    list_rv: str | None = None  # the resourceVersion a LIST answered with

    @property
    def resource(self) -> str | None:
        m = PATH.match(self.path)
        return m.group("res") if m else None

    @property
    def is_watch(self) -> bool:
        return self.query.get("watch") in ("1", "true", "True")

    @property
    def is_list(self) -> bool:
        m = PATH.match(self.path)
        return bool(self.method == "GET" and m and not m.group("name") and not self.is_watch)


@dataclass
class Store:
    """Objects by resource and (namespace, name), a global resourceVersion and the change log."""

    rv: int = 1000
    objects: dict[str, dict[tuple[str, str], Raw]] = field(
        default_factory=lambda: {k: {} for k in KINDS}
    )
    log: list[tuple[int, str | None, str, Raw]] = field(default_factory=list)
    compacted: int = 0  # a watch from a resourceVersion below this gets 410 Gone
    kill_gen: int = 0  # bumping it sends ERROR 410 to every open watch
    close_gen: int = 0  # bumping it ends every open watch normally
    cut_rv: int = 0  # a watch ended by kill/close delivers nothing after this resourceVersion
    cond: threading.Condition = field(default_factory=threading.Condition)


class FakeApiServer:
    def __init__(self, token: str = "test-token") -> None:
        self.token = token
        self.store = Store()
        self.requests: list[Request] = []
        self.patches: list[Request] = []
        self.forbidden: set[tuple[str, str | None]] = set()  # (resource, namespace or None=all)
        self.denied_verbs: dict[str, set[str]] = {}  # resource -> verbs SSAR says no to
        self.expire_mode = "event"  # how a too-old watch is refused: "event" or "http"
        self.list_gate: dict[str, threading.Event] = {}  # resource -> LISTs wait for it
        self.lists_waiting: dict[str, int] = {}
        self.closing = False
        # container logs: (namespace, pod, container, previous) -> [(epoch ns, text)]
        self.pod_logs: dict[tuple[str, str, str, bool], list[tuple[int, str]]] = {}
        self.log_gen = 0  # bumping it cuts every open follow stream (a dropped connection)
        self.log_clock = time.time  # "now" for sinceSeconds
        handler = type("Handler", (_Handler,), {"api": self})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> FakeApiServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.closing = True
        for gate in self.list_gate.values():
            gate.set()
        with self.store.cond:
            self.store.close_gen += 1
            self.store.cond.notify_all()
        self.httpd.shutdown()
        self.httpd.server_close()

    def write_kubeconfig(self, path: Path, namespace: str = "default") -> Path:
        path.write_text(
            json.dumps(
                {
                    "apiVersion": "v1",
                    "kind": "Config",
                    "clusters": [{"name": "fake", "cluster": {"server": self.url}}],
                    "users": [{"name": "tester", "user": {"token": self.token}}],
                    "contexts": [
                        {
                            "name": "fake",
                            "context": {
                                "cluster": "fake",
                                "user": "tester",
                                "namespace": namespace,
                            },
                        }
                    ],
                    "current-context": "fake",
                }
            )
        )
        return path

    # -- store operations (tests call these) ----------------------------------------------

    def _bump(self) -> int:
        self.store.rv += 1
        return self.store.rv

    def create(self, resource: str, obj: Raw) -> Raw:
        with self.store.cond:
            obj = copy.deepcopy(obj)
            kind, api_version = KINDS[resource]
            obj.setdefault("kind", kind)
            obj.setdefault("apiVersion", api_version)
            meta = obj.setdefault("metadata", {})
            meta.setdefault("namespace", "default")
            meta.setdefault("uid", str(uuid.uuid4()))
            rv = self._bump()
            meta["resourceVersion"] = str(rv)
            meta.setdefault("creationTimestamp", ts(rv - 1000))
            meta.setdefault("generation", 1)
            self.store.objects[resource][(meta["namespace"], meta["name"])] = obj
            self.store.log.append((rv, resource, "ADDED", copy.deepcopy(obj)))
            self.store.cond.notify_all()
            return obj

    def create_many(self, resource: str, objs: list[Raw]) -> None:
        """Bulk create without waking watchers per object (benchmark setup)."""
        with self.store.cond:
            kind, api_version = KINDS[resource]
            for obj in objs:
                obj.setdefault("kind", kind)
                obj.setdefault("apiVersion", api_version)
                meta = obj.setdefault("metadata", {})
                meta.setdefault("namespace", "default")
                meta.setdefault("uid", str(uuid.uuid4()))
                rv = self._bump()
                meta["resourceVersion"] = str(rv)
                meta.setdefault("creationTimestamp", ts(rv - 1000))
                self.store.objects[resource][(meta["namespace"], meta["name"])] = obj
            # history before now is not watchable: as if compacted right after setup
            self.store.compacted = max(self.store.compacted, 0)

    def update(self, resource: str, namespace: str, name: str, change: Any) -> Raw:
        with self.store.cond:
            obj = self.store.objects[resource][(namespace, name)]
            change(obj)
            rv = self._bump()
            obj["metadata"]["resourceVersion"] = str(rv)
            self.store.log.append((rv, resource, "MODIFIED", copy.deepcopy(obj)))
            self.store.cond.notify_all()
            return obj

    def delete(self, resource: str, namespace: str, name: str) -> None:
        with self.store.cond:
            obj = self.store.objects[resource].pop((namespace, name))
            rv = self._bump()
            obj["metadata"]["resourceVersion"] = str(rv)
            self.store.log.append((rv, resource, "DELETED", copy.deepcopy(obj)))
            self.store.cond.notify_all()

    def get(self, resource: str, namespace: str, name: str) -> Raw:
        with self.store.cond:
            return copy.deepcopy(self.store.objects[resource][(namespace, name)])

    def bookmark(self) -> int:
        """Send a BOOKMARK at the current resourceVersion to every watch that asked for them."""
        with self.store.cond:
            rv = self.store.rv
            self.store.log.append((rv, None, "BOOKMARK", {}))
            self.store.cond.notify_all()
            return rv

    def expire(self, mode: str = "event") -> None:
        """Compact history: open watches get ERROR 410, older resourceVersions are refused."""
        with self.store.cond:
            self.expire_mode = mode
            self.store.compacted = self._bump()
            self.store.cut_rv = self.store.rv
            if mode == "event":
                self.store.kill_gen += 1
            else:  # end the watches normally; their restart from the old rv gets HTTP 410
                self.store.close_gen += 1
            self.store.cond.notify_all()

    def close_watches(self) -> None:
        """End every open watch normally, as a server-side timeout does."""
        with self.store.cond:
            self.store.cut_rv = self.store.rv
            self.store.close_gen += 1
            self.store.cond.notify_all()

    def hold_lists(self, resource: str) -> None:
        self.list_gate[resource] = threading.Event()

    def release_lists(self, resource: str) -> None:
        gate = self.list_gate.pop(resource, None)
        if gate:
            gate.set()

    def forbid(self, resource: str, namespace: str | None = None) -> None:
        self.forbidden.add((resource, namespace))

    def is_forbidden(self, resource: str, namespace: str | None) -> bool:
        return (resource, None) in self.forbidden or (resource, namespace) in self.forbidden

    def add_log(
        self,
        namespace: str,
        pod: str,
        text: str,
        *,
        container: str = "app",
        previous: bool = False,
        at: float | None = None,
    ) -> int:
        """A line the container wrote at `at` (epoch s, default now); returns its epoch ns."""
        at_ns = time.time_ns() if at is None else round(at * 1e9)
        with self.store.cond:
            self.pod_logs.setdefault((namespace, pod, container, previous), []).append(
                (at_ns, text)
            )
            self.store.cond.notify_all()
        return at_ns

    def cut_log_streams(self) -> None:
        """Drop every open follow stream, as a kubelet restart or a proxy timeout does."""
        with self.store.cond:
            self.log_gen += 1
            self.store.cond.notify_all()

    def log_requests(self) -> list[Request]:
        return [r for r in list(self.requests) if LOG_PATH.match(r.path)]

    # -- figures for assertions -----------------------------------------------------------

    def count(self, *, resource: str | None = None, watch: bool | None = None) -> int:
        n = 0
        for r in list(self.requests):
            if resource is not None and r.resource != resource:
                continue
            if watch is True and not r.is_watch:
                continue
            if watch is False and not r.is_list:
                continue
            n += 1
        return n

    def watches(self, resource: str) -> list[Request]:
        return [r for r in list(self.requests) if r.resource == resource and r.is_watch]

    def lists(self, resource: str | None = None) -> list[Request]:
        return [
            r
            for r in list(self.requests)
            if r.is_list and (resource is None or r.resource == resource)
        ]


class _Handler(BaseHTTPRequestHandler):
    api: FakeApiServer
    protocol_version = "HTTP/1.1"  # keep-alive, and chunked watch streams

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    # -- plumbing ------------------------------------------------------------------------

    def _send(self, code: int, body: Raw, reason: str | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(code, reason)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _request(self) -> Request | None:
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        body = None
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode()
        req = Request(self.command, parts.path, query, self.headers.get("Content-Type", ""), body)
        self.api.requests.append(req)
        if self.headers.get("Authorization") != f"Bearer {self.api.token}":
            self._send(401, status(401, "Unauthorized", "Unauthorized"))
            return None
        return req

    def do_GET(self) -> None:
        req = self._request()
        if req is None:
            return
        if req.path.rstrip("/") == "/version":
            self._send(200, {"major": "1", "minor": "31", "gitVersion": "v1.31.0-fake"})
            return
        if req.path.rstrip("/") == "/api":
            self._send(200, {"kind": "APIVersions", "versions": ["v1"]})
            return
        log = LOG_PATH.match(req.path)
        if log:
            self._log(req, log.group("ns"), log.group("name"))
            return
        m = PATH.match(req.path)
        if not m:
            self._send(404, status(404, "NotFound", f"the server could not find {req.path}"))
            return
        res, ns, name, sub = m.group("res"), m.group("ns"), m.group("name"), m.group("sub")
        verb = "watch" if req.is_watch else ("get" if name else "list")
        if self.api.is_forbidden(res, ns):
            where = f' in the namespace "{ns}"' if ns else " at the cluster scope"
            msg = (
                f'{res} is forbidden: User "tester" cannot {verb} resource "{res}" in API '
                f'group "{GROUPS[res]}"{where}'
            )
            self._send(403, status(403, "Forbidden", msg, res))
            return
        if name:
            self._get_one(res, ns or "", name, sub)
        elif req.is_watch:
            self._watch(req, res, ns)
        else:
            self._list(req, res, ns, req.query.get("labelSelector", ""))

    def _get_one(self, res: str, ns: str, name: str, sub: str | None) -> None:
        with self.api.store.cond:
            obj = self.api.store.objects[res].get((ns, name))
            obj = copy.deepcopy(obj)
        if obj is None:
            qualified = f"{res}.{GROUPS[res]}" if GROUPS[res] else res
            self._send(404, status(404, "NotFound", f'{qualified} "{name}" not found', res))
        elif sub == "scale":
            self._send(200, _scale_of(obj))
        else:
            self._send(200, obj)

    def _list(self, req: Request, res: str, ns: str | None, selector: str) -> None:
        gate = self.api.list_gate.get(res)
        if gate is not None:
            self.api.lists_waiting[res] = self.api.lists_waiting.get(res, 0) + 1
            gate.wait(10)
        wanted = dict(p.split("=", 1) for p in selector.split(",") if "=" in p)
        with self.api.store.cond:
            items = [
                o
                for (o_ns, _), o in self.api.store.objects[res].items()
                if (ns is None or o_ns == ns)
                and all((o["metadata"].get("labels") or {}).get(k) == v for k, v in wanted.items())
            ]
            kind, api_version = KINDS[res]
            body = {
                "kind": f"{kind}List",
                "apiVersion": api_version,
                "metadata": {"resourceVersion": str(self.api.store.rv)},
                "items": items,
            }
            data = json.dumps(body).encode()  # under the lock: a consistent snapshot
            req.list_rv = body["metadata"]["resourceVersion"]
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _watch(self, req: Request, res: str, ns: str | None) -> None:
        store = self.api.store
        since = int(req.query.get("resourceVersion") or 0)
        timeout = float(req.query.get("timeoutSeconds") or 1800)
        bookmarks = req.query.get("allowWatchBookmarks") in ("true", "1", "True")
        kind, api_version = KINDS[res]
        gone = status(410, "Expired", f"too old resource version: {since} ({store.compacted})")
        if since < store.compacted and self.api.expire_mode == "http":
            self._send(410, gone)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            if since < store.compacted:
                self._chunk(json.dumps({"type": "ERROR", "object": gone}).encode() + b"\n")
                self._chunk(b"")
                return
            deadline = time.monotonic() + timeout
            with store.cond:
                pos = 0
                while pos < len(store.log) and store.log[pos][0] <= since:
                    pos += 1
                kill_gen, close_gen = store.kill_gen, store.close_gen
            while True:
                with store.cond:
                    while (
                        pos >= len(store.log)
                        and store.kill_gen == kill_gen
                        and store.close_gen == close_gen
                        and not self.api.closing
                    ):
                        left = deadline - time.monotonic()
                        if left <= 0:
                            break
                        store.cond.wait(left)
                    batch = store.log[pos:]
                    pos = len(store.log)
                    killed = store.kill_gen != kill_gen
                    closed = store.close_gen != close_gen or self.api.closing
                    if killed or closed:  # later changes belong to the next watch
                        batch = [entry for entry in batch if entry[0] <= store.cut_rv]
                lines = []
                for rv, r, type_, obj in batch:
                    if type_ == "BOOKMARK":
                        if bookmarks:
                            bm = {
                                "kind": kind,
                                "apiVersion": api_version,
                                "metadata": {"resourceVersion": str(rv)},
                            }
                            lines.append(json.dumps({"type": "BOOKMARK", "object": bm}))
                        continue
                    if r != res or (ns is not None and obj["metadata"].get("namespace") != ns):
                        continue
                    lines.append(json.dumps({"type": type_, "object": obj}))
                if lines:
                    self._chunk(("\n".join(lines) + "\n").encode())
                if killed:
                    gone = status(410, "Expired", "too old resource version")
                    self._chunk(json.dumps({"type": "ERROR", "object": gone}).encode() + b"\n")
                    break
                if closed or time.monotonic() >= deadline:
                    break
            self._chunk(b"")
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True

    def _log(self, req: Request, ns: str, name: str) -> None:
        """GET pods/{name}/log as the API server answers it (text/plain, chunked when following)."""
        api, q = self.api, req.query
        if api.is_forbidden("pods/log", ns):
            msg = (
                f'pods "{name}" is forbidden: User "tester" cannot get resource "pods/log" '
                f'in API group "" in the namespace "{ns}"'
            )
            self._send(403, status(403, "Forbidden", msg, "pods"))
            return
        with api.store.cond:
            pod_obj = api.store.objects["pods"].get((ns, name))
        if pod_obj is None:
            self._send(404, status(404, "NotFound", f'pods "{name}" not found', "pods"))
            return
        spec = pod_obj.get("spec") or {}
        names = [c["name"] for c in (spec.get("initContainers") or []) + spec.get("containers", [])]
        container = q.get("container") or ""
        if not container:
            regular = [c["name"] for c in spec.get("containers", [])]
            if len(regular) != 1:
                choose = " ".join(regular)
                msg = (
                    f"a container name must be specified for pod {name}, choose one of: [{choose}]"
                )
                self._send(400, status(400, "BadRequest", msg))
                return
            container = regular[0]
        if container not in names:
            msg = f"container {container} is not valid for pod {name}"
            self._send(400, status(400, "BadRequest", msg))
            return
        previous = q.get("previous") in ("true", "1", "True")
        key = (ns, name, container, previous)
        if previous and key not in api.pod_logs:
            msg = f'previous terminated container "{container}" in pod "{name}" not found'
            self._send(400, status(400, "BadRequest", msg))
            return
        stamps = q.get("timestamps") in ("true", "1", "True")
        follow = q.get("follow") in ("true", "1", "True") and not previous
        since = q.get("sinceSeconds")
        floor = int((api.log_clock() - int(since)) * 1e9) if since else 0
        tail = int(q["tailLines"]) if q.get("tailLines") else None
        budget = int(q["limitBytes"]) if q.get("limitBytes") else None

        def render(entries: list[tuple[int, str]]) -> bytes:
            out = [(f"{rfc3339nano(at)} {text}" if stamps else text) for at, text in entries]
            return "".join(line + "\n" for line in out).encode()

        with api.store.cond:
            lines = [e for e in api.pod_logs.get(key, []) if e[0] >= floor]
            pos = len(api.pod_logs.get(key, []))
            gen = api.log_gen
        if tail is not None:
            lines = lines[-tail:] if tail else []
        first = render(lines)
        if budget is not None:
            first = first[:budget]
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            if first:
                self._chunk(first)
            while follow:
                with api.store.cond:
                    while (
                        len(api.pod_logs.get(key, [])) <= pos
                        and api.log_gen == gen
                        and not api.closing
                    ):
                        api.store.cond.wait(1.0)
                    if api.log_gen != gen or api.closing:
                        # a dropped connection: no clean end of the chunked body
                        self.close_connection = True
                        self.connection.shutdown(2)
                        return
                    batch = api.pod_logs[key][pos:]
                    pos += len(batch)
                self._chunk(render(batch))
            self._chunk(b"")
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True

    def do_POST(self) -> None:
        req = self._request()
        if req is None:
            return
        if req.path == "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews":
            attrs = (req.body.get("spec") or {}).get("resourceAttributes") or {}
            res, verb, ns = attrs.get("resource"), attrs.get("verb"), attrs.get("namespace")
            if attrs.get("subresource"):
                res = f"{res}/{attrs['subresource']}"
            allowed = not self.api.is_forbidden(res, ns or None) and verb not in (
                self.api.denied_verbs.get(res) or set()
            )
            out = dict(req.body)
            out["status"] = {"allowed": allowed}
            self._send(201, out)
            return
        self._send(404, status(404, "NotFound", f"the server could not find {req.path}"))

    def do_PATCH(self) -> None:
        req = self._request()
        if req is None:
            return
        self.api.patches.append(req)
        m = PATH.match(req.path)
        if not m or m.group("res") != "deployments" or not m.group("name"):
            self._send(405, status(405, "MethodNotAllowed", "not supported by the fake"))
            return
        ns, name, sub = m.group("ns"), m.group("name"), m.group("sub")
        if "patch" in (self.api.denied_verbs.get("deployments") or set()):
            msg = (
                f'deployments.apps "{name}" is forbidden: User "tester" cannot patch resource '
                f'"deployments" in API group "apps" in the namespace "{ns}"'
            )
            self._send(403, status(403, "Forbidden", msg, "deployments"))
            return
        dry = req.query.get("dryRun") == "All"
        store = self.api.store
        with store.cond:
            current = store.objects["deployments"].get((ns, name))
            if current is None:
                self._send(404, status(404, "NotFound", f'deployments.apps "{name}" not found'))
                return
            if sub == "scale":
                result = _apply(_scale_of(current), req.content_type, req.body)
                new = copy.deepcopy(current)
                new["spec"]["replicas"] = result["spec"]["replicas"]
            else:
                new = _apply(current, req.content_type, req.body)
                if new.get("spec") != current.get("spec"):
                    new["metadata"]["generation"] = current["metadata"].get("generation", 1) + 1
            if not dry:
                rv = self.api._bump()
                new["metadata"]["resourceVersion"] = str(rv)
                store.objects["deployments"][(ns, name)] = new
                store.log.append((rv, "deployments", "MODIFIED", copy.deepcopy(new)))
                store.cond.notify_all()
        self._send(200, _scale_of(new) if sub == "scale" else new)


def _scale_of(deployment: Raw) -> Raw:
    meta = deployment["metadata"]
    replicas = (deployment.get("spec") or {}).get("replicas", 1)
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            "name": meta["name"],
            "namespace": meta["namespace"],
            "uid": meta["uid"],
            "resourceVersion": meta["resourceVersion"],
        },
        "spec": {"replicas": replicas},
        "status": {"replicas": replicas},
    }


def _merge(target: Any, patch: Any) -> Any:
    if not isinstance(patch, dict) or not isinstance(target, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(target)
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = _merge(out.get(key), value)
    return out


def _apply(obj: Raw, content_type: str, body: Any) -> Raw:
    if content_type.startswith("application/json-patch+json"):
        out = copy.deepcopy(obj)
        for op in body:
            keys = [k.replace("~1", "/").replace("~0", "~") for k in op["path"].split("/")[1:]]
            parent = out
            for k in keys[:-1]:
                parent = parent.setdefault(k, {})
            if op["op"] in ("replace", "add"):
                parent[keys[-1]] = copy.deepcopy(op["value"])
            elif op["op"] == "remove":
                parent.pop(keys[-1], None)
        return out
    # merge patch; strategic merge behaves the same for the maps cockpit sends
    return _merge(obj, body)


# -- object factories -------------------------------------------------------------------------


def pod(
    name: str,
    namespace: str = "shop",
    *,
    app: str = "checkout",
    ready: bool = True,
    restarts: int = 0,
    waiting: str = "",
    last_terminated: str = "",
    last_exit: int = 137,
    last_finished: str = "",
    sidecars: tuple[str, ...] = (),
    init_containers: tuple[str, ...] = (),
) -> Raw:
    state: Raw = {"waiting": {"reason": waiting}} if waiting else {"running": {}}
    cs: Raw = {"name": "app", "ready": ready, "restartCount": restarts, "state": state}
    if last_terminated:
        terminated: Raw = {"reason": last_terminated, "exitCode": last_exit}
        if last_finished:
            terminated["finishedAt"] = last_finished
        cs["lastState"] = {"terminated": terminated}
    extra = [
        {"name": c, "ready": True, "restartCount": 0, "state": {"running": {}}} for c in sidecars
    ]
    inits = [
        {
            "name": c,
            "ready": True,
            "restartCount": 0,
            "state": {"terminated": {"reason": "Completed", "exitCode": 0}},
        }
        for c in init_containers
    ]
    spec: Raw = {
        "containers": [{"name": "app", "image": "registry/checkout:v1"}]
        + [{"name": c, "image": "registry/sidecar:v1"} for c in sidecars]
    }
    if init_containers:
        spec["initContainers"] = [{"name": c, "image": "registry/init:v1"} for c in init_containers]
    return {
        "metadata": {"name": name, "namespace": namespace, "labels": {"app": app}},
        "spec": spec,
        "status": {
            "phase": "Running",
            "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
            "containerStatuses": [cs, *extra],
            **({"initContainerStatuses": inits} if inits else {}),
        },
    }


def event(
    name: str,
    namespace: str = "shop",
    *,
    type_: str = "Warning",
    reason: str = "BackOff",
    obj: str = "Pod/checkout-1",
    message: str = "Back-off restarting failed container",
    at: float = 0.0,
) -> Raw:
    kind, _, obj_name = obj.partition("/")
    return {
        "metadata": {"name": name, "namespace": namespace},
        "involvedObject": {"kind": kind, "name": obj_name, "namespace": namespace},
        "type": type_,
        "reason": reason,
        "message": message,
        "count": 1,
        "firstTimestamp": ts(at),
        "lastTimestamp": ts(at),
    }


def template(image: str, app: str = "checkout", pod_hash: str = "") -> Raw:
    labels = {"app": app}
    if pod_hash:
        labels["pod-template-hash"] = pod_hash
    return {
        "metadata": {"labels": labels},
        "spec": {"containers": [{"name": "app", "image": image}]},
    }


def deployment(
    name: str, namespace: str = "shop", *, image: str, revision: int, replicas: int = 3
) -> Raw:
    return {
        "metadata": {
            "name": name,
            "namespace": namespace,
            "annotations": {
                "deployment.kubernetes.io/revision": str(revision),
                "kubectl.kubernetes.io/last-applied-configuration": "{}",
            },
        },
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": template(image, app=name),
        },
    }


def replicaset(owner: Raw, *, image: str, revision: int, cause: str = "", at: float = 0) -> Raw:
    name = owner["metadata"]["name"]
    pod_hash = f"h{revision:04d}"
    annotations = {
        "deployment.kubernetes.io/revision": str(revision),
        "deployment.kubernetes.io/desired-replicas": "3",
        "deployment.kubernetes.io/max-replicas": "4",
    }
    if cause:
        annotations["kubernetes.io/change-cause"] = cause
    return {
        "metadata": {
            "name": f"{name}-{pod_hash}",
            "namespace": owner["metadata"]["namespace"],
            "labels": {"app": name, "pod-template-hash": pod_hash},
            "annotations": annotations,
            "creationTimestamp": ts(at),
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "kind": "Deployment",
                    "name": name,
                    "uid": owner["metadata"]["uid"],
                    "controller": True,
                }
            ],
        },
        "spec": {
            "replicas": 0,
            "selector": {"matchLabels": {"app": name, "pod-template-hash": pod_hash}},
            "template": template(image, app=name, pod_hash=pod_hash),
        },
    }
