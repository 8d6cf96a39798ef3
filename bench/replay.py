"""Replay benchmark: a 12-hour incident recorded poll by poll, then random seeks.

Run: .venv/bin/python bench/replay.py [--hours H] [--poll S] [--seeks N] [--dir DIR]
Prints figures; not a test. Target: a seek (ReplayModel.at, and the headless ReplayApp
redrawing every pane) <= 100 ms at p99; the journal file size per hour of incident.

The incident: three sources polled every 5 s through ObservationRecorder (Prometheus with
5 panels over a 15-minute window at a 15 s step; Alertmanager whose alerts change every
few minutes; Kubernetes with 40 pods, up to 60 warning events whose counts move, 12 deploys),
and a few hundred journal entries whose contexts carry the firing alerts and metric values.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cockpit.journal.store import Journal
from cockpit.model import (
    Alert,
    Deploy,
    Draft,
    K8sEvent,
    Panel,
    PanelSeries,
    PodHealth,
    Snapshot,
    format_ts,
)
from cockpit.observations import ObservationRecorder, ReplayModel

INCIDENT = "INC-20261128-1905"
T0 = 1_795_892_700.0
STEP_S = 15.0
WINDOW_S = 900.0
PANELS = (
    Panel("5xx rate", "q", "req/s", 1.0, 5.0),
    Panel("p99 latency", "q", "s", 0.5, 1.0),
    Panel("request rate", "q", "req/s"),
    Panel("cpu", "q", "cores", 6.0, 8.0),
    Panel("memory", "q", "GiB", 12.0, 14.0),
)
ALERT_NAMES = ("HighErrorRate", "HighLatency", "PodCrashLooping", "KubeHpaMaxedOut", "DiskPressure")


def iso(epoch: float) -> str:
    return format_ts(datetime.fromtimestamp(epoch, UTC))


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class World:
    """A deterministic, noisy 12-hour incident."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.values: dict[int, list[float]] = {}  # step index -> 5 panel values
        self.level = [0.2, 0.3, 120.0, 3.0, 8.0]
        self.alerts: dict[str, Alert] = {}
        self.events: dict[str, K8sEvent] = {}
        self.pods = [
            PodHealth("shop", f"checkout-7d9f-{i:05x}", "Running", True, 0, "", "checkout")
            for i in range(40)
        ]
        self.deploys = [
            Deploy(
                "shop",
                f"svc{i % 4}",
                40 + i,
                f"reg/svc:v{i}",
                f"reg/svc:v{i + 1}",
                iso(T0 - 3600 * (12 - i)),
                "bump",
            )
            for i in range(12)
        ]

    def point(self, k: int) -> list[float]:
        if k not in self.values:
            self.level = [max(0.0, v * (1 + self.rng.gauss(0, 0.03))) for v in self.level]
            self.values[k] = list(self.level)
        return self.values[k]

    def prometheus(self, at: float) -> Snapshot:
        last = int((at - T0) // STEP_S)
        ks = range(last - int(WINDOW_S / STEP_S), last + 1)
        rows = {k: self.point(k) for k in ks}
        panels = tuple(
            PanelSeries(p, tuple((T0 + k * STEP_S, rows[k][i]) for k in ks))
            for i, p in enumerate(PANELS)
        )
        return Snapshot("prometheus", at, panels=panels)

    def alertmanager(self, at: float) -> Snapshot:
        if self.rng.random() < 5 / 180:  # a change every ~3 minutes
            name = self.rng.choice(ALERT_NAMES)
            if name in self.alerts:
                del self.alerts[name]
            else:
                self.alerts[name] = Alert(
                    fingerprint=f"fp-{name}",
                    name=name,
                    severity=self.rng.choice(("critical", "warning")),
                    state="firing",
                    labels={"alertname": name, "service": "checkout", "namespace": "shop"},
                    annotations={"summary": f"{name} on checkout", "runbook_url": "https://x/rb"},
                    starts_at=iso(at),
                )
        return Snapshot("alertmanager", at, alerts=tuple(self.alerts.values()))

    def kubernetes(self, at: float) -> Snapshot:
        if self.rng.random() < 0.3:
            if self.events and self.rng.random() < 0.7:
                uid = self.rng.choice(list(self.events))
                ev = self.events[uid]
                self.events[uid] = K8sEvent(
                    ev.uid,
                    ev.namespace,
                    ev.type,
                    ev.reason,
                    ev.object,
                    ev.message,
                    ev.count + 1,
                    iso(at),
                    ev.first_seen,
                )
            else:
                pod = self.rng.choice(self.pods)
                uid = f"ev-{at:.0f}"
                self.events[uid] = K8sEvent(
                    uid,
                    "shop",
                    "Warning",
                    self.rng.choice(("BackOff", "Unhealthy", "OOMKilling")),
                    f"Pod/{pod.name}",
                    "Back-off restarting failed container checkout in pod",
                    1,
                    iso(at),
                    iso(at),
                )
                if len(self.events) > 60:
                    del self.events[next(iter(self.events))]
        if self.rng.random() < 0.02:
            i = self.rng.randrange(len(self.pods))
            p = self.pods[i]
            crash = not p.crashlooping
            self.pods[i] = PodHealth(
                p.namespace,
                p.name,
                p.phase,
                not crash,
                p.restarts + 1,
                "CrashLoopBackOff" if crash else "",
                p.app,
            )
        if self.rng.random() < 5 / 7200:  # a deploy every ~2 hours
            n = len(self.deploys)
            self.deploys.append(
                Deploy("shop", "checkout", 40 + n, f"reg/c:v{n}", f"reg/c:v{n + 1}", iso(at), "fix")
            )
        return Snapshot(
            "kubernetes",
            at,
            events=tuple(self.events.values()),
            pods=tuple(self.pods),
            deploys=tuple(self.deploys[-20:]),
        )

    def context(self, at: float) -> dict[str, object]:
        k = int((at - T0) // STEP_S)
        values = self.point(k)
        return {
            "firing": [
                {"alert": a.name, "severity": a.severity, "state": a.state}
                for a in self.alerts.values()
            ],
            "metrics": {p.title: values[i] for i, p in enumerate(PANELS)},
        }


async def generate(path: Path, hours: float, poll: float, entries: int) -> tuple[float, int]:
    world = World(seed=42)
    journal = await Journal.open(path)
    recorder = ObservationRecorder(journal, INCIDENT)
    end = T0 + hours * 3600
    entry_times = sorted(T0 + random.Random(1).random() * (end - T0) for _ in range(entries))
    kinds = ("note.added", "system.k8s.warning", "system.alert.firing", "view.focus")
    started = time.perf_counter()
    record_s = 0.0
    at, e = T0, 0
    await journal.append(Draft(INCIDENT, "session.started", "alice", {"mode": "live"}, ts=iso(T0)))
    while at <= end:
        for snap in (world.prometheus(at), world.alertmanager(at), world.kubernetes(at)):
            t = time.perf_counter()
            await recorder.record(snap)
            record_s += time.perf_counter() - t
        while e < len(entry_times) and entry_times[e] <= at:
            kind = kinds[e % len(kinds)]
            data: dict[str, object] = (
                {"type": "note", "text": f"observation {e}"}
                if kind == "note.added"
                else {"pane": "alerts"}
                if kind == "view.focus"
                else {
                    "reason": "BackOff",
                    "object": "Pod/x",
                    "namespace": "shop",
                    "message": "m",
                    "count": e,
                }
                if kind == "system.k8s.warning"
                else {
                    "alert": "HighErrorRate",
                    "severity": "critical",
                    "fingerprint": "f",
                    "labels": {},
                }
            )
            await journal.append(
                Draft(INCIDENT, kind, "alice", data, world.context(at), ts=iso(entry_times[e]))
            )
            e += 1
        at += poll
    polls = int((end - T0) / poll) + 1
    print(
        f"recorded {hours:g} h: {polls} polls x 3 sources, {recorder.rows} observation rows "
        f"({recorder.skipped} unchanged/skipped), {len(entry_times) + 1} journal entries "
        f"in {time.perf_counter() - started:.1f} s; record() mean "
        f"{record_s / (polls * 3) * 1000:.2f} ms; full={recorder.full}"
    )
    await journal.close()
    return end, recorder.rows


async def seeks(path: Path, n: int) -> None:
    async with await Journal.open(path, create=False) as journal:
        t = time.perf_counter()
        model = await ReplayModel.load(journal, INCIDENT)
        load_s = time.perf_counter() - t
    print(
        f"load: {load_s * 1000:.0f} ms ({len(model.events)} entries, "
        f"{model.observation_rows} observations, {model.observation_bytes / 2**20:.1f} MiB bodies)"
    )
    rng = random.Random(7)
    moments = [rng.uniform(model.start, model.end) for _ in range(n)]
    samples = []
    for m in moments:
        t = time.perf_counter()
        frame = model.at(m)
        samples.append(time.perf_counter() - t)
        assert len(frame.panels) == len(PANELS)
    report("ReplayModel.at", samples)

    from cockpit.replay import ReplayApp

    app = ReplayApp(model)
    async with app.run_test(size=(160, 48)) as pilot:
        # the replay screen mounts after the app's own on_mount (a custom default screen) and
        # shows its first moment then: seek only once that frame is in
        deadline = time.perf_counter() + 10.0
        while app.frame is None:
            if time.perf_counter() > deadline:
                raise SystemExit("replay: the screen showed no first moment within 10 s")
            await asyncio.sleep(0.001)
        await pilot.pause()
        samples = []
        for m in moments:
            t = time.perf_counter()
            app.seek(m)
            samples.append(time.perf_counter() - t)
        report("ReplayApp.seek (model + every pane)", samples)
        samples = []
        for m in moments:
            t = time.perf_counter()
            app.seek(m)
            # let every widget process its messages, then lay out and render the screen once
            # (pilot.pause() would also wait for the CPU to look idle, which is not work)
            await pilot._wait_for_screen()
            app.screen._on_timer_update()
            samples.append(time.perf_counter() - t)
        report("ReplayApp.seek + layout + render", samples)


def report(name: str, samples: list[float]) -> None:
    ms = [s * 1000 for s in samples]
    print(
        f"{name}: p50 {statistics.median(ms):.2f} ms, p99 {_pct(ms, 0.99):.2f} ms, "
        f"max {max(ms):.2f} ms over {len(ms)} random moments (target p99 <= 100 ms)"
    )


def size_of(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--hours", type=float, default=12.0)
    ap.add_argument("--poll", type=float, default=5.0)
    ap.add_argument("--entries", type=int, default=400)
    ap.add_argument("--seeks", type=int, default=200)
    ap.add_argument("--dir", default=None, help="where the journal is written (default: tmp)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        path = Path(tmp) / "journal.sqlite"
        await generate(path, args.hours, args.poll, args.entries)
        size = size_of(path)
        print(
            f"journal file: {size / 2**20:.1f} MiB for {args.hours:g} h = "
            f"{size / 2**20 / args.hours:.2f} MiB per hour of incident ({os.path.basename(tmp)})"
        )
        await seeks(path, args.seeks)


if __name__ == "__main__":
    asyncio.run(main())
