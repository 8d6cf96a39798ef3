"""The connection to one API server: kubeconfig loaded once, API objects, raw JSON answers,
and the API's errors as one line (in the vocabulary of cockpit.sources.errors)."""

from __future__ import annotations

import contextlib
import json
import os
from typing import TYPE_CHECKING, Any

import yaml
from kubernetes import client as k8s
from kubernetes import config as k8s_config
from kubernetes.client.exceptions import ApiException
from urllib3.util import Retry

from cockpit.sources.base import SourceError
from cockpit.sources.errors import http_reason, one_line, server_message, short_reason
from cockpit.sources.kubernetes.decode import Raw

if TYPE_CHECKING:
    from cockpit.config import KubernetesConfig

# the API server's CA comes from the kubeconfig, not from a cockpit setting
TLS_FIX = "check certificate-authority in the kubeconfig"

_APIS: dict[str, Any] = {
    "core": k8s.CoreV1Api,
    "apps": k8s.AppsV1Api,
    "authz": k8s.AuthorizationV1Api,
    "version": k8s.VersionApi,
    "coreroot": k8s.CoreApi,
}


class KubeApi:
    """Lazily loads kubeconfig (or the in-cluster account) and hands out API objects."""

    def __init__(self, config: KubernetesConfig) -> None:
        self.config = config
        self._api_client: k8s.ApiClient | None = None

    @property
    def host(self) -> str:
        return self._api_client.configuration.host if self._api_client else "?"

    def client(self) -> k8s.ApiClient:
        """Load the config once; a failure is one line on how to fix it (SourceError)."""
        if self._api_client is not None:
            return self._api_client
        cfg = k8s.Configuration()
        # no read retries behind our back: urllib3's default re-sends a GET three more times
        # after a read timeout, so a hung API server took 4 x timeout to read as down; the
        # watch loop retries on its own, with backoff
        cfg.retries = Retry(total=3, read=0, status=0, other=0)
        # read KUBECONFIG now: the client's default was frozen at import time
        path = self.config.kubeconfig or os.environ.get("KUBECONFIG") or "~/.kube/config"
        try:
            if self.config.in_cluster:
                k8s_config.load_incluster_config(client_configuration=cfg)
            else:
                shape = kubeconfig_shape_problem(path)
                if shape is not None:
                    raise SourceError(shape)
                k8s_config.load_kube_config(
                    config_file=path,
                    context=self.config.context,
                    client_configuration=cfg,
                    persist_config=False,
                )
        except SourceError:
            raise
        except yaml.YAMLError as exc:
            raise SourceError(yaml_problem(exc, path)) from None
        except Exception as exc:  # ConfigException, OSError, and what a wrong type raises
            why = one_line(str(exc) or type(exc).__name__, 200)
            if self.config.in_cluster:
                raise SourceError(
                    f"kubernetes: cannot load the in-cluster service account: {why}"
                ) from None
            raise SourceError(
                f"kubernetes: cannot load kubeconfig {path}: {why} "
                "(set [kubernetes] kubeconfig/context or KUBECONFIG)"
            ) from None
        self._api_client = k8s.ApiClient(configuration=cfg)
        return self._api_client

    def api(self, which: str) -> Any:
        """ "core", "apps", "authz", "version" or "coreroot", bound to the loaded config."""
        return _APIS[which](self.client())

    def close(self) -> None:
        if self._api_client is not None:
            with contextlib.suppress(Exception):
                self._api_client.close()
            self._api_client = None


def yaml_problem(exc: yaml.YAMLError, path: str) -> str:
    """A kubeconfig that is not YAML, as file:line and the parser's words, on one line."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    where = os.path.expanduser(path)
    if mark is not None:
        # the mark names the file it read (KUBECONFIG may list several); lines count from 0
        name = str(mark.name) if mark.name and not str(mark.name).startswith("<") else where
        where = f"{name}:{mark.line + 1}"
    what = one_line(str(getattr(exc, "problem", None) or exc), 120)
    return (
        f"kubernetes: kubeconfig {where}: not valid YAML: {what} "
        "(fix the file, or point [kubernetes] kubeconfig / KUBECONFIG at another)"
    )


_LISTS = ("clusters", "contexts", "users")


def kubeconfig_shape_problem(path: str) -> str | None:
    """A kubeconfig whose YAML is fine but whose shape is not (clusters: 5), as file:line and
    what was expected; None when it looks right or is not one plain file (the client's own
    loader then reports, e.g. for a KUBECONFIG list)."""
    where = os.path.expanduser(path)
    if os.pathsep in path or not os.path.isfile(where):
        return None
    try:
        with open(where, encoding="utf-8") as f:
            root = yaml.compose(f)
    except (OSError, UnicodeDecodeError):
        return None  # unreadable: the loader says so in its words
    if root is None:
        return f"kubernetes: kubeconfig {where} is empty (point [kubernetes] kubeconfig at one)"
    fix = "(fix the file, or point [kubernetes] kubeconfig / KUBECONFIG at another)"
    if not isinstance(root, yaml.MappingNode):
        line = root.start_mark.line + 1
        return f"kubernetes: kubeconfig {where}:{line}: not a kubeconfig (a mapping expected) {fix}"
    for key, value in root.value:
        if key.value not in _LISTS:
            continue
        line = value.start_mark.line + 1
        if isinstance(value, yaml.ScalarNode) and value.tag.endswith(":null"):
            continue
        if not isinstance(value, yaml.SequenceNode):
            got = one_line(str(value.value), 40) if isinstance(value, yaml.ScalarNode) else "a map"
            return (
                f"kubernetes: kubeconfig {where}:{line}: {key.value} must be a list "
                f"(got {got}) {fix}"
            )
        for item in value.value:
            names = isinstance(item, yaml.MappingNode) and any(
                k.value == "name" for k, _ in item.value
            )
            if not names:
                line = item.start_mark.line + 1
                return (
                    f"kubernetes: kubeconfig {where}:{line}: each of {key.value} must be a "
                    f"mapping with a name {fix}"
                )
    return None


def read_json(resp: Any) -> tuple[int, str, Raw]:
    """(status, reason, body) of an answer fetched with _preload_content=False."""
    try:
        data = resp.data
        body = json.loads(data) if data else {}
        return int(resp.status), str(resp.reason or ""), body
    finally:
        resp.release_conn()


def api_status_message(exc: ApiException) -> str:
    """The `message` of the Status body the API returned, else the raw reason."""
    return server_message(exc.body, status=int(exc.status or 0), fallback=str(exc.reason or ""))


def api_problem(exc: ApiException) -> str:
    """An HTTP answer of the API as one line: "404 Not Found: deployments.apps ... not found"."""
    status = int(exc.status or 0)
    return f"{status} {http_reason(status, str(exc.reason or ''))}: {api_status_message(exc)}"


def no_answer(exc: BaseException) -> str:
    """Why the API server gave no answer at all (connection refused, DNS, TLS, ...)."""
    return short_reason(exc, tls_fix=TLS_FIX)
