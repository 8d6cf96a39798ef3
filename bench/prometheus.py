"""Benchmark: one PrometheusSource refresh of 1 panel vs 20 panels against a real Prometheus.

Starts an exporter and Prometheus on 127.0.0.1 (tests/integration/servers.py), waits for a
few scrapes, then times refreshes. Prints figures; not a test.

    .venv/bin/python bench/prometheus.py [--repeats 15] [--series 200]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "integration"))

from servers import Exporter, PrometheusServer  # noqa: E402  (path set just above)

from cockpit.config import PrometheusConfig  # noqa: E402
from cockpit.model import Panel  # noqa: E402
from cockpit.sources.prometheus import PrometheusSource  # noqa: E402


def panels(count: int) -> tuple[Panel, ...]:
    # different queries, each touching every exported series: no two panels are the same work
    shapes = (
        "sum(bench_value) * {k}",
        "max(bench_value) + {k}",
        "avg(bench_value) - {k}",
        "count(bench_value > {k})",
        "sum(rate(prometheus_http_requests_total[1m])) + {k}",
    )
    return tuple(Panel(f"p{k}", shapes[k % len(shapes)].format(k=k)) for k in range(count))


async def time_refresh(url: str, count: int, concurrency: int, repeats: int) -> list[float]:
    src = PrometheusSource(
        PrometheusConfig(url=url, timeout=10), panels(count), max_concurrency=concurrency
    )
    try:
        await src.fetch()  # warm the connection pool
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            snap = await src.fetch()
            times.append(time.perf_counter() - started)
            errors = [s.error for s in snap.panels or () if s.error]
            if errors:
                raise SystemExit(f"panel errors: {errors[:3]}")
        return times
    finally:
        await src.close()


class DelayProxy:
    """TCP proxy on 127.0.0.1 delaying each request by `delay_s`: a Prometheus across a
    network (loopback has no latency, so there concurrency only competes for two cores)."""

    def __init__(self, upstream_port: int, delay_s: float) -> None:
        self.upstream_port = upstream_port
        self.delay_s = delay_s
        self.loop = asyncio.new_event_loop()
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        self.ready.wait(5)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(
            asyncio.start_server(self._client, "127.0.0.1", self.port)
        )
        self.ready.set()
        with contextlib.suppress(RuntimeError):
            self.loop.run_forever()
        server.close()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter, delay: float) -> None:
            with contextlib.suppress(ConnectionError):
                while chunk := await src.read(65536):
                    if delay:
                        await asyncio.sleep(delay)
                    dst.write(chunk)
                    await dst.drain()
            dst.close()

        await asyncio.gather(pipe(reader, up_writer, self.delay_s), pipe(up_reader, writer, 0.0))

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def line(label: str, times: list[float]) -> str:
    return (
        f"{label:<34} median {statistics.median(times) * 1000:7.1f} ms"
        f"   min {min(times) * 1000:7.1f} ms   max {max(times) * 1000:7.1f} ms"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--series", type=int, default=200, help="series the exporter serves")
    parser.add_argument(
        "--latency-ms", type=float, default=20.0, help="added per request in the second run"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="cockpit-bench-") as tmp:
        workdir = Path(tmp)
        exporter = Exporter(workdir)
        for i in range(args.series):
            exporter.set_series(f'bench_value{{i="{i}"}}', float(i))
        exporter.start()
        prom = PrometheusServer(workdir, [exporter.target])
        try:
            prom.start()
            prom.wait_for_value("count(bench_value)", float(args.series), timeout=30)
            await asyncio.sleep(3)  # a few more scrapes: rate() has two samples to work with
            local = await run_set(prom.url, args.repeats)
            proxy = DelayProxy(prom.port, args.latency_ms / 1000)
            try:
                remote = await run_set(proxy.url, args.repeats)
            finally:
                proxy.stop()
        finally:
            prom.stop()
            exporter.stop()

    print(f"Prometheus {prom.binary}, {args.series} series, 15 min window, 61 points/panel,")
    print(f"{args.repeats} timed refreshes each (after one warm-up)")
    report("loopback, no added latency", local)
    report(f"through a proxy adding {args.latency_ms:g} ms per request", remote)


async def run_set(url: str, repeats: int) -> dict[str, list[float]]:
    return {
        "1 panel   (max_concurrency=4)": await time_refresh(url, 1, 4, repeats),
        "20 panels (max_concurrency=4)": await time_refresh(url, 20, 4, repeats),
        "20 panels (max_concurrency=1)": await time_refresh(url, 20, 1, repeats),
    }


def report(title: str, figures: dict[str, list[float]]) -> None:
    print(f"-- {title}")
    for label, times in figures.items():
        print(line(label, times))
    one, twenty, serial = (statistics.median(t) for t in figures.values())
    print(f"   20 panels / 1 panel: {twenty / one:.1f}x concurrent, {serial / one:.1f}x serial")


if __name__ == "__main__":
    asyncio.run(main())
