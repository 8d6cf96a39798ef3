"""LIST then WATCH through the real kubernetes client against the loopback API server."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from fake_apiserver import FakeApiServer, deployment, event, pod, replicaset
from k8s_support import eventually

from cockpit.model import Snapshot


def seed(api: FakeApiServer) -> dict[str, Any]:
    dep = api.create(
        "deployments", deployment("checkout", image="registry/checkout:v2.4.0", revision=42)
    )
    api.create("replicasets", replicaset(dep, image="registry/checkout:v2.3.9", revision=41, at=10))
    api.create("replicasets", replicaset(dep, image="registry/checkout:v2.4.0", revision=42, at=20))
    api.create("pods", pod("checkout-1"))
    api.create("pods", pod("checkout-2", waiting="CrashLoopBackOff", restarts=7))
    api.create("events", event("ev-1", at=30))
    api.create("pods", pod("elsewhere", namespace="other"))
    return dep


def pod_names(snap: Snapshot) -> list[str]:
    return [p.name for p in snap.pods or ()]


async def test_list_then_watch_sees_objects_and_later_changes(
    apiserver: FakeApiServer, make_source: Any
) -> None:
    seed(apiserver)
    seeded_rv = str(apiserver.store.rv)
    rec = await make_source()
    snap = await rec.until(
        lambda s: s.pods is not None and s.deploys is not None and bool(s.events)
    )
    assert pod_names(snap) == ["checkout-1", "checkout-2"]  # namespace "other" not watched
    assert snap.pods is not None and snap.pods[1].reason == "CrashLoopBackOff"
    assert snap.pods[1].restarts == 7
    assert [(d.revision, d.image_from, d.image_to) for d in snap.deploys or ()] == [
        (42, "registry/checkout:v2.3.9", "registry/checkout:v2.4.0"),
        (41, "", "registry/checkout:v2.3.9"),
    ]
    assert rec.source.health.up and rec.source.health.error is None

    apiserver.create("events", event("ev-2", reason="Unhealthy", at=40))
    snap = await rec.until(lambda s: len(s.events or ()) == 2)
    assert [e.reason for e in snap.events or ()] == ["Unhealthy", "BackOff"]  # newest first

    # the first watch started exactly at the list's resourceVersion, with bookmarks
    first = apiserver.watches("events")[0]
    assert apiserver.lists("events")[0].list_rv == seeded_rv
    assert first.query["resourceVersion"] == seeded_rv
    assert first.query["allowWatchBookmarks"] == "true"
    assert "timeoutSeconds" in first.query
    assert first.path == "/api/v1/namespaces/shop/events"


async def test_all_namespaces_when_none_configured(
    apiserver: FakeApiServer, make_source: Any
) -> None:
    seed(apiserver)
    rec = await make_source(namespaces=())
    snap = await rec.until(
        lambda s: len(s.pods or ()) == 3 and s.deploys is not None and s.events is not None
    )
    assert sorted(pod_names(snap)) == ["checkout-1", "checkout-2", "elsewhere"]
    assert {r.path for r in apiserver.lists()} == {
        "/api/v1/events",
        "/api/v1/pods",
        "/apis/apps/v1/deployments",
        "/apis/apps/v1/replicasets",
    }


async def test_410_in_stream_relists_without_duplicates_or_gaps(
    apiserver: FakeApiServer, make_source: Any
) -> None:
    seed(apiserver)
    rec = await make_source()
    await rec.until(lambda s: len(s.pods or ()) == 2)
    assert apiserver.count(resource="pods", watch=False) == 1

    # break every watch with ERROR 410 and hold the pods re-LIST, so that changes land while
    # the source has no watch at all
    apiserver.hold_lists("pods")
    apiserver.expire(mode="event")
    await eventually(lambda: apiserver.lists_waiting.get("pods", 0) >= 1)
    apiserver.create("pods", pod("checkout-3"))  # created while the watch was broken
    apiserver.delete("pods", "shop", "checkout-1")  # deleted while broken
    apiserver.update(
        "pods", "shop", "checkout-2", lambda o: o["metadata"].update(labels={"app": "x"})
    )
    apiserver.release_lists("pods")

    snap = await rec.until(
        lambda s: "checkout-3" in pod_names(s) and "checkout-1" not in pod_names(s)
    )
    assert pod_names(snap) == ["checkout-2", "checkout-3"]  # each exactly once
    assert snap.pods is not None and snap.pods[0].app == "x"
    assert apiserver.count(resource="pods", watch=False) == 2

    # and the new watch continues from the re-LIST: nothing after it is missed either
    apiserver.create("pods", pod("checkout-4"))
    snap = await rec.until(lambda s: "checkout-4" in pod_names(s))
    names = pod_names(snap)
    assert names == ["checkout-2", "checkout-3", "checkout-4"]
    assert max(Counter(names).values()) == 1
    relist_rv = apiserver.lists("pods")[1].list_rv
    assert apiserver.watches("pods")[-1].query["resourceVersion"] == relist_rv


async def test_410_http_status_on_watch_start_relists(
    apiserver: FakeApiServer, make_source: Any
) -> None:
    seed(apiserver)
    rec = await make_source()
    await rec.until(lambda s: len(s.pods or ()) == 2)
    apiserver.expire(mode="http")  # watches end; resuming from the old rv answers HTTP 410
    apiserver.create("pods", pod("checkout-3"))
    snap = await rec.until(lambda s: len(s.pods or ()) == 3)
    assert pod_names(snap) == ["checkout-1", "checkout-2", "checkout-3"]
    await eventually(lambda: apiserver.count(resource="pods", watch=False) == 2)
    assert rec.source.health.up


async def test_bookmark_only_advances_the_resource_version(
    apiserver: FakeApiServer, make_source: Any
) -> None:
    seed(apiserver)
    rec = await make_source()
    await rec.until(lambda s: len(s.pods or ()) == 2)
    apiserver.create("pods", pod("checkout-3"))  # rv N: events stream sees nothing of it
    await rec.until(lambda s: len(s.pods or ()) == 3)
    bookmark_rv = apiserver.bookmark()
    await asyncio.sleep(0.2)
    before = len(rec.snapshots)
    apiserver.close_watches()
    await eventually(lambda: len(apiserver.watches("events")) >= 2)
    # the events watch resumed from the bookmark's resourceVersion, without a re-LIST
    assert apiserver.watches("events")[-1].query["resourceVersion"] == str(bookmark_rv)
    assert apiserver.count(resource="events", watch=False) == 1
    await asyncio.sleep(0.2)
    assert len(rec.snapshots) == before  # a bookmark changes no data
    assert rec.source.health.up


async def test_watch_timeout_resumes_without_relist(
    apiserver: FakeApiServer, make_source: Any
) -> None:
    seed(apiserver)
    rec = await make_source(watch_timeout_s=1)
    await rec.until(lambda s: len(s.pods or ()) == 2)
    await eventually(lambda: len(apiserver.watches("pods")) >= 3, timeout=8)
    for resource in ("events", "pods", "deployments", "replicasets"):
        assert apiserver.count(resource=resource, watch=False) == 1, resource
    apiserver.create("pods", pod("checkout-3"))
    await rec.until(lambda s: len(s.pods or ()) == 3)
    assert rec.source.request_counts()["lists"] == 4


async def test_forbidden_events_leave_pods_and_deploys_flowing(
    apiserver: FakeApiServer, make_source: Any
) -> None:
    seed(apiserver)
    apiserver.forbid("events", "shop")
    rec = await make_source()
    snap = await rec.until(lambda s: s.pods is not None and s.deploys is not None)
    assert snap.events is None  # unknown, not "no events"
    assert len(snap.pods or ()) == 2 and len(snap.deploys or ()) == 2
    await eventually(lambda: rec.source.health.error is not None)
    health = rec.source.health
    assert health.up  # partial: visible, but the source is not down
    assert health.error == (
        "cannot list events in namespace shop (403 Forbidden): grant list/watch on events"
    )
    assert not [c for c in rec.changes if c.kind == "system.source.down"]
    apiserver.create("pods", pod("checkout-3"))
    await rec.until(lambda s: len(s.pods or ()) == 3)


async def test_everything_forbidden_marks_the_source_down(
    apiserver: FakeApiServer, make_source: Any
) -> None:
    for resource in ("events", "pods", "deployments", "replicasets"):
        apiserver.forbid(resource)
    rec = await make_source(namespaces=())
    await eventually(lambda: rec.source.health.error is not None and not rec.source.health.up)
    assert "cannot list pods in all namespaces (403 Forbidden)" in (rec.source.health.error or "")
    assert [c.kind for c in rec.changes] == ["system.source.down"]


async def test_unreachable_api_is_down_with_one_line(
    apiserver: FakeApiServer, make_source: Any
) -> None:
    apiserver.stop()
    rec = await make_source()
    await eventually(lambda: rec.source.health.error is not None)
    assert not rec.source.health.up
    assert rec.source.health.error == (
        f"cannot reach the Kubernetes API at {apiserver.url}: connection refused"
    )


async def test_bad_token_is_reported(apiserver: FakeApiServer, make_source: Any) -> None:
    apiserver.token = "another"
    rec = await make_source()
    await eventually(lambda: rec.source.health.error is not None)
    assert "credentials (401 Unauthorized)" in (rec.source.health.error or "")
