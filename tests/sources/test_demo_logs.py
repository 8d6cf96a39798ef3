"""The demo's container logs: the crash-looping checkout pods' previous container ends in the
out-of-memory crash, healthy pods log requests (one service as JSON), follow adds new lines
once each, and everything is a pure function of (seed, time)."""

from __future__ import annotations

import asyncio

from cockpit.model import LogLine, LogTarget
from cockpit.sources.base import LogReader
from cockpit.sources.demo import DemoKubernetes, demo_sources

T0 = 1_800_000_000.0
NEW = "registry.example/checkout:v2.4.0"


class Clock:
    def __init__(self) -> None:
        self.t = T0

    def __call__(self) -> float:
        return self.t


def demo(seed: int = 7) -> tuple[Clock, DemoKubernetes]:
    clock = Clock()
    _, sources = demo_sources(seed=seed, clock=clock)
    k8s = sources[2]
    assert isinstance(k8s, DemoKubernetes)
    return clock, k8s


async def read(
    k8s: DemoKubernetes, pod: str, container: str = "", **kw: object
) -> tuple[list[LogLine], list[str]]:
    lines: list[LogLine] = []
    problems: list[str] = []
    options: dict[str, object] = {"previous": False, "since_seconds": None, "tail_lines": None}
    options.update(kw)
    handle = k8s.open_logs(
        LogTarget("shop", pod, container),
        follow=False,
        on_lines=lines.extend,
        on_problem=problems.append,
        **options,  # type: ignore[arg-type]
    )
    for _ in range(50):
        await asyncio.sleep(0.01)
        if lines or problems:
            break
    handle.stop()
    return lines, problems


async def crashlooping(clock: Clock, k8s: DemoKubernetes) -> str:
    clock.t = T0 + 90
    snap = await k8s.fetch()
    return next(p.name for p in snap.pods or () if p.app == "checkout" and p.restarts >= 2)


async def test_the_previous_container_of_a_crashlooping_pod_shows_the_oom() -> None:
    clock, k8s = demo()
    assert isinstance(k8s, LogReader)
    pod = await crashlooping(clock, k8s)
    app, _ = await k8s.containers("shop", pod)
    assert app.last_reason == "OOMKilled" and app.last_exit == 137
    assert app.termination.startswith("OOMKilled, exit 137, ")
    lines, problems = await read(k8s, pod, previous=True)
    assert not problems
    texts = [line.text for line in lines]
    assert any("Starting CheckoutApplication v2.4.0" in t for t in texts)
    assert any("price cache" in t for t in texts)
    assert any("GC overhead" in t for t in texts)
    oom = next(i for i, t in enumerate(texts) if "java.lang.OutOfMemoryError: Java heap space" in t)
    assert "PriceCache.put" in "".join(texts[oom:])
    assert all(line.previous for line in lines)
    assert [line.at_ns for line in lines] == sorted(line.at_ns for line in lines)
    # the previous container died when Kubernetes says it did
    assert lines[-1].ts[11:19] == app.last_finished[11:19]


async def test_healthy_pods_log_requests_and_cart_logs_json() -> None:
    clock, k8s = demo()
    clock.t = T0 + 60
    pods = (await k8s.fetch()).pods or ()
    cart = next(p.name for p in pods if p.app == "cart")
    lines, _ = await read(k8s, cart, since_seconds=60)
    assert len(lines) > 20
    assert all(line.text.startswith('{"ts":') and '"level":' in line.text for line in lines)
    assert all(line.at_ns >= (T0 + 60 - 60) * 1e9 for line in lines)


async def test_previous_of_a_pod_that_never_restarted_is_refused_like_the_api() -> None:
    clock, k8s = demo()
    clock.t = T0 + 60
    pods = (await k8s.fetch()).pods or ()
    healthy = next(p for p in pods if p.app != "checkout" and p.restarts == 0)
    lines, problems = await read(k8s, healthy.name, previous=True)
    assert not lines
    assert problems == [
        f"kubernetes: logs of shop/{healthy.name}: previous terminated container "
        f'"{healthy.app}" in pod "{healthy.name}" not found'
    ]


async def test_follow_adds_each_new_line_once() -> None:
    clock, k8s = demo()
    clock.t = T0 + 30
    pods = (await k8s.fetch()).pods or ()
    pod = next(p.name for p in pods if p.app == "frontend")
    lines: list[LogLine] = []
    handle = k8s.open_logs(
        LogTarget("shop", pod),
        previous=False,
        since_seconds=10,
        tail_lines=None,
        follow=True,
        on_lines=lines.extend,
        on_problem=print,
    )
    try:
        await asyncio.sleep(0.1)
        first = len(lines)
        for _ in range(10):
            clock.t += 1
            await asyncio.sleep(0.06)
    finally:
        handle.stop()
    assert len(lines) > first > 0
    keys = [(line.at_ns, line.text) for line in lines]
    assert len(keys) == len(set(keys))
    assert keys == sorted(keys, key=lambda k: k[0])


async def test_logs_are_a_function_of_seed_and_time() -> None:
    a_clock, a = demo(seed=3)
    b_clock, b = demo(seed=3)
    pod_a = await crashlooping(a_clock, a)
    pod_b = await crashlooping(b_clock, b)
    assert pod_a == pod_b
    assert (await read(a, pod_a, previous=True))[0] == (await read(b, pod_b, previous=True))[0]


async def test_checkout_pods_have_an_init_container_with_its_own_log() -> None:
    clock, k8s = demo()
    pod = await crashlooping(clock, k8s)
    app, init = await k8s.containers("shop", pod)
    assert (app.name, app.init) == ("checkout", False) and app.state.startswith(("running", "wait"))
    assert (init.label, init.state, init.last_exit) == ("init:migrate", "terminated Completed", 0)
    lines, problems = await read(k8s, pod, "migrate")
    assert not problems and lines
    assert all(x.container == "migrate" and x.text.startswith("migrate: ") for x in lines)
    assert "migrate: no migrations to apply" in [x.text for x in lines]
    # an init container that ran once has no previous container, as the API says
    _, problems = await read(k8s, pod, "migrate", previous=True)
    assert problems and 'previous terminated container "migrate"' in problems[0]
