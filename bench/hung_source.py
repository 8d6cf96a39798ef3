"""How long a hung server (accepts connections, never answers) takes to read as down.

    .venv/bin/python bench/hung_source.py [--timeout 2] [--panels 1 4 5 8]

For Prometheus (with N panels), Alertmanager and the Kubernetes API, the seconds from the
source's start until its health says down, and that reason. Target: within 2 x timeout
(issue 11 item 1). Prometheus runs at most 4 queries at once, so with more than 4 panels the
first fetch needs two rounds of timeouts.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from tempfile import TemporaryDirectory

ROOT = Path(__file__).resolve().parents[1]
# bench/kubernetes.py would shadow the client package: keep bench/ off the path
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

from cockpit.config import AlertmanagerConfig, KubernetesConfig, PrometheusConfig  # noqa: E402
from cockpit.model import Panel  # noqa: E402
from cockpit.sources.alerts import AlertmanagerSource  # noqa: E402
from cockpit.sources.base import Source  # noqa: E402
from cockpit.sources.kubernetes import KubernetesSource  # noqa: E402
from cockpit.sources.prometheus import PrometheusSource  # noqa: E402
from tests.health.hang import HangingServer  # noqa: E402


async def time_to_down(source: Source, limit: float) -> tuple[float, str]:
    start = time.monotonic()
    await source.start()
    try:
        while source.health.up or source.health.error is None:
            if time.monotonic() - start > limit:
                return float("inf"), "still not down"
            await asyncio.sleep(0.02)
        return time.monotonic() - start, source.health.error or ""
    finally:
        await source.stop()


async def main(timeout: float, panel_counts: list[int]) -> None:
    server = HangingServer().start()
    limit = 10 * timeout
    try:
        rows: list[tuple[str, float, str]] = []
        for n in panel_counts:
            panels = tuple(Panel(f"p{i}", f"metric_{i}") for i in range(n))
            prom = PrometheusSource(PrometheusConfig(url=server.url, timeout=timeout), panels)
            rows.append((f"prometheus, {n} panels", *await time_to_down(prom, limit)))
        am = AlertmanagerSource(AlertmanagerConfig(url=server.url, timeout=timeout))
        rows.append(("alertmanager", *await time_to_down(am, limit)))
        with TemporaryDirectory() as tmp:
            kubeconfig = Path(tmp) / "kubeconfig"
            kubeconfig.write_text(
                "apiVersion: v1\ncurrent-context: h\nclusters:\n"
                f"- name: h\n  cluster: {{server: '{server.url}'}}\n"
                "contexts:\n- name: h\n  context: {cluster: h, user: u}\n"
                "users:\n- name: u\n  user: {token: t}\n"
            )
            config = KubernetesConfig(kubeconfig=str(kubeconfig), timeout=timeout)
            rows.append(("kubernetes", *await time_to_down(KubernetesSource(config), limit)))
    finally:
        server.stop()
    print(f"timeout {timeout:g} s; target: down within {2 * timeout:g} s")
    for name, seconds, reason in rows:
        print(f"  {name:24} down after {seconds:5.2f} s  ({reason[:70]})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=2.0)
    parser.add_argument("--panels", type=int, nargs="+", default=[1, 4, 5, 8])
    args = parser.parse_args()
    asyncio.run(main(args.timeout, args.panels))
