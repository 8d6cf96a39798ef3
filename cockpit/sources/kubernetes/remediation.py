"""Rollback, restart and scale of a Deployment, each a server-side dry run (dryRun=All) first.

They mirror kubectl: `rollout undo` (JSON patch of /spec/template and /metadata/annotations
from the previous revision's ReplicaSet), `rollout restart` (strategic merge patch of the
restartedAt annotation) and `scale` (merge patch of the scale subresource).
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from kubernetes.client.exceptions import ApiException

from cockpit.model import Deploy
from cockpit.sources.base import (
    REMEDIATIONS,
    ActionError,
    Clock,
    SourceError,
    replicas_param,
    unsupported,
)
from cockpit.sources.deploys import (
    POD_TEMPLATE_HASH,
    REVISION,
    image_change,
    images_text,
    previous_revision,
    revision_of,
    template_images,
)
from cockpit.sources.kubernetes.api import KubeApi, api_problem, no_answer, read_json
from cockpit.sources.kubernetes.decode import Raw, label_selector, meta

READ_ONLY_ERROR = "read-only: remediation is disabled (started with --read-only)"
RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_PATCH = "application/strategic-merge-patch+json"

# Annotations `kubectl rollout undo` keeps from the Deployment instead of copying them from
# the ReplicaSet (kubectl pkg/polymorphichelpers/rollback.go, annotationsToSkip).
ROLLBACK_KEEP_ANNOTATIONS = frozenset(
    {
        "kubectl.kubernetes.io/last-applied-configuration",
        "deprecated.deployment.rollback.to",
        REVISION,
        "deployment.kubernetes.io/revision-history",
        "deployment.kubernetes.io/desired-replicas",
        "deployment.kubernetes.io/max-replicas",
    }
)

T = TypeVar("T")


def action_error(exc: ApiException) -> ActionError:
    return ActionError(api_problem(exc))


def _utc_rfc3339(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _without_hash(template: Raw) -> Raw:
    out = copy.deepcopy(template)
    labels = (out.get("metadata") or {}).get("labels")
    if labels:
        labels.pop(POD_TEMPLATE_HASH, None)
    return out


def rollback_patch(deployment: Raw, target_rs: Raw) -> list[Raw]:
    """The JSON patch `kubectl rollout undo` sends (pkg/polymorphichelpers/rollback.go).

    The target ReplicaSet's pod template minus its pod-template-hash label replaces
    /spec/template; /metadata/annotations becomes the RS's annotations, except the
    revision-bookkeeping ones, which are kept from the Deployment.
    """
    template = _without_hash((target_rs.get("spec") or {}).get("template") or {})
    current = meta(deployment).get("annotations") or {}
    annotations = {k: v for k, v in current.items() if k in ROLLBACK_KEEP_ANNOTATIONS}
    for key, value in (meta(target_rs).get("annotations") or {}).items():
        if key not in ROLLBACK_KEEP_ANNOTATIONS:
            annotations[key] = value
    return [
        {"op": "replace", "path": "/spec/template", "value": template},
        {"op": "replace", "path": "/metadata/annotations", "value": annotations},
    ]


def _target(target: Deploy | str) -> tuple[str, str, int | None]:
    """(namespace, deployment, revision or None) from a Deploy row or "namespace/name"."""
    if isinstance(target, Deploy):
        return target.namespace, target.deployment, target.revision
    namespace, sep, name = target.partition("/")
    if not sep or not namespace or not name:
        raise ActionError(f"not a deployment: {target!r} (expected namespace/name)")
    return namespace, name, None


class KubernetesRemediator:
    """The Remediator protocol over the API, mixed into KubernetesSource.

    The typed methods (plan_rollback, rollback, plan_restart, ...) do the work; plan/apply
    pick one from the fixed table REMEDIATIONS. Every failure is one ActionError line.
    """

    remediations: frozenset[str] = frozenset(REMEDIATIONS)
    # provided by the source this is mixed into
    kube: KubeApi
    clock: Clock
    read_only: bool

    async def plan(self, action: str, deploy: Deploy, **params: Any) -> str:
        if action == "rollback":
            return await self.plan_rollback(deploy)
        if action == "restart":
            return await self.plan_restart(deploy)
        if action == "scale":
            return await self.plan_scale(deploy, replicas_param(params))
        raise unsupported(action)

    async def apply(self, action: str, deploy: Deploy, **params: Any) -> str:
        if action == "rollback":
            return await self.rollback(deploy)
        if action == "restart":
            return await self.restart(deploy)
        if action == "scale":
            return await self.scale(deploy, replicas_param(params))
        raise unsupported(action)

    # -- plumbing ----------------------------------------------------------------------------

    def _refuse_if_read_only(self) -> None:
        if self.read_only:
            raise ActionError(READ_ONLY_ERROR)

    async def _call(self, fn: Callable[[], T]) -> T:
        """Run blocking API calls in a thread; any failure becomes one ActionError line."""
        try:
            return await asyncio.to_thread(fn)
        except ApiException as exc:
            raise action_error(exc) from exc
        except SourceError as exc:
            raise ActionError(str(exc)) from exc
        except ActionError:
            raise
        except Exception as exc:
            raise ActionError(f"cannot reach the Kubernetes API: {no_answer(exc)}") from exc

    def _read_deployment(self, namespace: str, name: str) -> Raw:
        resp = self.kube.api("apps").read_namespaced_deployment(
            name, namespace, _preload_content=False
        )
        return read_json(resp)[2]

    def _patch(
        self,
        namespace: str,
        name: str,
        body: Any,
        content_type: str,
        *,
        dry_run: bool,
        subresource: str = "",
    ) -> tuple[int, str, Raw]:
        apps = self.kube.api("apps")
        fn = (
            apps.patch_namespaced_deployment_scale
            if subresource
            else apps.patch_namespaced_deployment
        )
        resp = fn(
            name,
            namespace,
            body,
            dry_run="All" if dry_run else None,
            _content_type=content_type,
            _preload_content=False,
        )
        return read_json(resp)

    # -- rollback ----------------------------------------------------------------------------

    def _rollback_plan(self, target: Deploy | str) -> tuple[str, str, list[Raw], str]:
        """(namespace, name, JSON patch, description); sends the dry run. Blocking."""
        namespace, name, before = _target(target)
        deployment = self._read_deployment(namespace, name)
        current_rev = revision_of(deployment)
        if before is None:
            before = current_rev
        if before is None:
            raise ActionError(
                f"{namespace}/{name}: no revision annotation, nothing to roll back to"
            )
        resp = self.kube.api("apps").list_namespaced_replica_set(
            namespace, label_selector=label_selector(deployment), _preload_content=False
        )
        replicasets = read_json(resp)[2].get("items") or []
        found = previous_revision(replicasets, meta(deployment).get("uid", ""), before)
        if found is None:
            raise ActionError(f"{namespace}/{name}: no rollout history before revision {before}")
        target_rev, rs = found
        if (deployment.get("spec") or {}).get("paused"):
            raise ActionError(
                f"{namespace}/{name} is paused: resume it first "
                f"(kubectl rollout resume deployment/{name} -n {namespace})"
            )
        current_template = (deployment.get("spec") or {}).get("template") or {}
        rs_template = (rs.get("spec") or {}).get("template") or {}
        if _without_hash(current_template) == _without_hash(rs_template):
            raise ActionError(
                f"{namespace}/{name}: the current template already matches revision "
                f"{target_rev}; nothing to roll back"
            )
        patch = rollback_patch(deployment, rs)
        _, _, dry = self._patch(namespace, name, patch, JSON_PATCH, dry_run=True)
        # describe what the server says the result would be, not what we hoped to send
        after = template_images(((dry.get("spec") or {}).get("template")) or rs_template)
        before_images = template_images(current_template)
        change = image_change(before_images, after)
        what = (
            f"image {change}"
            if change
            else f"pod template (images unchanged: {images_text(after)})"
        )
        rev_text = f"rev {current_rev}" if current_rev is not None else "current"
        desc = f"{namespace}/{name}: {what} ({rev_text} -> template of rev {target_rev})"
        return namespace, name, patch, desc

    async def plan_rollback(self, deploy: Deploy) -> str:
        self._refuse_if_read_only()
        return (await self._call(lambda: self._rollback_plan(deploy)))[3]

    async def rollback(self, deploy: Deploy) -> str:
        self._refuse_if_read_only()

        def go() -> str:
            namespace, name, patch, desc = self._rollback_plan(deploy)  # includes the dry run
            status, reason, _ = self._patch(namespace, name, patch, JSON_PATCH, dry_run=False)
            return f"{status} {reason}: {desc}"

        return await self._call(go)

    # -- restart -----------------------------------------------------------------------------

    def _restart_plan(self, target: Deploy | str) -> tuple[str, str, Raw, str]:
        namespace, name, _ = _target(target)
        deployment = self._read_deployment(namespace, name)
        if (deployment.get("spec") or {}).get("paused"):
            raise ActionError(
                f"{namespace}/{name} is paused: resume it first, a restart would not roll out"
            )
        stamp = _utc_rfc3339(self.clock())
        body = {"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: stamp}}}}}
        self._patch(namespace, name, body, STRATEGIC_PATCH, dry_run=True)
        replicas = (deployment.get("spec") or {}).get("replicas", 1)
        desc = f"{namespace}/{name}: rolling restart of {replicas} pod(s) ({RESTARTED_AT}={stamp})"
        return namespace, name, body, desc

    async def plan_restart(self, target: Deploy | str) -> str:
        self._refuse_if_read_only()
        return (await self._call(lambda: self._restart_plan(target)))[3]

    async def restart(self, target: Deploy | str) -> str:
        """`kubectl rollout restart`: a new restartedAt stamp makes a new pod template."""
        self._refuse_if_read_only()

        def go() -> str:
            namespace, name, body, desc = self._restart_plan(target)
            status, reason, _ = self._patch(namespace, name, body, STRATEGIC_PATCH, dry_run=False)
            return f"{status} {reason}: {desc}"

        return await self._call(go)

    # -- scale -------------------------------------------------------------------------------

    def _scale_plan(self, target: Deploy | str, replicas: int) -> tuple[str, str, Raw, str]:
        namespace, name, _ = _target(target)
        if replicas < 0:
            raise ActionError(f"replicas must be 0 or more, not {replicas}")
        resp = self.kube.api("apps").read_namespaced_deployment_scale(
            name, namespace, _preload_content=False
        )
        current = (read_json(resp)[2].get("spec") or {}).get("replicas", 0)
        body = {"spec": {"replicas": replicas}}
        _, _, dry = self._patch(
            namespace, name, body, MERGE_PATCH, dry_run=True, subresource="scale"
        )
        after = (dry.get("spec") or {}).get("replicas", replicas)
        return namespace, name, body, f"{namespace}/{name}: replicas {current} -> {after}"

    async def plan_scale(self, target: Deploy | str, replicas: int) -> str:
        self._refuse_if_read_only()
        return (await self._call(lambda: self._scale_plan(target, replicas)))[3]

    async def scale(self, target: Deploy | str, replicas: int) -> str:
        """`kubectl scale`: a merge patch of the scale subresource."""
        self._refuse_if_read_only()

        def go() -> str:
            namespace, name, body, desc = self._scale_plan(target, replicas)
            status, reason, _ = self._patch(
                namespace, name, body, MERGE_PATCH, dry_run=False, subresource="scale"
            )
            return f"{status} {reason}: {desc}"

        return await self._call(go)
