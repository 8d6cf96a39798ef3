"""The Kubernetes checks of `cockpit doctor`: config, reachability, auth, RBAC per namespace.

Blocking (the caller runs it in a thread); every row is (check, ok, detail).
"""

from __future__ import annotations

from kubernetes import client as k8s
from kubernetes.client.exceptions import ApiException

from cockpit.sources.base import SourceError
from cockpit.sources.kubernetes.api import KubeApi, api_problem, no_answer, read_json

Row = tuple[str, bool, str]
MAX_TIMEOUT_S = 10.0  # a doctor run must not hang on one check


def _timeout(kube: KubeApi) -> tuple[float, float]:
    """(connect, read) seconds: the configured [kubernetes] timeout, at most MAX_TIMEOUT_S."""
    read = min(MAX_TIMEOUT_S, kube.config.timeout)
    return (min(5.0, read), read)


# what the cockpit does with each resource: watch all four, patch deployments (remediation)
PERMISSIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("", "events", ("list", "watch")),
    ("", "pods", ("list", "watch")),
    ("apps", "deployments", ("list", "watch", "patch")),
    ("apps", "replicasets", ("list", "watch")),
    ("", "pods/log", ("get",)),  # the log view (l)
)
WHY = {"pods/log": " (logs in the cockpit)"}


def doctor_rows(kube: KubeApi, namespaces: tuple[str, ...]) -> list[Row]:
    rows: list[Row] = []
    try:
        kube.client()
    except SourceError as exc:
        return [("kubernetes: config", False, str(exc))]
    host = kube.host
    rows.append(("kubernetes: config", True, f"API server {host}"))
    try:
        resp = kube.api("version").get_code(_preload_content=False, _request_timeout=_timeout(kube))
        version = read_json(resp)[2].get("gitVersion", "?")
        rows.append(("kubernetes: API reachable", True, f"{host} ({version})"))
    except ApiException as exc:
        if not exc.status:  # no HTTP answer at all
            rows.append(("kubernetes: API reachable", False, f"{host}: {exc.reason}"))
            return rows
        # any HTTP answer (even 401/404) means the server is there; auth is checked next
        rows.append(("kubernetes: API reachable", True, f"{host} (HTTP {exc.status})"))
    except Exception as exc:
        rows.append(("kubernetes: API reachable", False, f"{host}: {no_answer(exc)}"))
        return rows
    try:
        resp = kube.api("coreroot").get_api_versions(
            _preload_content=False, _request_timeout=_timeout(kube)
        )
        read_json(resp)
        rows.append(("kubernetes: auth accepted", True, "credentials accepted"))
    except ApiException as exc:
        detail = api_problem(exc)
        if exc.status == 401:
            detail += " (refresh the kubeconfig user's token or certificate)"
        rows.append(("kubernetes: auth accepted", exc.status != 401, detail))
        if exc.status == 401:
            return rows
    except Exception as exc:
        rows.append(("kubernetes: auth accepted", False, no_answer(exc)))
        return rows
    for namespace in namespaces or ("",):
        rows += _permission_rows(kube, namespace)
    return rows


def _permission_rows(kube: KubeApi, namespace: str) -> list[Row]:
    where = f"namespace {namespace}" if namespace else "all namespaces"
    rows: list[Row] = []
    for group, resource, verbs in PERMISSIONS:
        missing = []
        try:
            for verb in verbs:
                if not _can(kube, namespace, group, resource, verb):
                    missing.append(verb)
        except ApiException as exc:
            rows.append((f"kubernetes: {resource} in {where}", False, api_problem(exc)))
            continue
        name = f"kubernetes: {'/'.join(verbs)} {resource} in {where}"
        if missing:
            why = WHY.get(resource, "")
            rows.append((name, False, f"missing: grant {'/'.join(missing)} on {resource}{why}"))
        else:
            rows.append((name, True, "allowed"))
    return rows


def _can(kube: KubeApi, namespace: str, group: str, resource: str, verb: str) -> bool:
    """A SelfSubjectAccessReview: may the kubeconfig's user do `verb` on `resource` there?"""
    resource, _, subresource = resource.partition("/")
    review = k8s.V1SelfSubjectAccessReview(
        api_version="authorization.k8s.io/v1",
        kind="SelfSubjectAccessReview",
        spec=k8s.V1SelfSubjectAccessReviewSpec(
            resource_attributes=k8s.V1ResourceAttributes(
                namespace=namespace or None,
                group=group,
                resource=resource,
                subresource=subresource or None,
                verb=verb,
            )
        ),
    )
    resp = kube.api("authz").create_self_subject_access_review(
        review, _preload_content=False, _request_timeout=_timeout(kube)
    )
    return bool((read_json(resp)[2].get("status") or {}).get("allowed"))
