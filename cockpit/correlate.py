"""Deploy-to-alert correlation: a rollout shortly before an alert fired is the first suspect."""

from __future__ import annotations

from msgspec.structs import replace

from cockpit.model import Alert, Deploy, Snapshot, parse_ts

WINDOW_S = 30 * 60


def suspect_deploy(alert: Alert, deploys: tuple[Deploy, ...]) -> str | None:
    """'checkout rev 42, 8 min before' for the latest matching deploy in the window, else None."""
    try:
        fired = parse_ts(alert.starts_at).timestamp()
    except ValueError:
        return None
    names = {
        alert.labels.get(k, "") for k in ("service", "app", "deployment", "app_kubernetes_io_name")
    } - {""}
    namespace = alert.labels.get("namespace", "")
    best: tuple[float, Deploy] | None = None
    for deploy in deploys:
        if deploy.deployment not in names and (not namespace or deploy.namespace != namespace):
            continue
        try:
            at = parse_ts(deploy.created).timestamp()
        except ValueError:
            continue
        before = fired - at
        if 0 <= before <= WINDOW_S and (best is None or at > best[0]):
            best = (at, deploy)
    if best is None:
        return None
    gap = int(fired - best[0])
    ago = f"{gap // 60} min" if gap >= 60 else f"{gap} s"
    return f"{best[1].deployment} rev {best[1].revision}, {ago} before"


def correlate(snapshot: Snapshot, deploys: tuple[Deploy, ...] | None) -> Snapshot:
    if not snapshot.alerts or not deploys:
        return snapshot
    alerts = tuple(
        replace(a, correlated_deploy=suspect_deploy(a, deploys) or a.correlated_deploy)
        for a in snapshot.alerts
    )
    return replace(snapshot, alerts=alerts)
