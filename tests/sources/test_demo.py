"""The demo incident: story timing, determinism, rollback, silences and derived changes."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from msgspec.structs import replace

from cockpit.actions import ActionRefused, Actions
from cockpit.model import Deploy, Snapshot, SystemChange, parse_ts
from cockpit.sources.base import ActionError, Remediator, Silencer, Source
from cockpit.sources.demo import (
    DemoAlertmanager,
    DemoKubernetes,
    DemoPrometheus,
    DemoWorld,
    demo_sources,
    make_demo_sources,
)

T0 = 1_800_000_000.0
OLD = "registry.example/checkout:v2.3.9"
NEW = "registry.example/checkout:v2.4.0"


class FakeClock:
    def __init__(self, t: float = T0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t

    def at(self, elapsed: float) -> None:
        self.t = T0 + elapsed


class Demo:
    def __init__(self, seed: int = 7, speed: float = 1.0) -> None:
        self.clock = FakeClock()
        self.world, sources = demo_sources(seed=seed, speed=speed, clock=self.clock)
        prom, am, k8s = sources
        assert isinstance(prom, DemoPrometheus)
        assert isinstance(am, DemoAlertmanager)
        assert isinstance(k8s, DemoKubernetes)
        self.sources: list[Source] = sources
        self.prom, self.am, self.k8s = prom, am, k8s

    async def snap(self, elapsed: float | None = None) -> tuple[Snapshot, Snapshot, Snapshot]:
        if elapsed is not None:
            self.clock.at(elapsed)
        return await self.prom.fetch(), await self.am.fetch(), await self.k8s.fetch()

    async def checkout_deploy(self) -> Deploy:
        deploys = (await self.k8s.fetch()).deploys or ()
        return next(d for d in deploys if d.deployment == "checkout")


def panel(snap: Snapshot, title: str):
    return next(p for p in snap.panels or () if p.panel.title == title)


def names(snap: Snapshot) -> set[str]:
    return {a.name for a in snap.alerts or ()}


async def test_sources_interface() -> None:
    demo = Demo()
    assert [s.name for s in demo.sources] == ["prometheus", "alertmanager", "kubernetes"]
    assert all(s.interval == 1.0 for s in demo.sources)
    assert isinstance(demo.am, Silencer) and isinstance(demo.k8s, Remediator)
    assert not isinstance(demo.prom, Silencer) and not isinstance(demo.prom, Remediator)
    assert DemoKubernetes(demo.world, interval=0.25).interval == 0.25
    assert [s.name for s in make_demo_sources(demo.world)] == [s.name for s in demo.sources]
    assert [p.title for p in demo.world.panels] == [
        "5xx rate",
        "p99 latency",
        "request rate",
        "checkout CPU",
        "checkout memory",
    ]
    five = demo.world.panels[0]
    assert (five.unit, five.warn, five.crit) == ("req/s", 1.0, 5.0)
    mem = demo.world.panels[4]
    assert (mem.unit, mem.warn, mem.crit) == ("MiB", 400.0, 480.0)


async def test_clock_speed_and_random_seed() -> None:
    demo = Demo(speed=10.0)
    demo.clock.t = T0 + 4.0
    assert demo.world.now() == pytest.approx(T0 + 40.0)
    assert demo.world.elapsed() == pytest.approx(40.0)
    prom, _, _ = await demo.snap()
    assert prom.at == pytest.approx(T0 + 40.0)
    assert isinstance(DemoWorld().seed, int)


async def test_healthy_start_with_full_history() -> None:
    demo = Demo()
    prom, am, k8s = await demo.snap(0)
    assert prom.source == "prometheus" and prom.at == T0
    for series in prom.panels or ():
        assert len(series.points) == 91  # 15 minutes at 10 s, back-filled
        assert series.points[0][0] == T0 - 900 and series.points[-1][0] == T0
        assert series.level() == "ok"
    # occasional missed scrapes show as gaps somewhere in the history
    assert any(v is None for s in prom.panels or () for _, v in s.points)
    assert am.alerts == ()
    pods = k8s.pods or ()
    assert {p.app for p in pods} == {"checkout", "frontend", "cart", "payments", "search"}
    assert all(p.ready and p.phase == "Running" and not p.reason for p in pods)
    deploys = k8s.deploys or ()
    assert [d.created for d in deploys] == sorted((d.created for d in deploys), reverse=True)
    current = await demo.checkout_deploy()
    assert (current.revision, current.image_to) == (41, OLD)
    assert current.image_from == "registry.example/checkout:v2.3.8" and current.change_cause
    assert 2 * 86400 < T0 - parse_ts(current.created).timestamp() < 5 * 86400
    # background noise: only Normal events, newest first, some from before the start
    events = k8s.events or ()
    assert events and all(e.type == "Normal" for e in events)
    assert [e.last_seen for e in events] == sorted((e.last_seen for e in events), reverse=True)
    assert {"Scheduled", "Started", "ScalingReplicaSet", "SuccessfulCreate"} <= {
        e.reason for e in events
    }


async def test_rollout_appears_after_five_seconds() -> None:
    demo = Demo()
    await demo.snap(4)
    assert (await demo.checkout_deploy()).revision == 41
    _, _, k8s = await demo.snap(6)
    deploy = (k8s.deploys or ())[0]
    assert (deploy.deployment, deploy.revision) == ("checkout", 42)
    assert (deploy.image_from, deploy.image_to) == (OLD, NEW)
    assert parse_ts(deploy.created).timestamp() == pytest.approx(T0 + 5)
    assert "v2.4.0" in deploy.change_cause
    scaling = [
        e for e in k8s.events or () if e.reason == "ScalingReplicaSet" and "checkout" in e.object
    ]
    assert scaling and scaling[0].type == "Normal"
    assert scaling[0].message.startswith("Scaled up replica set checkout-")


async def test_incident_develops_and_stays_degraded() -> None:
    demo = Demo()
    prom, am, k8s = await demo.snap(40)
    assert panel(prom, "5xx rate").level() == "crit"
    assert (panel(prom, "5xx rate").latest or 0) > 8
    assert panel(prom, "p99 latency").level() == "crit"
    assert names(am) == {"HighErrorRate", "KubePodCrashLooping"}
    for alert in am.alerts or ():
        assert alert.state == "firing" and alert.silenced_by == ()
        assert T0 + 10 < parse_ts(alert.starts_at).timestamp() <= T0 + 40
        assert alert.labels["namespace"] == "shop" and alert.labels["service"] == "checkout"
        assert alert.summary
    high = next(a for a in am.alerts or () if a.name == "HighErrorRate")
    assert high.severity == "critical"
    loop = next(a for a in am.alerts or () if a.name == "KubePodCrashLooping")
    assert loop.severity == "warning"
    crashing = [p for p in k8s.pods or () if p.crashlooping]
    assert crashing and all(p.app == "checkout" and not p.ready for p in crashing)
    assert loop.labels["pod"] in {p.name for p in crashing}
    warnings = [e for e in k8s.events or () if e.type == "Warning"]
    assert {"OOMKilling", "BackOff"} <= {e.reason for e in warnings}
    backoff = next(e for e in warnings if e.reason == "BackOff")
    assert backoff.message.startswith("Back-off restarting failed container checkout")
    restarts_at_40 = max(p.restarts for p in k8s.pods or () if p.app == "checkout")

    # no rollback: still broken ten minutes later, restarts keep climbing
    prom, am, k8s = await demo.snap(600)
    assert panel(prom, "5xx rate").level() == "crit"
    assert "HighErrorRate" in names(am)
    assert sum(a.name == "KubePodCrashLooping" for a in am.alerts or ()) == 3
    assert max(p.restarts for p in k8s.pods or () if p.app == "checkout") > restarts_at_40
    oom = [e for e in k8s.events or () if e.reason == "OOMKilling"]
    assert oom and max(e.count for e in oom) >= 3


async def test_oomkilled_shows_before_crashloop() -> None:
    demo = Demo()
    seen = set()
    for second in range(0, 60):
        _, _, k8s = await demo.snap(second)
        seen |= {p.reason for p in k8s.pods or () if p.app == "checkout"}
    assert {"OOMKilled", "CrashLoopBackOff", "ContainerCreating"} <= seen


@pytest.mark.parametrize("seed", [1, 2, 3, 99])
async def test_story_holds_for_any_seed(seed: int) -> None:
    demo = Demo(seed=seed)
    prom, am, k8s = await demo.snap(40)
    assert panel(prom, "5xx rate").level() == "crit"
    assert names(am) == {"HighErrorRate", "KubePodCrashLooping"}
    assert any(p.crashlooping for p in k8s.pods or ())
    await demo.k8s.apply("rollback", await demo.checkout_deploy())
    prom, am, _ = await demo.snap(65)
    assert panel(prom, "5xx rate").level() == "ok" and am.alerts == ()


async def test_same_seed_and_clock_give_identical_snapshots() -> None:
    busy, lazy, other = Demo(seed=42), Demo(seed=42), Demo(seed=43)
    # one is polled every second, the other only at the end: results must not differ
    for second in range(0, 301, 3):
        await busy.snap(second)
    for elapsed in (300, 300.5):
        assert await busy.snap(elapsed) == await lazy.snap(elapsed)
    other_prom, _, other_k8s = await other.snap(300)
    busy_prom, _, busy_k8s = await busy.snap(300)
    assert other_prom.panels != busy_prom.panels
    assert {p.name for p in other_k8s.pods or ()} != {p.name for p in busy_k8s.pods or ()}


async def test_rollback_restores_old_image_and_recovers() -> None:
    demo = Demo()
    await demo.snap(45)
    bad = await demo.checkout_deploy()
    assert bad.revision == 42
    plan = await demo.k8s.plan("rollback", bad)
    assert plan == f"checkout: image {NEW} -> {OLD} (rev 42 -> 43)"
    status = await demo.k8s.apply("rollback", bad)
    assert "checkout" in status and "rolled back" in status

    _, _, k8s = await demo.snap(46)
    deploys = [d for d in k8s.deploys or () if d.deployment == "checkout"]
    assert (deploys[0].revision, deploys[0].image_from, deploys[0].image_to) == (43, NEW, OLD)
    assert parse_ts(deploys[0].created).timestamp() == pytest.approx(T0 + 45)
    # like `kubectl rollout undo`, rev 41's template now lives on as rev 43
    assert [d.revision for d in deploys] == [43, 42, 40, 39]

    for elapsed in (50, 55, 60, 65, 70):
        prom, am, k8s = await demo.snap(elapsed)
        if not am.alerts and panel(prom, "5xx rate").level() == "ok":
            break
    assert elapsed - 45 <= 25
    assert am.alerts == ()
    assert panel(prom, "p99 latency").level() == "ok"
    checkout = [p for p in k8s.pods or () if p.app == "checkout"]
    assert len(checkout) == 3 and all(p.ready and p.restarts == 0 for p in checkout)
    assert all(p.name.startswith(deploys[0].deployment) for p in checkout)

    # the rolled-back revision can no longer be rolled back, the new one can (to v2.4.0)
    with pytest.raises(ActionError, match="not the current revision"):
        await demo.k8s.apply("rollback", bad)
    assert NEW in await demo.k8s.plan("rollback", deploys[0])


async def test_rollback_refusals() -> None:
    demo = Demo()
    _, _, k8s = await demo.snap(10)
    deploys = k8s.deploys or ()
    rev41 = next(d for d in deploys if d.deployment == "checkout" and d.revision == 41)
    with pytest.raises(ActionError, match="rev 41 is not the current revision"):
        await demo.k8s.plan("rollback", rev41)
    with pytest.raises(ActionError, match="not the current revision"):
        await demo.k8s.apply("rollback", rev41)
    search = next(d for d in deploys if d.deployment == "search")
    assert search.revision == 1 and search.image_from == ""
    with pytest.raises(ActionError, match="no previous revision"):
        await demo.k8s.apply("rollback", search)
    with pytest.raises(ActionError, match="no deployment"):
        await demo.k8s.apply("rollback", replace(search, deployment="nope"))
    # refusals changed nothing
    assert (await demo.k8s.fetch()).deploys == deploys


async def test_only_rollback_is_offered_and_others_are_refused_in_words() -> None:
    demo = Demo()
    _, _, k8s = await demo.snap(10)
    cart = next(d for d in k8s.deploys or () if d.deployment == "cart")
    assert demo.k8s.remediations == {"rollback"}
    with pytest.raises(ActionError, match=r"^restart is not supported by this source$"):
        await demo.k8s.plan("restart", cart)
    with pytest.raises(ActionError, match=r"^scale is not supported by this source$"):
        await demo.k8s.apply("scale", cart, replicas=2)
    journal: Any = None  # never reached: a refusal comes before any append
    actions = Actions(journal, incident="INC-T", operator="alice", remediator=demo.k8s)
    with pytest.raises(ActionRefused, match=r"^restart is not supported by this source$"):
        await actions.plan_remediation("restart", cart)
    with pytest.raises(ActionRefused, match=r"^restart is not supported by this source$"):
        await actions.remediate("restart", cart, "plan")
    assert "rev 17 -> 18" in await actions.plan_remediation("rollback", cart)


async def test_rollback_of_background_service() -> None:
    demo = Demo()
    _, _, k8s = await demo.snap(10)
    cart = next(d for d in k8s.deploys or () if d.deployment == "cart")
    assert await demo.k8s.plan("rollback", cart) == (
        "cart: image registry.example/cart:v1.9.0 -> registry.example/cart:v1.8.2 (rev 17 -> 18)"
    )
    await demo.k8s.apply("rollback", cart)
    _, _, k8s = await demo.snap(40)
    cart_pods = [p for p in k8s.pods or () if p.app == "cart"]
    assert cart_pods and all(p.ready for p in cart_pods)
    assert next(d for d in k8s.deploys or () if d.deployment == "cart").revision == 18


async def test_silence_and_expire() -> None:
    demo = Demo()
    _, am, _ = await demo.snap(40)
    high = next(a for a in am.alerts or () if a.name == "HighErrorRate")
    sid = await demo.am.silence(high, 120, "rolling back", "alice")
    assert sid

    _, am, _ = await demo.snap(41)
    high = next(a for a in am.alerts or () if a.name == "HighErrorRate")
    assert (high.state, high.silenced_by) == ("silenced", (sid,))
    others = [a for a in am.alerts or () if a.name != "HighErrorRate"]
    assert others and all(a.state == "firing" for a in others)

    await demo.am.expire_silence(sid)
    _, am, _ = await demo.snap(42)
    high = next(a for a in am.alerts or () if a.name == "HighErrorRate")
    assert (high.state, high.silenced_by) == ("firing", ())
    with pytest.raises(ActionError, match="already expired"):
        await demo.am.expire_silence(sid)
    with pytest.raises(ActionError, match="no silence"):
        await demo.am.expire_silence("nope")
    with pytest.raises(ActionError, match="positive"):
        await demo.am.silence(high, 0, "", "alice")

    # a silence also ends by itself when its duration is over
    sid2 = await demo.am.silence(high, 60, "short", "bob")
    assert sid2 != sid
    _, am, _ = await demo.snap(101)
    assert next(a for a in am.alerts or () if a.name == "HighErrorRate").state == "silenced"
    _, am, _ = await demo.snap(102.5)
    assert next(a for a in am.alerts or () if a.name == "HighErrorRate").state == "firing"


async def test_events_are_bounded() -> None:
    demo = Demo()
    demo.world.max_events = 40
    _, _, k8s = await demo.snap(3 * 3600)
    events = k8s.events or ()
    assert len(events) == 40 and k8s.dropped_events > 0
    assert [e.last_seen for e in events] == sorted((e.last_seen for e in events), reverse=True)
    assert len(demo.world._bg_done) <= 40  # the cache of settled events is bounded too
    _, _, later = await demo.snap(3 * 3600 + 600)
    assert later.dropped_events >= k8s.dropped_events


async def test_system_changes_tell_the_story() -> None:
    demo = Demo()
    changes: list[tuple[float, SystemChange]] = []
    for source in demo.sources:
        source.subscribe(on_change=lambda c: changes.append((demo.world.elapsed(), c)))

    async def run_until(end: int, start: int) -> None:
        for second in range(start, end):
            demo.clock.at(second)
            for source in demo.sources:
                await source.refresh()

    await run_until(50, 0)
    kinds = [c.kind for _, c in changes]
    first = {k: next(t for t, c in changes if c.kind == k) for k in set(kinds)}
    assert {
        "system.deploy",
        "system.alert.firing",
        "system.pod.crashloop",
        "system.k8s.warning",
    } <= set(kinds)
    assert "system.alert.resolved" not in kinds
    assert 5 <= first["system.deploy"] < 7
    assert first["system.deploy"] < first["system.alert.firing"] < 40
    assert first["system.deploy"] < first["system.k8s.warning"] < 40
    deploy = next(c for _, c in changes if c.kind == "system.deploy")
    assert deploy.source == "kubernetes"
    assert (deploy.data["revision"], deploy.data["image_to"]) == (42, NEW)
    firing = {c.data["alert"] for _, c in changes if c.kind == "system.alert.firing"}
    assert firing == {"HighErrorRate", "KubePodCrashLooping"}
    assert {c.data["reason"] for _, c in changes if c.kind == "system.k8s.warning"} >= {
        "OOMKilling",
        "BackOff",
    }

    await demo.k8s.apply("rollback", await demo.checkout_deploy())
    changes.clear()
    await run_until(80, 50)
    kinds = [c.kind for _, c in changes]
    assert "system.alert.resolved" in kinds
    resolved = {c.data["alert"] for _, c in changes if c.kind == "system.alert.resolved"}
    assert resolved == {"HighErrorRate", "KubePodCrashLooping"}
    rollback = [c for _, c in changes if c.kind == "system.deploy"]
    assert [(c.data["revision"], c.data["image_to"]) for c in rollback] == [(43, OLD)]
    assert demo.am.latest is not None and demo.am.latest.alerts == ()


async def test_start_publishes_and_stop() -> None:
    demo = Demo()
    demo.clock.at(40)
    snapshots: list[Snapshot] = []
    for source in demo.sources:
        source.subscribe(on_snapshot=snapshots.append)
        await source.start()
    await asyncio.sleep(0.05)
    for source in demo.sources:
        await source.stop()
    assert {s.source for s in snapshots} == {"prometheus", "alertmanager", "kubernetes"}
    assert all(s.health.up and s.health.error is None for s in demo.sources)
