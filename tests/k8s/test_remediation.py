"""Rollback / restart / scale: the exact requests kubectl would send, dry run first."""

from __future__ import annotations

from typing import Any

import pytest
from fake_apiserver import FakeApiServer, deployment, replicaset

from cockpit.model import Deploy
from cockpit.sources.base import ActionError, Remediator
from cockpit.sources.kubernetes import READ_ONLY_ERROR

CHECKOUT = Deploy(
    "shop", "checkout", 42, "registry/checkout:v2.3.9", "registry/checkout:v2.4.0", ""
)
FIXED_NOW = 1_795_000_000.0  # 2026-11-18T11:06:40Z


def seed(api: FakeApiServer) -> dict[str, Any]:
    dep = api.create(
        "deployments", deployment("checkout", image="registry/checkout:v2.4.0", revision=42)
    )
    api.create("replicasets", replicaset(dep, image="registry/checkout:v2.3.8", revision=40))
    api.create(
        "replicasets",
        replicaset(dep, image="registry/checkout:v2.3.9", revision=41, cause="release 2.3.9"),
    )
    api.create("replicasets", replicaset(dep, image="registry/checkout:v2.4.0", revision=42))
    other = api.create("deployments", deployment("cart", image="registry/cart:v1", revision=3))
    api.create("replicasets", replicaset(other, image="registry/cart:v0", revision=2))
    return dep


async def test_rollback_sends_kubectls_json_patch_after_a_dry_run(
    apiserver: FakeApiServer, make_source: Any
) -> None:
    dep = seed(apiserver)
    rec = await make_source(start=False)
    source = rec.source
    assert isinstance(source, Remediator)

    plan = await source.plan_rollback(CHECKOUT)
    assert plan == (
        "shop/checkout: image registry/checkout:v2.4.0 -> v2.3.9 (rev 42 -> template of rev 41)"
    )
    assert [p.query.get("dryRun") for p in apiserver.patches] == ["All"]
    assert apiserver.get("deployments", "shop", "checkout") == dep  # the dry run changed nothing

    status = await source.rollback(CHECKOUT)
    assert status.startswith("200 OK: shop/checkout: image registry/checkout:v2.4.0 -> v2.3.9")
    dry, real = apiserver.patches[1:]
    assert dry.query.get("dryRun") == "All" and "dryRun" not in real.query
    assert real.path == "/apis/apps/v1/namespaces/shop/deployments/checkout"
    assert real.content_type == "application/json-patch+json"
    # What `kubectl rollout undo` sends (kubectl pkg/polymorphichelpers/rollback.go): the RS
    # template minus pod-template-hash replaces /spec/template, and the annotations become the
    # RS's own minus the revision bookkeeping, which is kept from the Deployment.
    expected = [
        {
            "op": "replace",
            "path": "/spec/template",
            "value": {
                "metadata": {"labels": {"app": "checkout"}},
                "spec": {"containers": [{"name": "app", "image": "registry/checkout:v2.3.9"}]},
            },
        },
        {
            "op": "replace",
            "path": "/metadata/annotations",
            "value": {
                "deployment.kubernetes.io/revision": "42",
                "kubectl.kubernetes.io/last-applied-configuration": "{}",
                "kubernetes.io/change-cause": "release 2.3.9",
            },
        },
    ]
    assert real.body == expected
    assert dry.body == expected
    after = apiserver.get("deployments", "shop", "checkout")
    assert after["spec"]["template"]["spec"]["containers"][0]["image"] == "registry/checkout:v2.3.9"


async def test_rollback_of_an_older_row_and_nothing_to_roll_back(
    apiserver: FakeApiServer, make_source: Any
) -> None:
    seed(apiserver)
    source = (await make_source(start=False)).source
    plan = await source.plan_rollback(
        Deploy("shop", "checkout", 41, "", "registry/checkout:v2.3.9", "")
    )
    assert plan.endswith("(rev 42 -> template of rev 40)")
    with pytest.raises(ActionError, match="no rollout history before revision 40"):
        await source.plan_rollback(Deploy("shop", "checkout", 40, "", "", ""))
    with pytest.raises(ActionError, match=r'404 Not Found: deployments.apps "nope" not found'):
        await source.plan_rollback(Deploy("shop", "nope", 2, "", "", ""))


async def test_restart_patches_restarted_at(apiserver: FakeApiServer, make_source: Any) -> None:
    seed(apiserver)
    source = (await make_source(start=False, clock=lambda: FIXED_NOW)).source
    plan = await source.plan_restart(CHECKOUT)
    assert plan == (
        "shop/checkout: rolling restart of 3 pod(s) "
        "(kubectl.kubernetes.io/restartedAt=2026-11-18T11:06:40Z)"
    )
    status = await source.restart("shop/checkout")
    assert status.startswith("200 OK: shop/checkout: rolling restart")
    assert [p.query.get("dryRun") for p in apiserver.patches] == ["All", "All", None]
    real = apiserver.patches[-1]
    assert real.content_type == "application/strategic-merge-patch+json"
    assert real.body == {
        "spec": {
            "template": {
                "metadata": {
                    "annotations": {"kubectl.kubernetes.io/restartedAt": "2026-11-18T11:06:40Z"}
                }
            }
        }
    }


async def test_scale_patches_the_scale_subresource(
    apiserver: FakeApiServer, make_source: Any
) -> None:
    seed(apiserver)
    source = (await make_source(start=False)).source
    assert await source.plan_scale(CHECKOUT, 5) == "shop/checkout: replicas 3 -> 5"
    assert apiserver.get("deployments", "shop", "checkout")["spec"]["replicas"] == 3
    status = await source.scale(CHECKOUT, 5)
    assert status == "200 OK: shop/checkout: replicas 3 -> 5"
    dry, real = apiserver.patches[-2:]
    assert dry.query.get("dryRun") == "All"
    assert real.path == "/apis/apps/v1/namespaces/shop/deployments/checkout/scale"
    assert real.content_type == "application/merge-patch+json"
    assert real.body == {"spec": {"replicas": 5}}
    assert apiserver.get("deployments", "shop", "checkout")["spec"]["replicas"] == 5


async def test_api_errors_become_one_line_action_errors(
    apiserver: FakeApiServer, make_source: Any
) -> None:
    seed(apiserver)
    apiserver.denied_verbs["deployments"] = {"patch"}
    source = (await make_source(start=False)).source
    with pytest.raises(ActionError) as err:
        await source.rollback(CHECKOUT)
    assert str(err.value) == (
        '403 Forbidden: deployments.apps "checkout" is forbidden: User "tester" cannot patch '
        'resource "deployments" in API group "apps" in the namespace "shop"'
    )
    assert [p.query.get("dryRun") for p in apiserver.patches] == ["All"]  # never the real one


async def test_read_only_refuses_everything_without_a_request(
    apiserver: FakeApiServer, make_source: Any
) -> None:
    seed(apiserver)
    source = (await make_source(start=False, read_only=True)).source
    before = len(apiserver.requests)
    for call in (
        source.plan_rollback(CHECKOUT),
        source.rollback(CHECKOUT),
        source.plan_restart(CHECKOUT),
        source.restart(CHECKOUT),
        source.plan_scale(CHECKOUT, 1),
        source.scale(CHECKOUT, 1),
    ):
        with pytest.raises(ActionError) as err:
            await call
        assert str(err.value) == READ_ONLY_ERROR
    assert len(apiserver.requests) == before


async def test_doctor_checks_permissions_per_namespace(
    apiserver: FakeApiServer, make_source: Any
) -> None:
    apiserver.forbid("events", "shop")
    apiserver.denied_verbs["deployments"] = {"patch"}
    source = (await make_source(namespaces=("shop", "cart"), start=False)).source
    rows = {name: (ok, detail) for name, ok, detail in await source.doctor_checks()}
    assert rows["kubernetes: API reachable"] == (True, f"{apiserver.url} (v1.31.0-fake)")
    assert rows["kubernetes: auth accepted"][0]
    assert rows["kubernetes: list/watch events in namespace shop"] == (
        False,
        "missing: grant list/watch on events",
    )
    assert rows["kubernetes: list/watch events in namespace cart"] == (True, "allowed")
    assert rows["kubernetes: list/watch pods in namespace shop"] == (True, "allowed")
    assert rows["kubernetes: list/watch/patch deployments in namespace shop"] == (
        False,
        "missing: grant patch on deployments",
    )
    reviews = [r for r in apiserver.requests if r.path.endswith("selfsubjectaccessreviews")]
    assert reviews[0].body["spec"]["resourceAttributes"] == {
        "namespace": "shop",
        "group": "",
        "resource": "events",
        "verb": "list",
    }


async def test_doctor_reports_bad_credentials(apiserver: FakeApiServer, make_source: Any) -> None:
    apiserver.token = "rotated"
    source = (await make_source(start=False)).source
    rows = await source.doctor_checks()
    assert rows[-1][0] == "kubernetes: auth accepted" and rows[-1][1] is False
    assert rows[-1][2].startswith("401 Unauthorized")
