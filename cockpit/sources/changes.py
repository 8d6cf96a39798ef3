"""Derive the system changes worth journaling from successive snapshots of one source.

The same rules serve the demo and the real sources, so the exported timeline reads the same.
"""

from __future__ import annotations

from cockpit.model import Snapshot, SystemChange

WARNING_REPEAT_S = 300.0  # one system.k8s.warning per object+reason per 5 minutes


def _window(at: float) -> int:
    """The 5-minute window of a moment, aligned to the clock rather than to when this process
    first looked: two cockpits on one journal then build the same change key, and the
    journal's once-per-key append keeps one of the two entries."""
    return int(at // WARNING_REPEAT_S)


class ChangeTracker:
    def __init__(self, source: str) -> None:
        self.source = source
        self._firing: dict[str, tuple[str, str]] = {}  # fingerprint -> (alert name, starts_at)
        self._deploys: set[str] | None = None  # None until the first snapshot is the baseline
        self._warned: dict[str, int] = {}  # object+reason -> window it was journaled in
        self._crashing: set[str] = set()  # namespace/pod, while crash-looping or OOMKilled

    def observe(self, snap: Snapshot) -> list[SystemChange]:
        out: list[SystemChange] = []
        if snap.alerts is not None:
            out += self._alerts(snap)
        if snap.deploys is not None:
            out += self._deploys_changed(snap)
        if snap.events is not None:
            out += self._warnings(snap)
        if snap.pods is not None:
            out += self._pods(snap)
        return out

    def _alerts(self, snap: Snapshot) -> list[SystemChange]:
        out = []
        now = {a.fingerprint: a for a in snap.alerts or () if a.state != "pending"}
        for fp, alert in now.items():
            if fp not in self._firing:
                data = {
                    "alert": alert.name,
                    "severity": alert.severity,
                    "labels": alert.labels,
                    "summary": alert.summary,
                    "starts_at": alert.starts_at,
                }
                # the rest of what the alert says (description, runbook) and where it came
                # from: the export lays them out (untrusted text, shown inert)
                extra = {k: v for k, v in alert.annotations.items() if k != "summary"}
                if extra:
                    data["annotations"] = extra
                if alert.generator_url:
                    data["generator_url"] = alert.generator_url
                if alert.correlated_deploy:
                    data["deploy"] = alert.correlated_deploy
                # starts_at in the key: the same alert firing again later is a new entry
                key = f"fire:{fp}@{alert.starts_at}"
                out.append(SystemChange("system.alert.firing", self.source, data, key))
        for fp, (name, started) in self._firing.items():
            if fp not in now:
                key = f"resolve:{fp}@{started}"
                out.append(SystemChange("system.alert.resolved", self.source, {"alert": name}, key))
        self._firing = {fp: (a.name, a.starts_at) for fp, a in now.items()}
        return out

    def _deploys_changed(self, snap: Snapshot) -> list[SystemChange]:
        keys = {d.key: d for d in snap.deploys or ()}
        if self._deploys is None:
            self._deploys = set(keys)
            return []
        out = []
        for key, d in keys.items():
            if key in self._deploys:
                continue
            self._deploys.add(key)
            data = {
                "deployment": f"{d.namespace}/{d.deployment}",
                "revision": d.revision,
                "image_from": d.image_from,
                "image_to": d.image_to,
                "change_cause": d.change_cause,
                "summary": f"rev {d.revision}: {d.image_from} -> {d.image_to}",
            }
            out.append(SystemChange("system.deploy", self.source, data, f"deploy:{key}"))
        return out

    def _warnings(self, snap: Snapshot) -> list[SystemChange]:
        out = []
        for ev in snap.events or ():
            if ev.type != "Warning":
                continue
            key = f"{ev.namespace}/{ev.object}:{ev.reason}"
            window = _window(snap.at)
            if self._warned.get(key) == window:
                continue
            self._warned[key] = window
            data = {
                "reason": ev.reason,
                "object": f"{ev.namespace}/{ev.object}",
                "summary": ev.message[:500],
                "count": ev.count,
            }
            out.append(
                SystemChange("system.k8s.warning", self.source, data, f"warn:{key}@{window}")
            )
        return out

    def _pods(self, snap: Snapshot) -> list[SystemChange]:
        out = []
        current = set()
        for pod in snap.pods or ():
            if not (pod.crashlooping or pod.oomkilled):
                continue
            # one entry per pod per bad spell: OOMKilled <-> CrashLoopBackOff flapping is one story
            key = f"{pod.namespace}/{pod.name}"
            current.add(key)
            if key in self._crashing:
                continue
            data = {
                "pod": f"{pod.namespace}/{pod.name}",
                "reason": pod.reason,
                "restarts": pod.restarts,
                "summary": f"{pod.reason} after {pod.restarts} restarts",
            }
            out.append(
                SystemChange(
                    "system.pod.crashloop", self.source, data, f"crash:{key}@{_window(snap.at)}"
                )
            )
        self._crashing = current
        return out
