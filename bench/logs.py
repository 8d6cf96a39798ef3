"""Log view benchmark: a 2,000 lines/s stream into an open log view.

Run: .venv/bin/python bench/logs.py [--seconds 60] [--rate 2000] [--pods 3]
(`--seconds 600` for the issue's 10 minutes). Prints figures; not a test. Headless
(App.run_test) log view over a synthetic LogReader that delivers `rate` lines/s across `pods`
pods in 20 batches a second (as the Kubernetes stream delivers a batch per network read), a
tenth of them JSON, some with SGR colour. Figures:
  key -> screen   `up`/`down` sent as the terminal driver sends it, until the frame with the moved
                  cursor is rendered to terminal bytes (p50/p99; target p99 <= 50 ms)
  CPU             process CPU time / wall time while streaming
  RSS             resident memory after the warm-up and at the end (bounded by the ring buffer)
  search          `/` over a full buffer: set the search and count every match (target <= 100 ms)
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from textual import events
from textual.app import App

from cockpit.gcpolicy import CollectorPolicy
from cockpit.model import ContainerInfo, LogLine, LogTarget
from cockpit.screens.logs import LogScreen, LogSubject


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * resource.getpagesize() / 2**20


class StreamReader:
    """`rate` lines/s, 20 batches/s, per pod; ordered stamps, realistic shapes."""

    def __init__(self, rate: int, pods: int) -> None:
        self.rate, self.pods = rate, pods
        self.tasks: list[asyncio.Task[None]] = []
        self.sent = 0

    async def containers(self, namespace: str, pod: str) -> tuple[ContainerInfo, ...]:
        return (ContainerInfo("app", restarts=3, last_reason="OOMKilled", last_exit=137),)

    def open_logs(self, target: LogTarget, *, on_lines: Any, **_: Any) -> Any:
        per_batch = max(1, self.rate // self.pods // 20)

        async def run() -> None:
            n = 0
            while True:
                now = time.time_ns()
                batch = []
                for i in range(per_batch):
                    n += 1
                    at = now + i * 1000
                    day = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(at / 1e9))
                    stamp = f"{day}.{at % 10**9:09d}Z"
                    if n % 10 == 0:
                        text = (
                            f'{{"level":"info","msg":"request served","path":"/api/{n}",'
                            f'"ms":{n % 97}}}'
                        )
                    elif n % 7 == 0:
                        text = f"\x1b[33mWARN\x1b[0m slow query {n} took {n % 300}ms"
                    else:
                        text = f"INFO GET /api/checkout/{n} 200 {n % 90}ms user=u{n % 1000}"
                    batch.append(LogLine("shop", target.pod, "app", stamp, at, text))
                self.sent += len(batch)
                on_lines(batch)
                await asyncio.sleep(0.05)

        self.tasks.append(asyncio.get_running_loop().create_task(run()))
        return self

    def stop(self) -> None:
        for task in self.tasks:
            task.cancel()


class FrameClock:
    """Key press -> screen, as a terminal sees it: the key goes in the way the driver's input
    thread delivers it, and the clock stops when a frame that holds the moved cursor has been
    turned into the bytes a terminal would receive.

    Not `pilot.press`: it waits for the whole process to go idle (twice, at least 20 ms each),
    which a 2,000 lines/s stream never lets happen; that measured the test harness, not the app.
    """

    def __init__(self, app: App[None], screen: LogScreen) -> None:
        self.app, self.screen = app, screen
        self.acted = self.drawn = False
        self.done: asyncio.Future[float] | None = None
        action, render_lines, display = screen.action_move, screen.view.render_lines, app._display

        def move(delta: int) -> None:
            action(delta)
            self.acted = True

        def lines(crop: Any) -> Any:
            out = render_lines(crop)
            self.drawn = self.drawn or self.acted  # the view drawn after the key moved it
            return out

        def show(on: Any, update: Any) -> None:
            if update is not None:
                update.render_segments(app.console)  # the terminal's bytes: headless skips them
            display(on, update)
            if self.drawn and self.done is not None and not self.done.done():
                self.done.set_result(time.perf_counter())

        screen.action_move = move  # type: ignore[method-assign]
        screen.view.render_lines = lines  # type: ignore[method-assign]
        app._display = show  # type: ignore[method-assign]

    async def press(self, key: str) -> float:
        """Milliseconds from the key entering the app to its frame leaving the compositor."""
        self.acted = self.drawn = False
        self.done = asyncio.get_running_loop().create_future()
        assert self.app._driver is not None
        t0 = time.perf_counter()
        self.app._driver.send_message(events.Key(key, None))
        return (await self.done - t0) * 1000


class BenchApp(App[None]):
    """The cockpit's garbage-collector policy, as CockpitApp runs it (a bare App would let
    CPython's full collections land in the middle of key presses, which the cockpit avoids)."""

    def __init__(self) -> None:
        super().__init__()
        self.collector = CollectorPolicy()

    def on_mount(self) -> None:
        self.collector.attach(self)

    def on_unmount(self) -> None:
        self.collector.release()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            self.collector.input_seen()
        await super().on_event(event)


async def main(seconds: float, rate: int, pods: int) -> None:
    reader = StreamReader(rate, pods)
    app = BenchApp()
    names = [f"checkout-7d9f-{i:05d}" for i in range(pods)]
    async with app.run_test(size=(160, 48)):
        screen = LogScreen(reader, LogSubject("shop", "checkout", names))  # type: ignore[arg-type]
        await app.push_screen(screen)
        await asyncio.sleep(min(10.0, seconds / 4))  # warm-up: the ring fills up
        rss_start = rss_mb()
        cpu0, wall0 = time.process_time(), time.monotonic()
        latencies: list[float] = []
        end = wall0 + seconds
        frames = FrameClock(app, screen)
        every = 60.0 if seconds >= 120 else seconds / 4  # RSS samples: flat when bounded
        samples, next_sample = [rss_start], wall0 + every
        while time.monotonic() < end:
            latencies.append(await frames.press("down" if len(latencies) % 2 else "up"))
            await asyncio.sleep(0.2)
            if time.monotonic() >= next_sample:
                samples.append(rss_mb())
                next_sample += every
        cpu = (time.process_time() - cpu0) / (time.monotonic() - wall0)
        rss_end = rss_mb()
        buffer = screen.buffer
        t0 = time.perf_counter()
        screen.view.set_search("slow query")
        matches = screen.view.count_matches()
        search_ms = (time.perf_counter() - t0) * 1000
        lat = sorted(latencies)
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
        sent = f"{reader.sent:,} lines sent"
        print(f"stream: {rate} lines/s over {pods} pods for {seconds:.0f} s ({sent})")
        ring = f"ring {buffer.capacity:,}"
        print(f"buffer: {len(buffer):,} lines kept, {buffer.dropped:,} dropped ({ring})")
        p50, n = statistics.median(lat), len(lat)
        print(f"key -> screen: p50 {p50:.1f} ms, p99 {p99:.1f} ms ({n} presses; target p99 <= 50)")
        print(f"CPU: {cpu * 100:.0f}% of one core while streaming")
        print(f"RSS: {rss_start:.0f} MiB after warm-up, {rss_end:.0f} MiB at the end")
        shown = ", ".join(f"{x:.0f}" for x in samples)
        print(f"RSS every {every:.0f} s: {shown} MiB (peak {max(samples):.0f})")
        print(
            f"search over a full buffer: {search_ms:.1f} ms, {matches:,} matches (target <= 100 ms)"
        )
        screen.stop_streams()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rate", type=int, default=2000)
    parser.add_argument("--pods", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.seconds, args.rate, args.pods))
