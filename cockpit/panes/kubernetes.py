"""Kubernetes: warning events newest first, and a one-line pod health summary."""

from __future__ import annotations

from rich.text import Text

from cockpit.model import K8sEvent, PodHealth
from cockpit.panes.render import age_since
from cockpit.panes.table import TablePane
from cockpit.text import inert

# a screen shows a few dozen rows: keeping thousands in the table only slows every update
MAX_ROWS = 300


class KubernetesPane(TablePane):
    COLUMNS = (("Count", 5), ("Reason", 16), ("Object", 28), ("Age", 5), ("Message", 300))

    def __init__(self, **kwargs: object) -> None:
        super().__init__("3 Kubernetes", id="kubernetes", classes="pane", **kwargs)  # type: ignore[arg-type]
        self.dropped = 0

    def on_mount(self) -> None:
        self.set_summary(Text(" pods: waiting for data"))

    def show(
        self,
        events: tuple[K8sEvent, ...],
        pods: tuple[PodHealth, ...] | None,
        now: float,
        dropped: int = 0,
    ) -> None:
        warnings = [e for e in events if e.type == "Warning"]
        shown = warnings[:MAX_ROWS]  # newest first; the rest stay in the source's bounded list
        rows = [
            (
                ev.uid,
                ev,
                [
                    Text(f"{ev.count}×" if ev.count > 1 else "1"),
                    inert(ev.reason, limit=40, style="bold yellow"),
                    inert(ev.object, limit=80),
                    Text(age_since(ev.last_seen, now)),
                    inert(ev.message, limit=300),
                ],
            )
            for ev in shown
        ]
        hidden = len(warnings) - len(shown)
        note = f", newest {len(shown)} shown" if hidden else ""
        note += f", {dropped} older dropped" if dropped else ""
        self.border_title = f"3 Kubernetes ({len(warnings)} warnings{note})"
        self.sync(rows)
        if pods is not None:
            self.set_summary(pod_summary(pods))


def pod_summary(pods: tuple[PodHealth, ...]) -> Text:
    total = len(pods)
    ready = sum(1 for p in pods if p.ready)
    crashing = [p for p in pods if p.crashlooping]
    oom = [p for p in pods if p.oomkilled]
    restarts = sum(p.restarts for p in pods)
    text = Text(f" pods {ready}/{total} ready · {restarts} restarts")
    if crashing:
        text.append(f" · ✖ {len(crashing)} CrashLoopBackOff", style="bold red")
    if oom:
        text.append(f" · ✖ {len(oom)} OOMKilled", style="bold red")
    worst = sorted(crashing + oom, key=lambda p: -p.restarts)[:2]
    for pod in worst:
        text.append("\n   ")
        text.append_text(inert(f"{pod.namespace}/{pod.name}", limit=60))
        text.append(f" {pod.reason} ({pod.restarts} restarts)", style="red")
    return text
