"""Pure functions: deploy history from ReplicaSets, object conversion, the rollback patch."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from fake_apiserver import deployment, event, pod, replicaset

from cockpit.sources.deploys import deploy_history, git_deploys, image_change, previous_revision
from cockpit.sources.kubernetes import event_from, pod_from, rollback_patch


def owned(name: str = "checkout", uid: str = "u-1") -> dict:
    dep = deployment(name, image="registry/checkout:v3", revision=3)
    dep["metadata"]["uid"] = uid
    return dep


def test_history_is_newest_first_with_image_diff_and_change_cause() -> None:
    dep = owned()
    rows = deploy_history(
        [
            replicaset(dep, image="registry/checkout:v2", revision=2, cause="bump", at=20),
            replicaset(dep, image="registry/checkout:v1", revision=1, at=10),
            replicaset(dep, image="registry/checkout:v3", revision=3, at=30),
        ]
    )
    assert [(r.revision, r.image_from, r.image_to, r.change_cause) for r in rows] == [
        (3, "registry/checkout:v2", "registry/checkout:v3", ""),
        (2, "registry/checkout:v1", "registry/checkout:v2", "bump"),
        (1, "", "registry/checkout:v1", ""),
    ]
    assert rows[0].created == "2026-11-28T19:00:30.000Z"
    assert rows[0].key == "shop/checkout#3"


def test_history_skips_orphans_and_keeps_deployments_apart() -> None:
    a, b = owned("checkout", "u-1"), owned("cart", "u-2")
    orphan = replicaset(a, image="x:1", revision=9)
    orphan["metadata"]["ownerReferences"] = []
    no_rev = replicaset(a, image="x:2", revision=8)
    del no_rev["metadata"]["annotations"]["deployment.kubernetes.io/revision"]
    rows = deploy_history(
        [
            replicaset(a, image="a:1", revision=1, at=1),
            replicaset(b, image="b:1", revision=1, at=2),
            replicaset(b, image="b:2", revision=2, at=3),
            orphan,
            no_rev,
        ]
    )
    assert [(r.deployment, r.revision, r.image_from) for r in rows] == [
        ("cart", 2, "b:1"),
        ("cart", 1, ""),
        ("checkout", 1, ""),
    ]


def test_previous_revision_picks_the_highest_below() -> None:
    dep = owned()
    rss = [replicaset(dep, image=f"i:{n}", revision=n) for n in (1, 4, 2, 5)]
    other = replicaset(owned("cart", "u-2"), image="c", revision=3)
    found = previous_revision([*rss, other], "u-1", 5)
    assert found is not None and found[0] == 4
    assert previous_revision(rss, "u-1", 1) is None


def test_image_change_text() -> None:
    assert image_change([("app", "r/c:v2.4.0")], [("app", "r/c:v2.3.9")]) == "r/c:v2.4.0 -> v2.3.9"
    assert image_change([("app", "r/c:v1")], [("app", "other/c:v1")]) == "r/c:v1 -> other/c:v1"
    assert image_change([("app", "a:1"), ("side", "s:1")], [("app", "a:2"), ("side", "s:1")]) == (
        "app: a:1 -> 2"
    )
    assert image_change([("app", "a:1")], [("app", "a:1")]) == ""


def test_pod_reasons() -> None:
    assert pod_from(pod("p", waiting="CrashLoopBackOff", restarts=4)).crashlooping
    oom = pod_from(pod("p", last_terminated="OOMKilled", restarts=1))
    assert oom.reason == "OOMKilled" and oom.restarts == 1 and oom.ready
    both = pod_from(pod("p", waiting="CrashLoopBackOff", last_terminated="OOMKilled"))
    assert both.reason == "CrashLoopBackOff"  # what kubectl shows
    assert pod_from(pod("p", waiting="ContainerCreating", ready=False)).reason == ""
    assert pod_from(pod("p", waiting="ImagePullBackOff")).reason == "ImagePullBackOff"
    assert pod_from(pod("p")).app == "checkout"


def test_event_fields() -> None:
    raw = event("e", obj="Pod/checkout-1", at=5)
    raw["metadata"]["uid"] = "ev-uid"
    ev = event_from(raw)
    assert (ev.uid, ev.namespace, ev.type, ev.object) == (
        "ev-uid",
        "shop",
        "Warning",
        "Pod/checkout-1",
    )
    assert ev.last_seen == "2026-11-28T19:00:05.000Z" and ev.count == 1


def test_rollback_patch_drops_hash_and_keeps_bookkeeping_annotations() -> None:
    dep = owned()
    dep["metadata"]["annotations"]["deployment.kubernetes.io/revision-history"] = "1,2"
    rs = replicaset(dep, image="registry/checkout:v2", revision=2, cause="bump")
    patch = rollback_patch(dep, rs)
    assert patch[0]["value"]["metadata"]["labels"] == {"app": "checkout"}
    assert rs["spec"]["template"]["metadata"]["labels"]["pod-template-hash"] == "h0002"  # copy
    assert patch[1]["value"] == {
        "deployment.kubernetes.io/revision": "3",
        "deployment.kubernetes.io/revision-history": "1,2",
        "kubectl.kubernetes.io/last-applied-configuration": "{}",
        "kubernetes.io/change-cause": "bump",
    }


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_git_deploys(tmp_path: Path) -> None:
    repo = tmp_path / "gitops"
    repo.mkdir()

    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@x", *args],
            check=True,
            capture_output=True,
        )

    git("init", "-q")
    (repo / "apps").mkdir()
    (repo / "apps" / "checkout.yaml").write_text("image: v1\n")
    (repo / "README").write_text("x\n")
    git("add", ".")
    git("commit", "-q", "-m", "checkout v1")
    (repo / "README").write_text("y\n")
    git("commit", "-q", "-am", "docs only")
    (repo / "apps" / "checkout.yaml").write_text("image: v2\n")
    git("commit", "-q", "-am", "checkout v2")
    rows = git_deploys(repo, ["apps"])
    assert [r.change_cause for r in rows] == ["checkout v2", "checkout v1"]
    assert rows[0].namespace == "git" and rows[0].deployment == "gitops"
    assert rows[0].image_from == rows[1].image_to and rows[1].image_from == ""
    assert git_deploys(tmp_path / "missing") == []
