"""Raw Kubernetes API objects (JSON dicts) -> the cockpit's model values.

Objects stay raw JSON: decoding 20,000 events into the client's models would cost seconds
and only a handful of fields are read.
"""

from __future__ import annotations

from typing import Any

from cockpit.model import K8sEvent, PodHealth
from cockpit.sources.deploys import utc_iso

Raw = dict[str, Any]

# waiting reasons that are a normal part of starting a pod, not a problem
_BENIGN_WAITING = frozenset({"ContainerCreating", "PodInitializing"})


def meta(obj: Raw) -> Raw:
    return obj.get("metadata") or {}


def event_from(obj: Raw) -> K8sEvent:
    """core/v1 Event -> K8sEvent (also reads the events.k8s.io field names)."""
    m = meta(obj)
    involved = obj.get("involvedObject") or obj.get("regarding") or {}
    series = obj.get("series") or {}
    last = (
        obj.get("lastTimestamp")
        or series.get("lastObservedTime")
        or obj.get("eventTime")
        or m.get("creationTimestamp")
    )
    first = obj.get("firstTimestamp") or obj.get("eventTime") or m.get("creationTimestamp")
    return K8sEvent(
        uid=m.get("uid", ""),
        namespace=m.get("namespace", ""),
        type=obj.get("type") or "Normal",
        reason=obj.get("reason") or "",
        object=f"{involved.get('kind', '')}/{involved.get('name', '')}",
        message=obj.get("message") or obj.get("note") or "",
        count=int(obj.get("count") or series.get("count") or 1),
        last_seen=utc_iso(last),
        first_seen=utc_iso(first),
    )


def pod_from(obj: Raw) -> PodHealth:
    """core/v1 Pod -> PodHealth: restarts summed, the most telling container reason."""
    m = meta(obj)
    status = obj.get("status") or {}
    statuses = [
        *(status.get("initContainerStatuses") or ()),
        *(status.get("containerStatuses") or ()),
    ]
    restarts = sum(int(cs.get("restartCount") or 0) for cs in statuses)
    waiting = ""
    oom = False
    for cs in statuses:
        state = cs.get("state") or {}
        reason = (state.get("waiting") or {}).get("reason") or ""
        if reason and reason not in _BENIGN_WAITING and waiting != "CrashLoopBackOff":
            waiting = reason
        for terminated in (state.get("terminated"), (cs.get("lastState") or {}).get("terminated")):
            if terminated and terminated.get("reason") == "OOMKilled":
                oom = True
    # CrashLoopBackOff (what kubectl shows) wins over the OOMKilled that may have caused it
    reason = waiting or ("OOMKilled" if oom else status.get("reason") or "")
    ready = any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in status.get("conditions") or ()
    )
    labels = m.get("labels") or {}
    app = labels.get("app.kubernetes.io/name") or labels.get("app") or labels.get("k8s-app", "")
    phase = "Terminating" if m.get("deletionTimestamp") else status.get("phase") or "Unknown"
    return PodHealth(
        namespace=m.get("namespace", ""),
        name=m.get("name", ""),
        phase=phase,
        ready=ready,
        restarts=restarts,
        reason=reason,
        app=app,
    )


def keep_raw(obj: Raw) -> Raw:
    """Deployments and ReplicaSets stay raw: deploy history and remediation read them."""
    return obj


def label_selector(deployment: Raw) -> str:
    """The deployment's label selector in query syntax."""
    sel = (deployment.get("spec") or {}).get("selector") or {}
    parts = [f"{k}={v}" for k, v in sorted((sel.get("matchLabels") or {}).items())]
    for expr in sel.get("matchExpressions") or ():
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        if op == "In":
            parts.append(f"{key} in ({','.join(values)})")
        elif op == "NotIn":
            parts.append(f"{key} notin ({','.join(values)})")
        elif op == "Exists":
            parts.append(str(key))
        elif op == "DoesNotExist":
            parts.append(f"!{key}")
    return ",".join(parts)
