"""The one deploy -> alert suspect rule, for the live alert row and the postmortem export alike.

A rollout of the alert's service (named by one of its labels) or in its namespace, at most 30
minutes before the alert fired, is a suspect; of several, the latest; of several at the same
moment, the first given. The live cockpit applies it to the sources' snapshots
(`suspect_deploy`), the export to the deploys it finds in the journal (`suspect`), so both name
the same deploy in the same words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import msgspec
from msgspec.structs import replace

from cockpit.model import Alert, Deploy, Snapshot, parse_ts

WINDOW_S = 30 * 60
# alert labels that may name the deployment behind it
NAME_LABELS = ("service", "app", "deployment", "app_kubernetes_io_name")


class Rollout(msgspec.Struct, frozen=True):
    """A deploy as the rule sees it: where, what, and when (epoch seconds)."""

    namespace: str
    deployment: str
    revision: int | str | None
    at: float


class Suspect(msgspec.Struct, frozen=True):
    rollout: Rollout
    before_s: int  # whole seconds from the rollout to the alert firing

    @property
    def text(self) -> str:
        """'checkout rev 42, 8 min before' (or '45 s before' within the minute)."""
        r = self.rollout
        name = r.deployment if r.revision is None else f"{r.deployment} rev {r.revision}"
        gap = self.before_s
        ago = f"{gap // 60} min" if gap >= 60 else f"{gap} s"
        return f"{name}, {ago} before"


def _label(labels: Mapping[str, Any], key: str) -> str:
    value = labels.get(key)
    return value if isinstance(value, str) else ""  # journaled labels may be anything


def suspect(labels: Mapping[str, Any], fired: float, rollouts: Iterable[Rollout]) -> Suspect | None:
    """The rule on plain values: an alert's labels and firing moment, and the known rollouts."""
    names = {_label(labels, k) for k in NAME_LABELS} - {""}
    namespace = _label(labels, "namespace")
    best: Rollout | None = None
    for r in rollouts:
        if r.deployment not in names and (not namespace or r.namespace != namespace):
            continue
        if 0 <= fired - r.at <= WINDOW_S and (best is None or r.at > best.at):
            best = r
    return None if best is None else Suspect(best, int(fired - best.at))


def rollouts_of(deploys: Iterable[Deploy]) -> list[Rollout]:
    """The deploys a source reported, as the rule sees them (unreadable times skipped)."""
    out = []
    for d in deploys:
        try:
            at = parse_ts(d.created).timestamp()
        except ValueError:
            continue
        out.append(Rollout(d.namespace, d.deployment, d.revision, at))
    return out


def suspect_deploy(alert: Alert, deploys: tuple[Deploy, ...]) -> str | None:
    """'checkout rev 42, 8 min before' for the alert's suspect deploy, else None."""
    return _suspect_text(alert, rollouts_of(deploys))


def correlate(snapshot: Snapshot, deploys: tuple[Deploy, ...] | None) -> Snapshot:
    """The snapshot with each alert's suspect deploy filled in (the live alert row)."""
    if not snapshot.alerts or not deploys:
        return snapshot
    rollouts = rollouts_of(deploys)  # once per snapshot, not once per alert
    alerts = tuple(
        replace(a, correlated_deploy=_suspect_text(a, rollouts) or a.correlated_deploy)
        for a in snapshot.alerts
    )
    return replace(snapshot, alerts=alerts)


def _suspect_text(alert: Alert, rollouts: list[Rollout]) -> str | None:
    try:
        fired = parse_ts(alert.starts_at).timestamp()
    except ValueError:
        return None
    found = suspect(alert.labels, fired, rollouts)
    return None if found is None else found.text
