"""Container logs of the demo incident, a pure function of (seed, pod, time).

The checkout v2.4.0 pods start, serve requests while their price cache grows, warn about GC,
and die with the JVM's `java.lang.OutOfMemoryError` and its stack (the kernel then OOM-kills
the container: exit 137). Each restart is a new container with the same story, so
`previous=true` shows the last crash. Healthy pods log requests; cart and payments log JSON,
frontend colours its level with SGR (as many Node loggers do). After a rollback the new
pods are healthy, so the logs calm down. Checkout pods run an init container (`migrate`)
before the app, as many services do for schema migrations: a multi-container pod to pick in.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Protocol

from cockpit.model import ContainerInfo, LogLine, LogTarget
from cockpit.sources.base import SourceError
from cockpit.sources.demo_story import NAMESPACE, iso, unit

SLOT_S = 0.5  # a pod writes at most one request line per half second
KEEP_S = 900.0  # what the "node" still has of a container's log (rotation)
POLL_S = 0.25  # how often a follow stream looks for new lines
JSON_SERVICES = ("cart", "payments")

_OOM_STACK = (
    'Exception in thread "http-nio-8080-exec-7" java.lang.OutOfMemoryError: Java heap space',
    "\tat java.base/java.util.HashMap.resize(HashMap.java:702)",
    "\tat java.base/java.util.HashMap.putVal(HashMap.java:661)",
    "\tat com.example.checkout.promotions.PriceCache.put(PriceCache.java:88)",
    "\tat com.example.checkout.promotions.PromotionsEngine.price(PromotionsEngine.java:143)",
    "\tat com.example.checkout.api.CheckoutController.quote(CheckoutController.java:57)",
    "Terminating due to java.lang.OutOfMemoryError: Java heap space",
)
INIT_CONTAINERS = {"checkout": "migrate"}  # deployment -> its pods' init container
_MIGRATE = (
    "migrate: connecting to postgres://checkout-db.shop.svc:5432/checkout",
    "migrate: schema at version 41, target 41",
    "migrate: no migrations to apply",
    "migrate: done in 0.4s",
)
_PATHS = {
    "checkout": ("POST /api/checkout", "POST /api/checkout/quote", "GET /api/checkout/status"),
    "frontend": ("GET /", "GET /product/{id}", "GET /static/app.js", "GET /cart"),
    "cart": ("GET /cart", "POST /cart/items", "DELETE /cart/items/{id}"),
    "payments": ("POST /payments/authorize", "POST /payments/capture"),
    "search": ("GET /search?q=shoes", "GET /search?q=jacket", "GET /suggest?q=sn"),
}


class DemoPod(Protocol):
    name: str
    deployment: str
    image: str
    created: float
    ready_at: float


def stamp(t: float) -> tuple[str, int]:
    """(RFC 3339 with nanoseconds, epoch ns) as the kubelet writes it."""
    at_ns = round(t * 1e9)
    seconds, nanos = divmod(at_ns, 1_000_000_000)
    base = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{base}.{nanos:09d}Z", at_ns


def container_runs(
    seed: int, pod: str, created: float, ready_at: float, t: float, bad: bool
) -> list[tuple[float, float]]:
    """[(start, end)] of the pod's containers started by t (end > t: still running, inf for a
    healthy one); the crash loop follows demo_story.crash_cycle (same kills, same back-off)."""
    start = created + 2.0
    if not bad:
        return [(start, math.inf)] if start <= t else []
    runs: list[tuple[float, float]] = []
    kill = ready_at + 11.0 + 4.0 * unit(seed, "oom", pod)
    n = 0
    while start <= t:
        if kill > t:  # running: its end is already written in the story (the heap fills)
            runs.append((start, kill))
            break
        runs.append((start, kill))
        n += 1
        wait = 0.0 if n == 1 else min(10.0 * 2 ** (n - 2), 300.0)
        start = kill + 3.0 + wait
        kill = start + 6.0 + 2.0 * unit(seed, "run", pod, n)
    return runs


def _request(seed: int, pod: DemoPod, k: int, t: float, slow: float) -> str:
    svc = pod.deployment
    paths = _PATHS.get(svc, ("GET /healthz",))
    path = paths[int(unit(seed, "path", pod.name, k) * len(paths))]
    path = path.replace("{id}", str(1000 + int(unit(seed, "id", pod.name, k) * 9000)))
    ms = int(8 + 60 * unit(seed, "ms", pod.name, k) * (1 + slow))
    code = 200 if unit(seed, "code", pod.name, k) > 0.01 else 404
    if svc in JSON_SERVICES:
        method, _, route = path.partition(" ")
        return (
            f'{{"ts":"{iso(t)}","level":"info","msg":"request served","method":"{method}",'
            f'"path":"{route}","status":{code},"latency_ms":{ms}}}'
        )
    if svc == "frontend":
        return f"\x1b[32minfo\x1b[39m {path} {code} - {ms} ms"
    thread = 1 + int(unit(seed, "thread", pod.name, k) * 8)
    return (
        f"{iso(t)}  INFO 1 --- [nio-8080-exec-{thread}] c.e.{svc}.api.Controller"
        f"  : {path} -> {code} in {ms}ms"
    )


def _run_lines(
    seed: int, pod: DemoPod, run: tuple[float, float], bad: bool, since: float, until: float
) -> Iterator[tuple[float, str]]:
    """(t, text) of one container from about `since` to min(its end, until), in order; a pod
    up for days costs no more than a new one."""
    start, end = run
    stop = min(end, until)
    version = pod.image.rsplit(":", 1)[-1]
    svc = pod.deployment
    if svc == "checkout" or bad:
        head = [
            (0.0, f"Starting CheckoutApplication {version} using Java 21.0.2 with PID 1"),
            (0.3, 'The following 1 profile is active: "prod"'),
            (1.9, "Started CheckoutApplication in 1.9 seconds (process running for 2.2)"),
        ]
        if bad:
            head.insert(2, (0.6, "promotions engine: in-memory price cache enabled (no eviction)"))
    elif svc in JSON_SERVICES:
        head = [
            (
                0.0,
                f'{{"ts":"{iso(start)}","level":"info","msg":"{svc} {version} listening",'
                '"port":8080}',
            )
        ]
    else:
        head = [(0.0, f"{svc} {version} listening on :8080")]
    for offset, text in head:
        if start + offset <= stop:
            yield start + offset, text
    life = (end - start) if bad else 0.0
    k = math.ceil(max(start + 2.0, since - 1.0) / SLOT_S)
    last_cache = -1
    while k * SLOT_S < stop:
        t = k * SLOT_S
        if bad and life:
            used = (t - start) / life  # 0 at start, 1 when the heap is full
            if unit(seed, "req", pod.name, k) < 0.7:
                yield t, _request(seed, pod, k, t, slow=3 * used)
            tick = int(t - start)
            if tick != last_cache and tick % 2 == 0:
                last_cache = tick
                entries = int(40_000 * used * used + 1200 * tick)
                heap = int(180 + 330 * used)
                yield t + 0.01, f"price cache size={entries:,} entries, heap used={heap}MiB/512MiB"
                if used > 0.45:
                    pause, share = int(80 + 600 * used), int(40 + 58 * used)
                    gc = f"Pause Full (Allocation Failure) {heap}M->{heap - 3}M(512M) {pause}ms"
                    yield t + 0.02, f"[gc] WARN GC overhead {share}% ({gc})"
        elif unit(seed, "req", pod.name, k) < 0.6:
            yield t, _request(seed, pod, k, t, slow=0.0)
        k += 1
    if bad and end != math.inf and end <= until:
        for i, text in enumerate(_OOM_STACK):
            yield end - 0.05 + i * 0.001, text


class DemoLogs:
    """The LogReader of the demo world (DemoKubernetes delegates to it)."""

    def __init__(self, world: DemoWorldLike, bad_image: str, *, poll_s: float = POLL_S) -> None:
        self.world = world
        self.bad_image = bad_image
        self.poll_s = poll_s

    def _runs(self, pod: DemoPod, t: float) -> list[tuple[float, float]]:
        bad = pod.image == self.bad_image
        return container_runs(self.world.seed, pod.name, pod.created, pod.ready_at, t, bad)

    def lines(
        self, pod: DemoPod, previous: bool, t_from: float, t_to: float
    ) -> Iterator[tuple[float, str]]:
        """(t, text) written in (t_from, t_to] by the current (or previous) container."""
        runs = self._runs(pod, t_to)
        if previous:  # the last container that terminated: what the termination line names
            runs = [r for r in runs if r[1] <= t_to]
        if not runs:
            return
        run = runs[-1]
        bad = pod.image == self.bad_image
        for t, text in _run_lines(self.world.seed, pod, run, bad, t_from, t_to):
            if t_from < t <= t_to:
                yield t, text

    async def containers(self, namespace: str, pod: str) -> tuple[ContainerInfo, ...]:
        t = self.world.now()
        found = self.world.find_pod(pod, t)
        if found is None:
            raise SourceError(f'kubernetes: pod {namespace}/{pod}: pods "{pod}" not found')
        runs = self._runs(found, t)
        ended = [r for r in runs if r[1] <= t]
        up = any(start <= t < end for start, end in runs)
        state = "running" if up else ("waiting CrashLoopBackOff" if ended else "waiting")
        info = ContainerInfo(
            name=found.deployment, restarts=found.restarts + len(ended), state=state
        )
        if ended:
            info = ContainerInfo(
                name=found.deployment,
                restarts=found.restarts + len(ended),
                last_reason="OOMKilled",
                last_exit=137,
                last_finished=iso(ended[-1][1]),
                state=state,
            )
        init = INIT_CONTAINERS.get(found.deployment)
        if init is None:
            return (info,)
        done = iso(found.created + 0.5)
        ran = ContainerInfo(
            init,
            init=True,
            last_reason="Completed",
            last_exit=0,
            last_finished=done,
            state="terminated Completed",
        )
        return (info, ran)

    def init_lines(self, pod: DemoPod, t_from: float, t_to: float) -> Iterator[tuple[float, str]]:
        """What the pod's init container wrote, once, as the pod started."""
        if pod.deployment not in INIT_CONTAINERS:
            return
        for i, text in enumerate(_MIGRATE):
            t = pod.created + 0.05 + i * 0.1
            if t_from < t <= t_to:
                yield t, text

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
    ) -> _DemoStream:
        stream = _DemoStream(self, target, previous, since_seconds, tail_lines, follow)
        stream.task = asyncio.get_running_loop().create_task(stream.run(on_lines, on_problem))
        return stream


class DemoWorldLike(Protocol):
    seed: int

    def now(self) -> float: ...

    def find_pod(self, name: str, t: float) -> DemoPod | None: ...


class _DemoStream:
    def __init__(
        self,
        logs: DemoLogs,
        target: LogTarget,
        previous: bool,
        since_seconds: int | None,
        tail_lines: int | None,
        follow: bool,
    ) -> None:
        self.logs = logs
        self.target = target
        self.previous = previous
        self.since_seconds = since_seconds
        self.tail_lines = tail_lines
        self.follow = follow and not previous
        self.task: asyncio.Task[None] | None = None

    def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def _batch(self, pod: DemoPod, t_from: float, t_to: float) -> list[LogLine]:
        out = []
        container = self.target.container or pod.deployment
        if container == INIT_CONTAINERS.get(pod.deployment):
            lines = self.logs.init_lines(pod, t_from, t_to)
        else:
            lines = self.logs.lines(pod, self.previous, t_from, t_to)
        for t, text in lines:
            ts, at_ns = stamp(t)
            out.append(LogLine(NAMESPACE, pod.name, container, ts, at_ns, text, self.previous))
        return out

    async def run(
        self, on_lines: Callable[[list[LogLine]], None], on_problem: Callable[[str], None]
    ) -> None:
        world = self.logs.world
        t = world.now()
        pod = world.find_pod(self.target.pod, t)
        where = f"{self.target.namespace}/{self.target.pod}"
        if pod is None:
            on_problem(f'kubernetes: logs of {where}: pods "{self.target.pod}" not found')
            return
        init = INIT_CONTAINERS.get(pod.deployment)
        if self.target.container and self.target.container not in (pod.deployment, init):
            on_problem(
                f"kubernetes: logs of {where}: container {self.target.container} is not valid "
                f"for pod {pod.name}"
            )
            return
        container = self.target.container or pod.deployment
        restarted = container == pod.deployment and any(
            end <= t for _, end in self.logs._runs(pod, t)
        )
        if self.previous and not restarted:  # an init container that ran once has none either
            on_problem(
                f'kubernetes: logs of {where}: previous terminated container "{container}" '
                f'in pod "{pod.name}" not found'
            )
            return
        since = t - self.since_seconds if self.since_seconds else t - KEEP_S
        first = self._batch(pod, since, t)
        if self.tail_lines is not None:
            first = first[-self.tail_lines :] if self.tail_lines else []
        if first:
            on_lines(first)
        last = t
        with contextlib.suppress(asyncio.CancelledError):
            while self.follow:
                await asyncio.sleep(self.logs.poll_s)
                now = world.now()
                batch = self._batch(pod, last, now)
                last = now
                if batch:
                    on_lines(batch)
