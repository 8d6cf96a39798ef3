"""Kubernetes events, pod health and deploy history through the official client.

One module per job:
  api.py          the connection (kubeconfig once, API objects) and API errors as one line
  decode.py       raw API objects -> model values (events, pods), label selectors
  watch.py        LIST then WATCH per (resource, namespace): 410 Gone, resourceVersion, bookmarks
  source.py       KubernetesSource: the streams' maps, health, Snapshots
  remediation.py  rollback, restart, scale, each a server-side dry run first
  doctor.py       what `cockpit doctor` checks: config, reachability, auth, RBAC
"""

from __future__ import annotations

from cockpit.sources.kubernetes.api import api_status_message
from cockpit.sources.kubernetes.decode import event_from, pod_from
from cockpit.sources.kubernetes.remediation import (
    READ_ONLY_ERROR,
    ROLLBACK_KEEP_ANNOTATIONS,
    action_error,
    rollback_patch,
)
from cockpit.sources.kubernetes.source import MAX_EVENTS, KubernetesSource
from cockpit.sources.kubernetes.watch import KINDS

__all__ = [
    "KINDS",
    "MAX_EVENTS",
    "READ_ONLY_ERROR",
    "ROLLBACK_KEEP_ANNOTATIONS",
    "KubernetesSource",
    "action_error",
    "api_status_message",
    "event_from",
    "pod_from",
    "rollback_patch",
]
