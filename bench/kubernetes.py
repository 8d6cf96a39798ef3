"""Benchmark the Kubernetes source against the loopback fake API server (prints figures).

    .venv/bin/python bench/kubernetes.py [--events 20000] [--pods 2000] [--steady 60]
                                         [--watch-timeout 5]

1. Initial sync: time from start() until the first published Snapshot that accounts for every
   event (shown + dropped beyond the 5,000 bound) and every pod. Target <= 3 s.
2. Steady state: `--steady` seconds of background churn (events, pod updates, bookmarks)
   with server-side watch timeouts shortened to `--watch-timeout` s (production: ~5 min), and
   the requests the server saw. Target: no re-LIST without a 410.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import threading
import time
from pathlib import Path
from tempfile import TemporaryDirectory

ROOT = Path(__file__).resolve().parents[1]
# this file is named kubernetes.py: its directory on sys.path would shadow the client package
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "k8s"))

from fake_apiserver import FakeApiServer, deployment, event, pod, replicaset  # noqa: E402

from cockpit.config import KubernetesConfig  # noqa: E402
from cockpit.model import Snapshot  # noqa: E402
from cockpit.sources.kubernetes import KubernetesSource  # noqa: E402

NAMESPACES = ("shop", "cart", "search", "payments")


def seed(api: FakeApiServer, n_events: int, n_pods: int) -> None:
    events = []
    for i in range(n_events):
        ev = event(f"ev-{i}", NAMESPACES[i % 4], obj=f"Pod/p-{i % n_pods}", at=i * 0.01)
        ev["type"] = "Warning" if i % 10 == 0 else "Normal"
        events.append(ev)
    api.create_many("events", events)
    api.create_many("pods", [pod(f"p-{i}", NAMESPACES[i % 4]) for i in range(n_pods)])
    for ns in NAMESPACES:
        dep = api.create("deployments", deployment("app", ns, image="r/app:v2", revision=2))
        api.create("replicasets", replicaset(dep, image="r/app:v1", revision=1))
        api.create("replicasets", replicaset(dep, image="r/app:v2", revision=2))


def churn(api: FakeApiServer, stop: threading.Event, n_pods: int) -> dict[str, int]:
    done = {"events": 0, "pod_updates": 0, "bookmarks": 0}
    i = 0
    while not stop.wait(0.1):
        i += 1
        api.create("events", event(f"live-{i}", NAMESPACES[i % 4], at=10_000 + i))
        done["events"] += 1
        if i % 10 == 0:
            name = f"p-{i % n_pods}"
            api.update("pods", NAMESPACES[i % n_pods % 4], name, _bump_restarts)
            done["pod_updates"] += 1
        if i % 50 == 0:
            api.bookmark()
            done["bookmarks"] += 1
    return done


def _bump_restarts(obj: dict) -> None:
    cs = obj["status"]["containerStatuses"][0]
    cs["restartCount"] = cs.get("restartCount", 0) + 1


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=20_000)
    ap.add_argument("--pods", type=int, default=2_000)
    ap.add_argument("--steady", type=float, default=60.0)
    ap.add_argument("--watch-timeout", type=int, default=5)
    args = ap.parse_args()

    api = FakeApiServer().start()
    t = time.perf_counter()
    seed(api, args.events, args.pods)
    print(f"seeded {args.events} events, {args.pods} pods in {time.perf_counter() - t:.2f} s")
    with TemporaryDirectory() as tmp:
        kubeconfig = api.write_kubeconfig(Path(tmp) / "kubeconfig")
        source = KubernetesSource(
            KubernetesConfig(kubeconfig=str(kubeconfig)), watch_timeout_s=args.watch_timeout
        )
        snaps: list[Snapshot] = []
        full = asyncio.Event()

        def on_snapshot(snap: Snapshot) -> None:
            snaps.append(snap)
            total = len(snap.events or ()) + snap.dropped_events
            if total >= args.events and len(snap.pods or ()) >= args.pods:
                full.set()

        source.subscribe(on_snapshot)
        t0 = time.perf_counter()
        await source.start()
        await asyncio.wait_for(full.wait(), 60)
        first = time.perf_counter() - t0
        snap = snaps[-1]
        print(
            f"initial list+watch: first complete snapshot after {first:.2f} s "
            f"(target <= 3 s): {len(snap.events or ())} events shown + {snap.dropped_events} "
            f"dropped, {len(snap.pods or ())} pods, {len(snap.deploys or ())} deploy rows, "
            f"{len(snaps)} snapshot(s) published"
        )

        lists0, watches0 = len(api.lists()), api.count(watch=True)
        snaps0 = len(snaps)
        stop = threading.Event()
        result: dict[str, int] = {}
        worker = threading.Thread(target=lambda: result.update(churn(api, stop, args.pods)))
        worker.start()
        await asyncio.sleep(args.steady)
        stop.set()
        worker.join()
        await asyncio.sleep(1.0)  # let the last changes publish
        lists, watches = len(api.lists()) - lists0, api.count(watch=True) - watches0
        final = snaps[-1]
        live_seen = len(final.events or ()) + final.dropped_events - args.events
        print(
            f"steady state {args.steady:.0f} s, watch timeout {args.watch_timeout} s: "
            f"{lists} LIST, {watches} WATCH requests over 4 streams "
            f"(target: 0 re-LIST without a 410); churn {result}; "
            f"{live_seen} live events in the final snapshot; "
            f"{len(snaps) - snaps0} snapshots published "
            f"({(len(snaps) - snaps0) / args.steady:.2f}/s, bound 2/s)"
        )
        print(f"client counters: {source.request_counts()}")
        await source.stop()
    api.stop()


if __name__ == "__main__":
    asyncio.run(main())
