"""An embedded, simulated incident behind the same Source interface as the real sources.

`cockpit demo` runs against this instead of Prometheus, Alertmanager and Kubernetes. The story:
checkout v2.4.0 rolls out about 5 s after start, leaks memory, gets OOMKilled and crash-loops;
5xx and p99 climb and alerts fire. Rolling back (Remediator.apply("rollback") on the rev-42 deploy)
recovers it within ~20 s; otherwise it stays degraded. Background services stay healthy with
autoscaling noise.

Every value is a pure function of (seed, timestamp, world events such as a rollback), never of
how often fetch() runs, so the same seed and clock give identical snapshots.
"""

from __future__ import annotations

import math
import random
import time
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

import msgspec

from cockpit.model import (
    Alert,
    Deploy,
    K8sEvent,
    Panel,
    PanelSeries,
    PodHealth,
    Silence,
    Snapshot,
)
from cockpit.sources.base import ActionError, Source, unsupported
from cockpit.sources.demo_logs import DemoLogs
from cockpit.sources.demo_story import (
    BACKGROUND,
    BAD_CAUSE,
    BAD_IMAGE,
    ERROR_ALERT_AT,
    HISTORY_S,
    NAMESPACE,
    NODES,
    PANELS,
    READY_S,
    ROLL_STEP_S,
    ROLLOUT_AT,
    SERVICES,
    STEP_S,
    STORY_SERVICE,
    crash_cycle,
    fingerprint,
    iso,
    next_level,
    panel_value,
    pod_name,
    replicaset,
    sample_noise,
    stable_uid,
    unit,
)

BURST_SLOT_S = 40.0  # background autoscaling: at most one scale-out per 40 s slot
BURST_MAX_LIFE_S = 150.0


class _Rev(msgspec.Struct):
    revision: int
    image: str
    image_from: str
    created: float
    cause: str
    hidden_at: float = math.inf  # `rollout undo` re-uses this template under a new number


class _Pod(msgspec.Struct):
    name: str
    deployment: str
    image: str
    created: float
    ready_at: float
    node: str
    restarts: int = 0  # restarts from long before the demo started
    deleted_at: float = math.inf


class _Ev(msgspec.Struct, frozen=True):
    last: float
    first: float
    type: str
    reason: str
    obj: str
    message: str
    count: int
    uid: str

    def k8s(self) -> K8sEvent:
        return K8sEvent(
            uid=self.uid,
            namespace=NAMESPACE,
            type=self.type,
            reason=self.reason,
            object=self.obj,
            message=self.message,
            count=self.count,
            last_seen=iso(self.last),
            first_seen=iso(self.first),
        )


def _ev(
    at: float, kind: str, reason: str, obj: str, msg: str, count: int = 1, first: float = 0.0
) -> _Ev:
    first = first or at
    uid = stable_uid(obj, reason, msg, round(first, 3))
    return _Ev(at, first, kind, reason, obj, msg, count, uid)


class _Silence(msgspec.Struct):
    id: str
    matchers: dict[str, str]
    starts: float
    ends: float
    comment: str
    author: str

    def active(self, t: float) -> bool:
        return self.starts <= t < self.ends


class DemoWorld:
    """The simulated cluster and monitoring stack that the three demo sources look at."""

    max_events = 5000  # bound on the kubernetes event list (instance may override)

    def __init__(
        self,
        *,
        seed: int | None = None,
        speed: float = 1.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.seed = seed if seed is not None else random.randrange(2**32)
        self.speed = speed
        self.clock = clock
        self._clock_at_init = clock()
        self.t0 = self._clock_at_init  # simulated epoch seconds at start
        self.panels = PANELS
        self._revs: dict[str, list[_Rev]] = {}
        for svc in SERVICES:
            revs, before = [], svc.image(svc.first_from)
            for revision, tag, age, cause in svc.history:
                revs.append(_Rev(revision, svc.image(tag), before, self.t0 - age, cause))
                before = svc.image(tag)
            self._revs[svc.name] = revs
        story = self._revs[STORY_SERVICE]
        story.append(
            _Rev(
                story[-1].revision + 1, BAD_IMAGE, story[-1].image, self.t0 + ROLLOUT_AT, BAD_CAUSE
            )
        )
        self._pods_cache: dict[str, list[_Pod]] = {}
        self._noise: dict[tuple[str, int], tuple[float, ...]] = {}
        self._silences: dict[str, _Silence] = {}
        # background events of slots that can no longer change, oldest slot first
        self._bg_next = -math.ceil(HISTORY_S / BURST_SLOT_S)
        self._bg_done: deque[_Ev] = deque()
        self._bg_dropped = 0

    def now(self) -> float:
        return self.t0 + (self.clock() - self._clock_at_init) * self.speed

    def elapsed(self) -> float:
        return self.now() - self.t0

    # -- deployments and rollback ------------------------------------------------------------

    def _visible(self, name: str, t: float) -> list[_Rev]:
        return [r for r in self._revs[name] if r.created <= t and r.hidden_at > t]

    def deploys(self, t: float) -> tuple[Deploy, ...]:
        out = [
            Deploy(NAMESPACE, name, r.revision, r.image_from, r.image, iso(r.created), r.cause)
            for name in self._revs
            for r in self._visible(name, t)
        ]
        out.sort(key=lambda d: (d.created, d.revision), reverse=True)
        return tuple(out)

    def _rollback_target(self, deploy: Deploy, t: float) -> tuple[_Rev, _Rev]:
        if deploy.namespace != NAMESPACE or deploy.deployment not in self._revs:
            raise ActionError(f"no deployment {deploy.namespace}/{deploy.deployment}")
        visible = self._visible(deploy.deployment, t)
        current = visible[-1]
        if deploy.revision != current.revision:
            raise ActionError(
                f"{deploy.deployment} rev {deploy.revision} is not the current revision "
                f"(rev {current.revision} is); only the current revision can be rolled back"
            )
        if len(visible) < 2:
            raise ActionError(
                f"{deploy.deployment} rev {deploy.revision} has no previous revision "
                "to roll back to"
            )
        return current, visible[-2]

    def plan_rollback(self, deploy: Deploy) -> str:
        current, previous = self._rollback_target(deploy, self.now())
        new = max(r.revision for r in self._revs[deploy.deployment]) + 1
        return (
            f"{deploy.deployment}: image {current.image} -> {previous.image} "
            f"(rev {current.revision} -> {new})"
        )

    def rollback(self, deploy: Deploy) -> str:
        t = self.now()
        current, previous = self._rollback_target(deploy, t)
        revs = self._revs[deploy.deployment]
        # like `kubectl rollout undo`: the previous template becomes a new revision and its old
        # number disappears from the history; change-cause comes along with the template
        previous.hidden_at = t
        later = [r for r in revs if r.created > t]  # the scripted rollout, if still to come
        new = _Rev(
            max(r.revision for r in revs if r.created <= t) + 1,
            previous.image,
            current.image,
            t,
            previous.cause,
        )
        revs[:] = [r for r in revs if r.created <= t] + [new]
        for r in later:  # renumber what comes after, as Kubernetes would when it happens
            r.revision, r.image_from = revs[-1].revision + 1, revs[-1].image
            revs.append(r)
        self._pods_cache.pop(deploy.deployment, None)
        return f"deployment.apps/{deploy.deployment} rolled back (rev {new.revision}: {new.image})"

    # -- degradation and metrics ------------------------------------------------------------

    def _segments(self, t: float) -> tuple[list[tuple[float, bool, float]], float]:
        """Checkout's rollouts up to t as (start, bad image, level at start), and level at t."""
        revs = [r for r in self._revs[STORY_SERVICE] if r.created <= t]
        segments, level = [], 0.0
        for i, rev in enumerate(revs):
            end = revs[i + 1].created if i + 1 < len(revs) else t
            bad = rev.image == BAD_IMAGE
            segments.append((rev.created, bad, level))
            level = next_level(level, bad, rev.created, end)
        return segments, level

    def degradation(self, t: float) -> float:
        """0 healthy .. 1 fully degraded."""
        return self._segments(t)[1]

    def _error_alert_since(self, t: float) -> float:
        """When the current HighErrorRate episode began (the level crossed the threshold)."""
        segments, _ = self._segments(t)
        end = t
        for start, _bad, level in reversed(segments):
            if level < ERROR_ALERT_AT:
                lo, hi = start, end
                for _ in range(30):
                    mid = (lo + hi) / 2
                    lo, hi = (lo, mid) if self.degradation(mid) >= ERROR_ALERT_AT else (mid, hi)
                return round(hi, 3)
            end = start
        return segments[0][0]

    def panel_series(self, t: float) -> tuple[PanelSeries, ...]:
        last = math.floor((t - self.t0) / STEP_S + 1e-9)
        ks = range(last - int(HISTORY_S / STEP_S), last + 1)
        levels = {k: self.degradation(self.t0 + k * STEP_S) for k in ks}
        if len(self._noise) > 4 * len(self.panels) * len(ks):
            self._noise = {key: v for key, v in self._noise.items() if key[1] >= ks.start}
        return tuple(
            PanelSeries(
                panel,
                tuple(
                    (
                        self.t0 + k * STEP_S,
                        panel_value(panel.title, k * STEP_S, levels[k], self._sample(panel, k)),
                    )
                    for k in ks
                ),
            )
            for panel in self.panels
        )

    def _sample(self, panel: Panel, k: int) -> tuple[float, ...]:
        """A sample's noise is drawn once: each poll re-reads 15 minutes of history."""
        key = (panel.title, k)
        noise = self._noise.get(key)
        if noise is None:
            noise = self._noise[key] = sample_noise(self.seed, panel.title, k)
        return noise

    # -- pods --------------------------------------------------------------------------------

    def _pod(self, name: str, image: str, created: float, key: object) -> _Pod:
        pod = pod_name(self.seed, name, image, key)
        node = NODES[int(unit(self.seed, "node", pod) * len(NODES))]
        return _Pod(pod, name, image, created, created + READY_S, node)

    def _pod_specs(self, name: str) -> list[_Pod]:
        """Every pod of a deployment since start: the initial ones and each rolling update's."""
        if name in self._pods_cache:
            return self._pods_cache[name]
        revs = self._revs[name]
        initial = [r for r in revs if r.created < self.t0][-1]
        replicas = next(s.replicas for s in SERVICES if s.name == name)
        pods = []
        for i in range(replicas):
            pod = self._pod(name, initial.image, initial.created + 20.0 * i, ("init", i))
            pod.restarts = 1 if unit(self.seed, "restarts", pod.name) < 0.15 else 0
            pods.append(pod)
        for rev in (r for r in revs if r.created >= self.t0):
            start = rev.created
            # a newer rollout supersedes one in progress: its unborn pods never start
            pods = [p for p in pods if p.created <= start]
            alive = [p for p in pods if p.deleted_at > start]
            for p in alive:
                p.deleted_at = math.inf
            for i in range(replicas):
                new = self._pod(name, rev.image, start + ROLL_STEP_S * i, (rev.revision, i))
                pods.append(new)
                if i < len(alive):  # maxUnavailable 0: an old pod goes once its successor is ready
                    alive[i].deleted_at = new.ready_at
            for p in alive[replicas:]:
                p.deleted_at = pods[-1].ready_at
        self._pods_cache[name] = pods
        return pods

    def _all_pods(self, t: float) -> Iterator[_Pod]:
        for name in self._revs:
            yield from (p for p in self._pod_specs(name) if p.created <= t < p.deleted_at)
        for j in range(self._slot(t - BURST_MAX_LIFE_S) - 1, self._slot(t) + 1):
            burst = self._burst(j)
            if burst is not None and burst.created <= t < burst.deleted_at:
                yield burst

    def find_pod(self, name: str, t: float) -> _Pod | None:
        """The pod of that name alive at t (logs and containers look it up)."""
        return next((p for p in self._all_pods(t) if p.name == name), None)

    def _health(self, pod: _Pod, t: float) -> PodHealth:
        phase, ready, restarts, reason = "Running", False, pod.restarts, ""
        if t < pod.created + 2.0:
            phase, reason = "Pending", "ContainerCreating"
        elif t >= pod.ready_at and pod.image == BAD_IMAGE:
            crash = crash_cycle(self.seed, pod.name, pod.ready_at, t)
            ready, restarts, reason = crash.ready, crash.restarts, crash.reason
        elif t >= pod.ready_at:
            ready = True
        return PodHealth(NAMESPACE, pod.name, phase, ready, restarts, reason, pod.deployment)

    def pods(self, t: float) -> tuple[PodHealth, ...]:
        return tuple(sorted((self._health(p, t) for p in self._all_pods(t)), key=lambda p: p.name))

    # -- background autoscaling noise ------------------------------------------------------------

    def _slot(self, t: float) -> int:
        return math.floor((t - self.t0) / BURST_SLOT_S)

    def _burst(self, j: int) -> _Pod | None:
        """The pod an HPA scale-out adds in slot j, if any; one per service at a time."""

        def pick(i: int) -> str | None:
            if unit(self.seed, "burst", i) >= 0.3:
                return None
            return BACKGROUND[int(unit(self.seed, "burst-svc", i) * len(BACKGROUND))].name

        name = pick(j)
        lookback = math.ceil(BURST_MAX_LIFE_S / BURST_SLOT_S) + 1
        if name is None or any(pick(i) == name for i in range(j - lookback, j)):
            return None
        created = self.t0 + BURST_SLOT_S * (j + 0.75 * unit(self.seed, "burst-at", j))
        image = [r for r in self._revs[name] if r.created <= created][-1].image
        pod = self._pod(name, image, created, ("burst", j))
        pod.deleted_at = created + 60.0 + 90.0 * unit(self.seed, "burst-life", j)
        return pod

    def _burst_events(self, j: int, t: float) -> list[_Ev]:
        pod = self._burst(j)
        if pod is None:
            return []
        name, rs = pod.deployment, replicaset(pod.deployment, pod.image)
        base = next(s.replicas for s in SERVICES if s.name == name)
        hpa, dep, rso, obj = (
            f"HorizontalPodAutoscaler/{name}",
            f"Deployment/{name}",
            f"ReplicaSet/{rs}",
            f"Pod/{pod.name}",
        )
        up, down = pod.created, pod.deleted_at
        above = "cpu resource utilization (percentage of request) above target"
        evs = [
            _ev(up, "Normal", "SuccessfulRescale", hpa, f"New size: {base + 1}; reason: {above}"),
            _ev(up + 0.2, "Normal", "ScalingReplicaSet", dep, _scaled(rs, base, base + 1)),
            _ev(up + 0.3, "Normal", "SuccessfulCreate", rso, f"Created pod: {pod.name}"),
            _ev(up + 0.4, "Normal", "Scheduled", obj, _assigned(pod)),
            _ev(up + 1.3, "Normal", "Pulled", obj, _present(pod.image)),
            _ev(up + 1.4, "Normal", "Created", obj, f"Created container {name}"),
            _ev(up + 1.6, "Normal", "Started", obj, f"Started container {name}"),
            _ev(
                down,
                "Normal",
                "SuccessfulRescale",
                hpa,
                f"New size: {base}; reason: All metrics below target",
            ),
            _ev(down + 0.2, "Normal", "ScalingReplicaSet", dep, _scaled(rs, base + 1, base)),
            _ev(down + 0.3, "Normal", "SuccessfulDelete", rso, f"Deleted pod: {pod.name}"),
            _ev(down + 0.4, "Normal", "Killing", obj, f"Stopping container {name}"),
        ]
        return [e for e in evs if e.last <= t]

    def _finalize_bursts(self, t: float) -> None:
        # slots whose every event lies in the past are cached once; memory stays bounded
        while self.t0 + BURST_SLOT_S * (self._bg_next + 1) + BURST_MAX_LIFE_S + 5.0 <= t:
            self._bg_done.extend(self._burst_events(self._bg_next, math.inf))
            self._bg_next += 1
            while len(self._bg_done) > self.max_events:
                self._bg_done.popleft()
                self._bg_dropped += 1

    # -- kubernetes events of rollouts and crashing pods ---------------------------------------

    def _rollout_events(self, name: str, t: float) -> Iterator[_Ev]:
        pods = self._pod_specs(name)
        container = name
        replicas: dict[str, int] = {}
        changes: list[tuple[float, str, int]] = []
        for p in pods:
            rs = replicaset(name, p.image)
            if p.created < self.t0:
                replicas[rs] = replicas.get(rs, 0) + 1
            else:
                changes.append((p.created, rs, 1))
            if p.deleted_at <= t:
                changes.append((p.deleted_at, rs, -1))
        for at, rs, step in sorted(changes):
            if at <= t:
                before = replicas.get(rs, 0)
                replicas[rs] = before + step
                msg = _scaled(rs, before, before + step)
                yield _ev(at, "Normal", "ScalingReplicaSet", f"Deployment/{name}", msg)
        for p in pods:
            obj, rso = f"Pod/{p.name}", f"ReplicaSet/{replicaset(name, p.image)}"
            if p.deleted_at <= t:
                yield _ev(
                    p.deleted_at + 0.1, "Normal", "SuccessfulDelete", rso, f"Deleted pod: {p.name}"
                )
                yield _ev(
                    p.deleted_at + 0.2, "Normal", "Killing", obj, f"Stopping container {container}"
                )
            if p.created < self.t0 or p.created > t:
                continue
            yield _ev(p.created + 0.1, "Normal", "SuccessfulCreate", rso, f"Created pod: {p.name}")
            yield _ev(p.created + 0.2, "Normal", "Scheduled", obj, _assigned(p))
            seen = any(r.image == p.image and r.created < self.t0 for r in self._revs[name])
            end = min(t, p.deleted_at)
            crash = None
            if p.image == BAD_IMAGE and end >= p.ready_at:
                crash = crash_cycle(self.seed, p.name, p.ready_at, end)
            starts, last = (crash.starts, crash.last_start) if crash else (1, 0.0)
            first = p.created + 1.6
            steps = [
                (first, "Pulled", _present(p.image) if seen else _pulled(p.image)),
                (first + 0.1, "Created", f"Created container {container}"),
                (first + 0.3, "Started", f"Started container {container}"),
            ]
            for at, reason, msg in steps:
                if at <= t:
                    when = max(at, last + (at - first))
                    count = 1 if reason == "Pulled" else starts
                    yield _ev(at if count == 1 else when, "Normal", reason, obj, msg, count, at)
            if crash and starts > 1 and not seen:
                # restarts find the image on the node: a separate event from the first pull
                again = crash.first_kill + 3.0
                msg = _present(p.image)
                yield _ev(last, "Normal", "Pulled", obj, msg, starts - 1, again)
            if crash and crash.restarts:
                msg = (
                    f"Memory cgroup out of memory: Killed process {_pid(self.seed, p.name)} "
                    f"({container}); container {container} exceeded its 512Mi limit (OOMKilled)"
                )
                yield _ev(
                    crash.last_kill,
                    "Warning",
                    "OOMKilling",
                    obj,
                    msg,
                    crash.restarts,
                    crash.first_kill,
                )
            if crash and crash.backoffs:
                msg = (
                    f"Back-off restarting failed container {container} in pod "
                    f"{p.name}_{NAMESPACE}({stable_uid('pod', p.name)})"
                )
                yield _ev(
                    crash.last_backoff,
                    "Warning",
                    "BackOff",
                    obj,
                    msg,
                    crash.backoffs,
                    crash.first_backoff,
                )

    def events(self, t: float) -> tuple[tuple[K8sEvent, ...], int]:
        """Newest first, at most max_events; and how many older ones were dropped."""
        self._finalize_bursts(t)
        evs = [e for e in self._bg_done if e.last <= t]
        for j in range(self._bg_next, self._slot(t) + 1):
            evs += self._burst_events(j, t)
        for name in self._revs:
            evs += self._rollout_events(name, t)
        evs.sort(key=lambda e: (e.last, e.uid), reverse=True)
        dropped = self._bg_dropped + max(0, len(evs) - self.max_events)
        return tuple(e.k8s() for e in evs[: self.max_events]), dropped

    # -- alerts and silences ---------------------------------------------------------------------

    def alerts(self, t: float) -> tuple[Alert, ...]:
        out = []
        if self.degradation(t) >= ERROR_ALERT_AT:
            out.append(
                self._alert(
                    t,
                    "HighErrorRate",
                    "critical",
                    {"namespace": NAMESPACE, "service": STORY_SERVICE},
                    self._error_alert_since(t),
                    f"{STORY_SERVICE} 5xx rate above 5 req/s",
                    "More than 5 requests per second to checkout fail with a 5xx status; "
                    "the 30-day error budget burns at over 14x.",
                )
            )
        for pod in self._pod_specs(STORY_SERVICE):
            if pod.image != BAD_IMAGE or not pod.created <= t < pod.deleted_at:
                continue
            crash = crash_cycle(self.seed, pod.name, pod.ready_at, t)
            if crash.backoffs:
                labels = {
                    "namespace": NAMESPACE,
                    "pod": pod.name,
                    "container": STORY_SERVICE,
                    "service": STORY_SERVICE,
                }
                out.append(
                    self._alert(
                        t,
                        "KubePodCrashLooping",
                        "warning",
                        labels,
                        crash.first_backoff,
                        f"Pod {NAMESPACE}/{pod.name} is crash looping",
                        f"Pod {NAMESPACE}/{pod.name} ({STORY_SERVICE}) is in waiting state "
                        f'(reason: "CrashLoopBackOff").',
                    )
                )
        out.sort(key=lambda a: (a.starts_at, a.fingerprint))
        return tuple(out)

    def _alert(
        self,
        t: float,
        name: str,
        severity: str,
        labels: dict[str, str],
        since: float,
        summary: str,
        description: str,
    ) -> Alert:
        labels = {"alertname": name, "severity": severity, **labels}
        muting = [
            s
            for s in self._silences.values()
            if s.active(t) and all(labels.get(k) == v for k, v in s.matchers.items())
        ]
        silenced_by = tuple(sorted(s.id for s in muting))
        annotations = {
            "summary": summary,
            "description": description,
            "runbook_url": f"https://runbooks.example/alerts/{name.lower()}",
        }
        return Alert(
            fingerprint=fingerprint(labels),
            name=name,
            severity=severity,
            state="silenced" if silenced_by else "firing",
            labels=labels,
            annotations=annotations,
            starts_at=iso(since),
            silenced_by=silenced_by,
            silence_ends=iso(max(s.ends for s in muting)) if muting else "",
        )

    def silence(
        self,
        alert: Alert,
        duration_s: int,
        comment: str,
        author: str,
        matchers: dict[str, str] | None = None,
    ) -> str:
        if duration_s <= 0:
            raise ActionError(f"silence duration must be positive, got {duration_s} s")
        chosen = dict(alert.labels if matchers is None else matchers)
        if not chosen:
            raise ActionError(f"alert {alert.name} has no labels to match a silence on")
        t = self.now()
        silence_id = stable_uid("silence", self.seed, len(self._silences))
        self._silences[silence_id] = _Silence(
            silence_id, chosen, t, t + duration_s, comment, author
        )
        return silence_id

    def active_silences(self) -> list[Silence]:
        t = self.now()
        return [
            Silence(
                s.id,
                tuple((k, v, False, True) for k, v in sorted(s.matchers.items())),
                iso(s.starts),
                iso(s.ends),
                s.author,
                s.comment,
            )
            for s in self._silences.values()
            if s.active(t)
        ]

    def extend_silence(self, silence_id: str, ends_at: float) -> str:
        found = self._silences.get(silence_id)
        if found is None or not found.active(self.now()):
            raise ActionError(f"silence {silence_id} is not active: create a new one")
        found.ends = ends_at
        return silence_id

    def expire_silence(self, silence_id: str) -> None:
        silence = self._silences.get(silence_id)
        if silence is None:
            raise ActionError(f"no silence {silence_id}")
        t = self.now()
        if not silence.active(t):
            raise ActionError(f"silence {silence_id} has already expired")
        silence.ends = t


def _scaled(rs: str, before: int, after: int) -> str:
    verb = "up" if after > before else "down"
    return f"Scaled {verb} replica set {rs} to {after} from {before}"


def _assigned(pod: _Pod) -> str:
    return f"Successfully assigned {NAMESPACE}/{pod.name} to {pod.node}"


def _present(image: str) -> str:
    return f'Container image "{image}" already present on machine'


def _pulled(image: str) -> str:
    return f'Successfully pulled image "{image}" in 2.184s (2.184s including waiting)'


def _pid(seed: int, pod: str) -> int:
    return 1000 + int(unit(seed, "pid", pod) * 30000)


# -- the three sources ---------------------------------------------------------------------


class _DemoSource(Source):
    def __init__(self, world: DemoWorld, *, interval: float = 1.0) -> None:
        # health timestamps use the real clock: staleness is about wall time, not story time
        super().__init__(interval=interval, clock=world.clock)
        self.world = world


class DemoPrometheus(_DemoSource):
    name = "prometheus"

    @property
    def stale_after(self) -> float | None:
        # the story samples every STEP_S, as a scrape interval would: a point up to one step
        # old is the newest there is, not stale (polling every second does not change that)
        return 2 * STEP_S

    async def fetch(self) -> Snapshot:
        t = self.world.now()
        return Snapshot(source=self.name, at=t, panels=self.world.panel_series(t))


class DemoAlertmanager(_DemoSource):
    """Implements the Silencer protocol."""

    name = "alertmanager"

    async def fetch(self) -> Snapshot:
        t = self.world.now()
        return Snapshot(source=self.name, at=t, alerts=self.world.alerts(t))

    async def silence(
        self,
        alert: Alert,
        duration_s: int,
        comment: str,
        author: str,
        matchers: dict[str, str] | None = None,
    ) -> str:
        return self.world.silence(alert, duration_s, comment, author, matchers)

    async def active_silences(self) -> list[Silence]:
        return self.world.active_silences()

    async def extend_silence(self, silence: Silence, ends_at: float, author: str) -> str:
        return self.world.extend_silence(silence.id, ends_at)

    async def expire_silence(self, silence_id: str) -> None:
        self.world.expire_silence(silence_id)


class DemoKubernetes(_DemoSource):
    """Implements the Remediator and LogReader protocols."""

    name = "kubernetes"

    def __init__(self, world: DemoWorld, *, interval: float = 1.0) -> None:
        super().__init__(world, interval=interval)
        self.logs = DemoLogs(world, BAD_IMAGE)
        self.containers = self.logs.containers
        self.open_logs = self.logs.open_logs

    @property
    def stale_after(self) -> float | None:
        # it stands in for a watch, as the real source is: stale only when down
        return None

    async def fetch(self) -> Snapshot:
        t = self.world.now()
        events, dropped = self.world.events(t)
        return Snapshot(
            source=self.name,
            at=t,
            events=events,
            pods=self.world.pods(t),
            deploys=self.world.deploys(t),
            dropped_events=dropped,
        )

    remediations: frozenset[str] = frozenset({"rollback"})  # the story has nothing to restart

    async def plan(self, action: str, deploy: Deploy, **params: Any) -> str:
        if action != "rollback":
            raise unsupported(action)
        return self.world.plan_rollback(deploy)

    async def apply(self, action: str, deploy: Deploy, **params: Any) -> str:
        if action != "rollback":
            raise unsupported(action)
        return self.world.rollback(deploy)


def make_demo_sources(world: DemoWorld) -> list[Source]:
    return [DemoPrometheus(world), DemoAlertmanager(world), DemoKubernetes(world)]


def demo_sources(
    seed: int | None = None,
    speed: float = 1.0,
    clock: Callable[[], float] = time.time,
) -> tuple[DemoWorld, list[Source]]:
    world = DemoWorld(seed=seed, speed=speed, clock=clock)
    return world, make_demo_sources(world)
