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
    AGE_COLUMN = 3  # moves every second (TablePane.refresh_ages)

    def __init__(self, **kwargs: object) -> None:
        super().__init__("3 Kubernetes", id="kubernetes", classes="pane", **kwargs)  # type: ignore[arg-type]
        self.dropped = 0
        self.pods: tuple[PodHealth, ...] | None = None  # the last pod list shown
        self.problem: str | None = None  # why there are no pods to show (down, not configured)
        self.problem_style = "red"
        self.stale: str | None = None  # how old the pods shown are, while the source is down

    def on_mount(self) -> None:
        self.set_summary(self._pods_line())

    def age_moment(self, item: K8sEvent) -> str:
        return item.last_seen

    def show_source(
        self, problem: str | None, stale: str | None = None, *, style: str = "red"
    ) -> None:
        """The source's state on the pods line, so it never says "waiting for data" under
        a border that says down or not configured. `problem`: why there is no data (down,
        not configured), shown whole, wrapped; `stale`: how old the pods shown are."""
        self.problem, self.stale, self.problem_style = problem, stale, style
        self.set_summary(self._pods_line())

    def _pods_line(self) -> Text:
        if self.pods is not None:
            line = pod_summary(self.pods)
            if self.stale:
                # last known pods stay, but not as if they were now
                line = Text(f" stale {self.stale}:", style="bold yellow").append_text(line)
                line.stylize("dim", len(f" stale {self.stale}:"))
            return line
        if self.problem is None:
            return Text(" pods: waiting for data")
        # before the first layout the pane has no width yet: do not wrap at a guess
        width = self.size.width - 2 if self.size.width > 20 else 300
        text = inert(f" {self.problem}", limit=600, style=self.problem_style)
        return Text("\n").join(text.wrap(self.app.console, width)[:4])

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
        self.heading = f"3 Kubernetes ({len(warnings)} warnings{note})"  # shown by sync
        self.sync(rows)
        if pods is not None:
            self.pods = pods
            self.set_summary(self._pods_line())


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
