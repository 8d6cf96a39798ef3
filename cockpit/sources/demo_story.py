"""Story data and pure helpers for the demo incident (see demo.py).

Everything here is a pure function of its arguments: the demo must give identical snapshots for
the same seed and clock however often it is polled, so randomness comes from hashing
(seed, what, when) instead of a stateful RNG.
"""

from __future__ import annotations

import hashlib
import math
import struct
import uuid
from datetime import UTC, datetime

import msgspec

from cockpit.model import Panel, format_ts

NAMESPACE = "shop"
REGISTRY = "registry.example"
STORY_SERVICE = "checkout"
ROLLOUT_AT = 5.0  # simulated seconds after start when checkout v2.4.0 rolls out
BAD_IMAGE = f"{REGISTRY}/checkout:v2.4.0"
BAD_CAUSE = "deploy v2.4.0: new promotions engine with in-memory price cache"
HISTORY_S = 900.0  # metric history and back-filled events: 15 minutes
STEP_S = 10.0  # one metric point per 10 simulated seconds
ROLL_STEP_S = 5.0  # a rolling update starts one new pod every 5 s (maxSurge 1)
READY_S = 5.0  # a new pod is ready 5 s after creation
ERROR_ALERT_AT = 0.4  # degradation level at which HighErrorRate fires (about 5 req/s of 5xx)
NODES = ("ip-10-0-1-23", "ip-10-0-2-117", "ip-10-0-3-54", "ip-10-0-1-201")
DAY = 86400.0


class Service(msgspec.Struct, frozen=True):
    name: str
    replicas: int
    first_from: str  # image tag the oldest listed revision replaced ("" for revision 1)
    history: tuple[tuple[int, str, float, str], ...]  # (revision, tag, age in s, change-cause)

    def image(self, tag: str) -> str:
        return f"{REGISTRY}/{self.name}:{tag}" if tag else ""


SERVICES = (
    Service(
        "checkout",
        3,
        "v2.3.6",
        (
            (39, "v2.3.7", 9.2 * DAY, "deploy v2.3.7: bump grpc to 1.62"),
            (40, "v2.3.8", 6.1 * DAY, "deploy v2.3.8: fix tax rounding for EU carts"),
            (41, "v2.3.9", 3.2 * DAY, "deploy v2.3.9: retry budget for the payments client"),
        ),
    ),
    Service(
        "frontend",
        3,
        "v5.11.4",
        (
            (87, "v5.12.0", 5.3 * DAY, "deploy v5.12.0: new product page layout"),
            (88, "v5.12.1", 1.25 * DAY, "deploy v5.12.1: fix image lazy loading on Safari"),
        ),
    ),
    Service(
        "cart",
        2,
        "v1.8.1",
        (
            (16, "v1.8.2", 12.0 * DAY, "deploy v1.8.2: redis client timeouts"),
            (17, "v1.9.0", 4.1 * DAY, "deploy v1.9.0: saved carts"),
        ),
    ),
    Service(
        "payments",
        2,
        "v3.1.3",
        (
            (23, "v3.1.4", 8.0 * DAY, "deploy v3.1.4: rotate PSP client certificate"),
            (24, "v3.2.0", 2.2 * DAY, "deploy v3.2.0: 3-D Secure 2.2 flow"),
        ),
    ),
    Service("search", 2, "", ((1, "v0.15.0", 21.0 * DAY, "initial deploy"),)),
)
BACKGROUND = tuple(s for s in SERVICES if s.name != STORY_SERVICE)

_SEL = f'namespace="{NAMESPACE}",service="{STORY_SERVICE}"'
PANELS = (
    Panel(
        "5xx rate",
        f'sum(rate(http_requests_total{{{_SEL},code=~"5.."}}[1m]))',
        "req/s",
        1.0,
        5.0,
    ),
    Panel(
        "p99 latency",
        "histogram_quantile(0.99, sum by (le) "
        f"(rate(http_request_duration_seconds_bucket{{{_SEL}}}[5m]))) * 1000",
        "ms",
        300.0,
        800.0,
    ),
    Panel("request rate", f"sum(rate(http_requests_total{{{_SEL}}}[1m]))", "req/s"),
    Panel(
        "checkout CPU",
        f'sum(rate(container_cpu_usage_seconds_total{{namespace="{NAMESPACE}",'
        f'container="{STORY_SERVICE}"}}[2m]))',
        "cores",
        1.5,
        1.8,
    ),
    Panel(
        "checkout memory",
        f'max(container_memory_working_set_bytes{{namespace="{NAMESPACE}",'
        f'container="{STORY_SERVICE}"}}) / 2^20',
        "MiB",
        400.0,
        480.0,
    ),
)

# -- deterministic noise and names --------------------------------------------------------

_K8S_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # what Kubernetes uses for generated names


def unit(seed: int, *parts: object) -> float:
    """A uniform number in [0, 1) that depends only on its arguments."""
    digest = hashlib.blake2b(repr((seed, *parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2.0**64


_EIGHT_WORDS = struct.Struct(">8Q")  # one 64-byte digest as eight big-endian words


def sample_noise(seed: int, title: str, k: int) -> tuple[float, ...]:
    """Eight uniforms in [0, 1) for one panel sample, from one hash (a poll draws ~450)."""
    digest = hashlib.blake2b(repr((seed, "sample", title, k)).encode(), digest_size=64).digest()
    return tuple(value / 2.0**64 for value in _EIGHT_WORDS.unpack(digest))


def _k8s_name(n: int, text: str) -> str:
    value = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")
    out = []
    for _ in range(n):
        value, rem = divmod(value, len(_K8S_ALPHABET))
        out.append(_K8S_ALPHABET[rem])
    return "".join(out)


def replicaset(deployment: str, image: str) -> str:
    # the pod-template-hash depends on the template only: a rollback re-uses the old name
    return f"{deployment}-{_k8s_name(10, deployment + image)}"


def pod_name(seed: int, deployment: str, image: str, *key: object) -> str:
    return f"{replicaset(deployment, image)}-{_k8s_name(5, repr((seed, deployment, *key)))}"


def stable_uid(*parts: object) -> str:
    return str(uuid.UUID(bytes=hashlib.blake2b(repr(parts).encode(), digest_size=16).digest()))


def fingerprint(labels: dict[str, str]) -> str:
    return hashlib.blake2b(repr(sorted(labels.items())).encode(), digest_size=8).hexdigest()


def iso(t: float) -> str:
    return format_ts(datetime.fromtimestamp(t, UTC))


def smoothstep(lo: float, hi: float, t: float) -> float:
    x = min(1.0, max(0.0, (t - lo) / (hi - lo)))
    return x * x * (3 - 2 * x)


def next_level(d0: float, bad: bool, start: float, t: float) -> float:
    """Degradation at t within a segment that began at `start` with level d0.

    A bad image degrades over ~30 s (memory leak -> GC pauses -> OOM); a good one recovers
    within ~15 s once its pods are ready.
    """
    if bad:
        return d0 + (1.0 - d0) * smoothstep(start + 7.0, start + 30.0, t)
    return d0 * (1.0 - smoothstep(start + 2.0, start + 14.0, t))


def panel_value(title: str, rel: float, d: float, noise: tuple[float, ...]) -> float | None:
    """Panel `title` at `rel` seconds since start; d = degradation 0..1; noise from
    sample_noise() for this sample."""
    if noise[0] < 0.02:
        return None  # a missed scrape, shown as a gap
    # roughly normal, mean 0, sd about 0.5: sums of three uniforms
    n1, n2 = sum(noise[1:4]) - 1.5, sum(noise[4:7]) - 1.5
    if title == "5xx rate":
        value = max(0.02, 0.22 + 0.08 * n1) + d * (11.5 + 1.5 * n2)
    elif title == "p99 latency":
        value = 118.0 + 14.0 * n1 + d * (880.0 + 90.0 * n2)
    elif title == "request rate":
        # slow daily-ish wave; clients retry failed checkouts, so traffic rises with errors
        value = 182.0 + 24.0 * math.sin(2 * math.pi * rel / 3600.0) + 6.0 * n1 + d * 45.0
    elif title == "checkout CPU":
        value = 0.82 + 0.05 * n1 + d * (0.85 + 0.08 * n2)
    else:  # checkout memory
        value = 305.0 + 6.0 * n1 + d * (140.0 + 40.0 * noise[7])
    return round(max(0.0, value), 3)


class Crash(msgspec.Struct, frozen=True):
    """Where a pod of the leaking image is in its OOM / back-off cycle at one moment."""

    restarts: int = 0
    reason: str = ""  # "", OOMKilled, CrashLoopBackOff
    ready: bool = True
    first_kill: float = 0.0
    last_kill: float = 0.0
    backoffs: int = 0
    first_backoff: float = 0.0
    last_backoff: float = 0.0
    starts: int = 1  # container starts so far, the first included
    last_start: float = 0.0  # 0.0: only the first start


def crash_cycle(seed: int, pod: str, ready_at: float, t: float) -> Crash:
    """Kubelet's restart behaviour: OOM kill, immediate restart once, then back-off 10 s
    doubling to 5 min; the leak kills the container again a few seconds after each start."""
    kill = ready_at + 11.0 + 4.0 * unit(seed, "oom", pod)
    n = backoffs = 0
    first_kill = last_kill = first_backoff = last_backoff = last_start = 0.0
    starts = 1
    ready = True
    reason = ""
    while kill <= t:
        n += 1
        first_kill = first_kill or kill
        last_kill = kill
        if t < kill + 3.0:
            reason, ready = "OOMKilled", False
            break
        wait = 0.0 if n == 1 else min(10.0 * 2 ** (n - 2), 300.0)
        if wait:
            backoffs += 1
            first_backoff = first_backoff or kill + 3.0
            last_backoff = kill + 3.0
        start = kill + 3.0 + wait
        if t < start:
            reason, ready = "CrashLoopBackOff", False
            break
        reason, ready = "", t >= start + 2.0
        starts, last_start = starts + 1, start
        kill = start + 6.0 + 2.0 * unit(seed, "run", pod, n)
    return Crash(
        n,
        reason,
        ready,
        first_kill,
        last_kill,
        backoffs,
        first_backoff,
        last_backoff,
        starts,
        last_start,
    )
