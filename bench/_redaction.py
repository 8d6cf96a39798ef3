"""Redaction figures for bench/journal.py (issue 16, item 2): what secret scanning costs per
append, cockpit's rule table against Yelp's detect-secrets on the same corpus.

detect-secrets is measured only when it is installed (`pip install detect-secrets`); it is not
a dependency. It is driven the way its own file scan drives it, one line at a time through
every default plugin and filter, then the values it reports are replaced.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cockpit.journal.redact import redact
from cockpit.journal.store import Journal
from cockpit.model import Draft

INCIDENT = "INC-20261128-1905"
Payload = tuple[dict[str, Any], dict[str, Any]]  # (data, context) of one event

# assembled from pieces so that secret scanners do not flag this file
_PLANTED = (
    "password=" + "hunter2-bench",
    "postgres://orders:" + "dsnBenchPw9" + "@db.internal:5432/orders",
    "https://hooks.slack.com/services/T0BENCH01/B0BENCH02/" + "BenchHookSecretValue1",
    "ghp_" + "B3nchT0k3nAbCdEfGhIjKlMnOpQrStUvWxYz12",
    "AKIA" + "IOSFODNN7BENCHXX",
)


def _alert(rng: random.Random, i: int) -> dict[str, Any]:
    pod = f"checkout-{rng.randrange(16**8):08x}-{rng.randrange(16**5):05x}"
    return {
        "alert": rng.choice(["HighErrorRate", "LatencyP99High", "PodCrashLooping", "DiskFull"]),
        "severity": rng.choice(["critical", "warning"]),
        "labels": {
            "alertname": "HighErrorRate",
            "namespace": "checkout",
            "pod": pod,
            "instance": f"10.0.{i % 250}.{rng.randrange(250)}:8080",
            "job": "kubernetes-pods",
            "team": "payments",
        },
        "summary": f"5xx ratio of checkout is {rng.uniform(1, 30):.1f}% on {pod}",
        "starts_at": "2026-11-28T19:06:00.000Z",
    }


def corpus(count: int = 2000, dirty_share: float = 0.05, seed: int = 16) -> list[Payload]:
    """Event payloads as the cockpit writes them: notes, alert changes with their labels, and
    the context of each (firing alerts, metric values, selection). `dirty_share` hold one
    planted secret in a label, an annotation or a note."""
    rng = random.Random(seed)
    out: list[Payload] = []
    for i in range(count):
        context = {
            "firing": [
                {"alert": a["alert"], "severity": a["severity"]}
                for a in (_alert(rng, i + k) for k in range(3))
            ],
            "metrics": {"5xx rate": rng.uniform(0, 9), "p99 latency": rng.uniform(0.1, 3)},
            "selection": rng.choice(["alerts", "deploys", "metrics"]),
        }
        if i % 2:
            data: dict[str, Any] = _alert(rng, i)
        else:
            data = {"type": "note", "text": f"checkout p99 is {i} ms after rev 42, rolling back"}
        if rng.random() < dirty_share:
            secret = rng.choice(_PLANTED)
            if "labels" in data:
                data["labels"]["runbook"] = f"see {secret}"
            else:
                data["text"] += f" (creds: {secret})"
        out.append((data, context))
    return out


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return []


def _cockpit(payload: Payload) -> bool:
    (_, found_d), (_, found_c) = redact(payload[0]), redact(payload[1])
    return bool(found_d or found_c)


_KEEP: list[Any] = []


def detect_secrets_scanner() -> Callable[[str], list[str]] | None:
    """A function returning the secret values detect-secrets finds in a text, or None."""
    try:
        from detect_secrets.core import scan as ds
        from detect_secrets.settings import default_settings
    except ImportError:
        return None
    # the settings stay active for the whole run (a dropped context manager would reset them)
    _KEEP.append(default_settings())
    _KEEP[-1].__enter__()
    plugins = ds.get_plugins()

    def scan(text: str) -> list[str]:
        found = []
        for line in text.splitlines() or [""]:
            context = ds.get_code_snippet(lines=[line], line_number=1)
            for plugin in plugins:
                for secret in ds._scan_line(
                    plugin=plugin,
                    filename="journal.txt",
                    line=line,
                    line_number=1,
                    context=context,
                ):
                    if not ds._is_filtered_out(
                        required_filter_parameters=["context"],
                        filename=secret.filename,
                        secret=secret.secret_value,
                        plugin=plugin,
                        line=line,
                        context=context,
                    ):
                        found.append(secret.secret_value)
        return found

    return scan


def _replace(scan: Callable[[str], list[str]], text: str) -> str:
    """What redaction with a detector gives: each value it reports replaced."""
    for value in scan(text):
        if value:
            text = text.replace(value, "[REDACTED]")
    return text


def _with_scanner(scan: Callable[[str], list[str]]) -> Callable[[Payload], bool]:
    def run(payload: Payload) -> bool:
        texts = _strings(payload[0]) + _strings(payload[1])
        return any(_replace(scan, text) != text for text in texts)

    return run


def _time(fn: Callable[[Payload], bool], payloads: list[Payload]) -> tuple[list[float], int]:
    samples, hits = [], 0
    for payload in payloads:
        start = time.perf_counter()
        hits += fn(payload)
        samples.append(time.perf_counter() - start)
    return samples, hits


def _quality(clean: Callable[[str], str]) -> tuple[int, int, int]:
    """(positives whose secret is gone, near misses changed, cases) on the rule table's tests."""
    from tests.journal.test_secret_rules import CASES

    removed = sum(secret not in clean(text) for text, secret, _ in CASES.values())
    changed = sum(clean(near) != near for _, _, near in CASES.values())
    return removed, changed, len(CASES)


def _drafts(payloads: list[Payload]) -> list[Draft]:
    out = []
    for i, (data, context) in enumerate(payloads):
        kind = "system.alert.firing" if "labels" in data else "note.added"
        if kind == "system.alert.firing":
            data = {**data, "key": f"fire:{i}"}
        out.append(Draft(incident=INCIDENT, kind=kind, actor="alice", data=data, context=context))
    return out


async def _appends(
    path: Path, drafts: list[Draft], redact_secrets: bool
) -> tuple[list[float], list[float]]:
    """(durable append times, times of the append's CPU part before the write: validate and
    redact, Journal._prepare). The second is what redaction adds, without fsync noise."""
    async with await Journal.open(path, redact_secrets=redact_secrets) as journal:
        appends, prepares = [], []
        for draft in drafts:
            start = time.perf_counter()
            journal._prepare(draft)
            prepares.append(time.perf_counter() - start)
            start = time.perf_counter()
            await journal.append(draft)
            appends.append(time.perf_counter() - start)
    return appends[50:], prepares[50:]  # the first ones warm caches


def _us(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    return f"p50 {statistics.median(samples) * 1e6:8.1f} us   p99 {p99 * 1e6:8.1f} us"


def report(base: Path, appends: int) -> None:
    payloads = corpus()
    dirty = sum(_cockpit(p) for p in payloads)
    strings = sum(len(_strings(d)) + len(_strings(c)) for d, c in payloads)
    print(
        f"redaction of {len(payloads)} event payloads ({strings} strings; "
        f"{dirty} hold a planted secret):"
    )
    scanners: list[tuple[str, Callable[[Payload], bool], Callable[[str], str]]] = [
        ("cockpit rules", _cockpit, lambda text: redact(text)[0])
    ]
    ds = detect_secrets_scanner()
    if ds is not None:
        scanners.append(("detect-secrets", _with_scanner(ds), lambda text: _replace(ds, text)))
    else:
        print("  (detect-secrets not installed: pip install detect-secrets to compare)")
    for name, fn, clean_text in scanners:
        _time(fn, payloads[:100])  # warm up: compile, caches
        samples, hits = _time(fn, payloads)
        clean = [s for s, p in zip(samples, payloads, strict=True) if not _cockpit(p)]
        secret = [s for s, p in zip(samples, payloads, strict=True) if _cockpit(p)]
        removed, changed, cases = _quality(clean_text)
        print(f"  {name:15} per payload {_us(samples)}  ({hits} payloads redacted)")
        print(f"  {'':15} clean       {_us(clean)}")
        print(f"  {'':15} with secret {_us(secret)}")
        print(
            f"  {'':15} rule table cases: secret removed from {removed}/{cases} positives, "
            f"{changed}/{cases} near misses changed"
        )
    while _KEEP:  # detect-secrets' settings back, before the interpreter shuts down
        _KEEP.pop().__exit__(None, None, None)
    drafts = _drafts(payloads[: min(appends, len(payloads))])
    off, prep_off = asyncio.run(_appends(base / "redact-off.sqlite", drafts, False))
    on, prep_on = asyncio.run(_appends(base / "redact-on.sqlite", drafts, True))
    print(f"  append of these payloads, {len(on)} samples (durable: fsync dominates):")
    print(f"    redact = false  {_us(off)}   before the write {_us(prep_off)}")
    print(f"    redact = true   {_us(on)}   before the write {_us(prep_on)}")
    extra = statistics.median(prep_on) - statistics.median(prep_off)
    share = extra / statistics.median(on)
    print(f"    redaction adds {extra * 1e6:.1f} us per append ({share:.1%} of the p50 append)")
