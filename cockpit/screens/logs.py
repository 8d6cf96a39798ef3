"""`l`: the logs of the selected pod, deploy (its pods, merged) or alert (the pods its labels
name), over the panes, which stay live behind it.

The screen does no I/O: it asks the Kubernetes source (a LogReader) for streams, which call
back on the event loop with batches of lines. What a crash loop needs is on top: each
container's last termination (`OOMKilled, exit 137, 01:11:08`), and `P` switches to the
previous containers. `p` pins the selected line (or the range from `m`) as evidence.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input

from cockpit.keymap import LOG_KEYS
from cockpit.logbuffer import DEFAULT_CAPACITY, LogBuffer
from cockpit.logtext import json_object
from cockpit.model import Alert, ContainerInfo, Deploy, K8sEvent, LogLine, LogTarget, PodHealth
from cockpit.panes.lines import KeyBar, TextLine
from cockpit.screens.log_view import LogView
from cockpit.screens.prompts import ChoicePrompt, Prompt
from cockpit.sources.base import LogHandle, LogReader, SourceError
from cockpit.text import inert

SINCE_CHOICES: tuple[tuple[str, int | None], ...] = (
    ("15m", 900),
    ("1h", 3600),
    ("all", None),
    ("5m", 300),
)
REFRESH_S = 0.1  # lines arriving faster than this are drawn together
FOOTER = ("slash", "n", "P", "p", "e", "f", "w", "space", "escape")
MAX_PODS = 20  # a deploy of 300 replicas: the first 20 (stern caps too)


class LogSubject:
    """What a log view shows: one namespace, some pods, a name for the title."""

    def __init__(self, namespace: str, name: str, pods: Sequence[str]) -> None:
        self.namespace = namespace
        self.name = name  # checkout (a deploy, an alert's app) or the pod itself
        self.pods = tuple(pods)[:MAX_PODS]
        self.more = max(0, len(pods) - MAX_PODS)


def subject_for(item: Any, pods: Iterable[PodHealth]) -> LogSubject | str:
    """The pods behind a selected event, deploy or alert; a str says why there are none."""
    pods = tuple(pods)

    def app_pods(namespace: str, app: str) -> list[str]:
        return sorted(p.name for p in pods if p.namespace == namespace and p.app == app)

    if isinstance(item, PodHealth):
        return LogSubject(item.namespace, item.name, [item.name])
    if isinstance(item, K8sEvent):
        kind, _, name = item.object.partition("/")
        if kind == "Pod":
            return LogSubject(item.namespace, name, [name])
        if kind == "Deployment":
            found = app_pods(item.namespace, name)
        elif kind == "ReplicaSet":
            found = sorted(
                p.name
                for p in pods
                if p.namespace == item.namespace and p.name.startswith(name + "-")
            )
        else:
            return (
                f"no logs for a {kind or 'cluster'} event: select a pod's, deploy's or replicaset's"
            )
        return (
            LogSubject(item.namespace, name, found)
            if found
            else f"no pods of {item.namespace}/{name} now"
        )
    if isinstance(item, Deploy):
        found = app_pods(item.namespace, item.deployment)
        if not found:
            return f"no pods of {item.namespace}/{item.deployment} now"
        return LogSubject(item.namespace, item.deployment, found)
    if isinstance(item, Alert):
        labels = item.labels
        namespace = labels.get("namespace", "")
        if not namespace:
            return f"alert {item.name} names no namespace: no pods to show"
        if labels.get("pod"):
            return LogSubject(namespace, labels["pod"], [labels["pod"]])
        for key in ("deployment", "service", "app", "job"):
            if labels.get(key):
                found = app_pods(namespace, labels[key])
                if found:
                    return LogSubject(namespace, labels[key], found)
        return f"alert {item.name} names no pod, deployment or service with pods now"
    return "select a pod's event (3), a deploy (4) or an alert (1) to read logs"


ALL_CONTAINERS = "*"  # the container choice that streams every container of each pod


def title_of(subject: LogSubject, previous: bool, container: str = "") -> str:
    """`Logs: shop/checkout, 3 pods, previous containers`; `container` as the picker shows
    it (`init:migrate`, or ALL_CONTAINERS)."""
    n = len(subject.pods) + subject.more
    parts = [f"Logs: {subject.namespace}/{subject.name}"]
    if n > 1 or subject.pods[:1] != (subject.name,):
        parts.append(f"{n} pod{'s' if n != 1 else ''}")
    if container == ALL_CONTAINERS:
        parts.append("all containers")
    elif container:
        parts.append(f"container {container}")
    if previous:
        parts.append("previous container" + ("s" if n > 1 else ""))
    return ", ".join(parts)


PinCallback = Callable[[dict[str, Any]], Awaitable[bool]]


class LogScreen(Screen[None]):
    BINDINGS = [
        *(Binding(k.key, k.action, k.label, show=False) for k in LOG_KEYS),
        Binding("up", "move(-1)", show=False),
        Binding("down", "move(1)", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("pagedown", "page(1)", show=False),
        Binding("home", "home", show=False),
        Binding("end", "end", show=False),
    ]
    DEFAULT_CSS = """
    LogScreen { layout: vertical; layers: default prompt; }
    LogScreen #log-title { background: $primary-background; color: $text; text-style: bold; }
    LogScreen #log-status { background: $panel; }
    LogScreen #log-search { dock: bottom; margin-bottom: 1; display: none; }
    LogScreen.-searching #log-search { display: block; }
    """

    def __init__(
        self,
        reader: LogReader,
        subject: LogSubject,
        *,
        pin: PinCallback | None = None,
        capacity: int = DEFAULT_CAPACITY,
        previous: bool = False,
    ) -> None:
        super().__init__()
        self.reader = reader
        self.subject = subject
        self.pin_callback = pin
        self.buffer = LogBuffer(capacity)
        self.previous = previous
        self.since_index = 0
        self.container = ""  # "" = each pod's app container; a name; or ALL_CONTAINERS
        self.containers: dict[str, tuple[ContainerInfo, ...]] = {}
        self.handles: list[LogHandle] = []
        self.problems: dict[str, str] = {}
        self.paused = False
        self._dirty = True
        self.view = LogView(self.buffer, id="log-lines")
        self.view.multi_pod = len(subject.pods) > 1

    # -- layout ----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield TextLine(id="log-title")
        yield TextLine(id="log-termination")
        yield self.view
        yield TextLine(id="log-status")
        yield Input(placeholder="search (enter keeps it, esc clears)", id="log-search")
        keys = [(k.display, k.label) for k in LOG_KEYS if k.key in FOOTER]
        yield KeyBar(keys)

    def on_mount(self) -> None:
        self.view.focus()
        self.set_interval(REFRESH_S, self._redraw)
        self.load_containers()  # then the streams: a pod with a sidecar needs a container name

    def on_unmount(self) -> None:
        self.stop_streams()

    @property
    def title_text(self) -> str:
        return title_of(self.subject, self.previous, self.container_label(self.container))

    def container_label(self, name: str) -> str:
        """`init:migrate` for an init container, the name otherwise."""
        for infos in self.containers.values():
            for info in infos:
                if info.name == name:
                    return info.label
        return name

    # -- streams ---------------------------------------------------------------------------------

    @property
    def since(self) -> tuple[str, int | None]:
        return SINCE_CHOICES[self.since_index]

    def stop_streams(self) -> None:
        for handle in self.handles:
            handle.stop()
        self.handles = []

    def restart(self) -> None:
        """(Re)open the streams (per pod, per container) with the current choices; the buffer
        starts empty."""
        self.stop_streams()
        names = {c.name for infos in self.containers.values() for c in infos}
        self.view.multi_container = self.container == ALL_CONTAINERS and len(names) > 1
        self.buffer.clear()
        self.problems = {}
        self.view.picked = self.view.mark_line = None
        for pod in self.subject.pods:
            chosen = self.stream_containers(pod)
            if not chosen:  # pods of a deploy mid-rollout may differ in their containers
                label = self.container_label(self.container)
                self.problems[pod] = f"{pod} has no container {label}"
            for container in chosen:
                where = f"{pod}/{container}" if self.container == ALL_CONTAINERS else pod
                self.handles.append(
                    self.reader.open_logs(
                        LogTarget(self.subject.namespace, pod, container),
                        previous=self.previous,
                        since_seconds=self.since[1],
                        tail_lines=None if self.since[1] else self.buffer.capacity,
                        follow=not self.previous,
                        on_lines=self.on_lines,
                        on_problem=lambda text, where=where: self.on_problem(where, text),
                    )
                )
        self._dirty = True

    def stream_containers(self, pod: str) -> list[str]:
        """The containers of a pod to stream with the current choice ("" lets the API pick
        when the pod's containers are not known)."""
        infos = self.containers.get(pod, ())
        app = [c.name for c in infos if not c.init]
        if self.container == ALL_CONTAINERS:
            if self.previous:  # only a container that restarted has a previous one
                restarted = [c.name for c in infos if c.restarts]
                return restarted or app[:1] or [""]
            return [c.name for c in infos] or [""]
        if self.container:
            return [self.container] if any(c.name == self.container for c in infos) else []
        return app[:1] or [""]

    @work(group="log-containers")
    async def load_containers(self) -> None:
        for pod in self.subject.pods:
            try:
                self.containers[pod] = await self.reader.containers(self.subject.namespace, pod)
            except SourceError as exc:
                self.problems.setdefault(pod, str(exc))
            except Exception as exc:
                self.problems.setdefault(pod, f"{type(exc).__name__}: {exc}")
        self.restart()

    def on_lines(self, batch: list[LogLine]) -> None:
        self.buffer.add(batch)
        self._dirty = True

    def on_problem(self, pod: str, text: str) -> None:
        self.problems[pod] = text
        self._dirty = True

    # -- drawing ---------------------------------------------------------------------------------

    def _redraw(self) -> None:
        if not self._dirty:
            return
        self._dirty = False
        self.query_one("#log-title", TextLine).show(inert(self.title_text, limit=200))
        self.query_one("#log-termination", TextLine).show(self.termination_line())
        if not self.paused or self.view.picked is not None:
            self.view.repaint()
        self.query_one("#log-status", TextLine).show(self.status_line())

    def termination_line(self) -> Text:
        """Each container's last termination; the problems of streams that could not open."""
        line = Text(no_wrap=True, overflow="ellipsis")
        for pod in self.subject.pods[:4]:
            for info in self.containers.get(pod, ()):
                if self.container == "" and info.init:
                    continue  # the app containers are what is streamed
                if self.container not in ("", ALL_CONTAINERS) and info.name != self.container:
                    continue
                if not info.termination:
                    continue
                who = pod if len(self.subject.pods) > 1 else info.label
                line.append_text(inert(f" {who}: ", limit=120))
                bad = info.last_reason not in ("Completed", "")
                line.append_text(inert(info.termination, limit=80, style="bold red" if bad else ""))
                line.append(f" ({info.restarts} restarts)" if info.restarts else "", style="dim")
        for problem in list(self.problems.values())[:2]:
            line.append_text(inert(f" {problem}", limit=300, style="yellow"))
        if not line.plain:
            line.append(" no container terminated" if self.containers else " …", style="dim")
        return line

    def status_line(self) -> Text:
        view, buffer = self.view, self.buffer
        parts = [f" {len(buffer):,} lines"]
        if buffer.dropped:
            parts.append(f"{buffer.dropped:,} dropped (keeps {buffer.capacity:,})")
        if self.previous:  # a terminated container's log is whole: nothing to follow
            parts.append("terminated, complete" if view.following else "scrolled")
        else:
            parts.append(
                "paused" if self.paused else ("following" if view.following else "scrolled")
            )
        parts.append(f"since {self.since[0]}")
        if view.wrap_lines:
            parts.append("wrap")
        if view.errors_only:
            parts.append("errors only")
        if view.pattern is not None:
            mode = "filter" if view.filter_matches else "search"
            parts.append(f"{mode} {view.search!r}: {view.count_matches():,} matches")
        if view.mark_line is not None:
            parts.append(f"range: {len(view.selected_range())} lines (p pins)")
        return inert(" · ".join(parts), limit=300)

    def touch(self) -> None:
        self._dirty = True
        self._redraw()

    # -- keys -------------------------------------------------------------------------------------

    def action_close(self) -> None:
        if self.has_class("-searching"):
            self._close_search(keep=False)
            return
        if self.view.pattern is not None:
            self.view.set_search("")
            self.touch()
            return
        if self.view.mark_line is not None:
            self.view.mark_line = None
            self.touch()
            return
        self.app.pop_screen()

    def action_search(self) -> None:
        self.add_class("-searching")
        box = self.query_one("#log-search", Input)
        box.value = self.view.search
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "log-search":
            event.stop()
            self.view.set_search(event.value)  # highlighted while typing
            self.touch()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "log-search":
            event.stop()
            self._close_search(keep=True)
            if self.view.pattern is not None and not self.view.matches(
                self.view.selected() or _NO_LINE
            ):
                self.view.jump(forward=False)

    def _close_search(self, keep: bool) -> None:
        self.remove_class("-searching")
        if not keep:
            self.view.set_search("")
        self.view.focus()
        self.touch()

    def key_escape(self) -> None:
        if self.has_class("-searching"):
            self._close_search(keep=False)

    def action_next_match(self) -> None:
        if not self.view.jump(forward=True) and self.view.pattern is not None:
            self.notify(f"no line matches {self.view.search!r}", markup=False)
        self.touch()

    def action_previous_match(self) -> None:
        self.view.jump(forward=False)
        self.touch()

    def action_toggle_filter(self) -> None:
        if self.view.pattern is None:
            self.notify("search first (/), then f keeps only the matching lines", markup=False)
            return
        self.view.set_option("filter_matches", not self.view.filter_matches)
        self.touch()

    def action_toggle_errors(self) -> None:
        self.view.set_option("errors_only", not self.view.errors_only)
        self.touch()

    def action_toggle_wrap(self) -> None:
        self.view.set_option("wrap_lines", not self.view.wrap_lines)
        self.touch()

    def action_toggle_previous(self) -> None:
        self.previous = not self.previous
        self.restart()
        self.touch()

    def action_since(self) -> None:
        self.since_index = (self.since_index + 1) % len(SINCE_CHOICES)
        self.restart()
        self.touch()

    async def action_container(self) -> None:
        """Pick the container: all of them, or one (init containers marked, with state)."""
        infos = container_choices(self.containers, self.subject.pods)
        if not infos:
            self.notify("the pods' containers are not known (yet)", markup=False)
            return
        if self.query(ChoicePrompt):
            return  # already open
        current = self.container or next((c.name for c in infos if not c.init), infos[0].name)
        choices = [ALL_CONTAINERS, *(c.name for c in infos)]
        labels = [Text("all containers"), *(container_choice_label(c) for c in infos)]
        n = len(self.subject.pods)
        title = "Logs of which container?" + (f" (of {n} pods)" if n > 1 else "")
        prompt = ChoicePrompt(title, choices, current, labels=labels)
        await self.mount(prompt)
        prompt.focus_first()

    def on_prompt_closed(self, message: Prompt.Closed) -> None:
        message.stop()  # the log view's own prompt: not the app's to route
        message.prompt.remove()
        self.view.focus()
        chosen = message.result
        if chosen is None or chosen == self.container:
            return  # escape keeps the current choice (and its lines)
        self.container = chosen
        self.restart()
        self.touch()

    def action_pause(self) -> None:
        self.paused = not self.paused
        if self.paused:
            self.view.pause()
        else:
            self.view.follow()
        self.touch()

    def action_mark(self) -> None:
        line = self.view.selected()
        self.view.pause() if self.view.following else None
        self.view.mark_line = None if self.view.mark_line is not None else line
        self.touch()

    def action_move(self, delta: int) -> None:
        self.view.move(delta)
        self.touch()

    def action_page(self, direction: int) -> None:
        self.view.move(direction * max(1, self.view.size.height - 1))
        self.touch()

    def action_home(self) -> None:
        self.view.cursor_row = 0
        self.view.move_to(0)
        self.touch()

    def action_end(self) -> None:
        self.paused = False
        self.view.follow()
        self.touch()

    def action_detail(self) -> None:
        line = self.view.selected()
        if line is None:
            return
        from cockpit.screens.detail import DetailScreen  # imported when first opened

        self.app.push_screen(
            DetailScreen(f"{line.namespace}/{line.pod} {line.ts}", line_detail(line))
        )

    def action_pin(self) -> None:
        lines = self.view.selected_range()
        if not lines or self.pin_callback is None:
            self.notify("no line selected to pin", severity="warning", markup=False)
            return
        # the range is taken now: a mark set while the journal writes belongs to the next pin
        mark, self.view.mark_line = self.view.mark_line, None
        self.touch()
        self.run_worker(self._pin(lines, mark), group="log-pin")

    async def _pin(self, lines: list[LogLine], mark: LogLine | None) -> None:
        assert self.pin_callback is not None
        data = pin_data(lines)
        if not data["container"]:  # the stream asked for "the first container": name it
            infos = [c for c in self.containers.get(lines[0].pod, ()) if not c.init]
            data["container"] = infos[0].name if infos else ""
        if not await self.pin_callback(data) and self.view.mark_line is None:
            self.view.mark_line = mark  # refused: the range is still there to pin again
            self.touch()

    def action_help(self) -> None:
        from cockpit.screens.help import LogHelpScreen  # imported when first opened

        self.app.push_screen(LogHelpScreen())


_NO_LINE = LogLine("", "", "", "", 0, "")


def container_choices(
    containers: dict[str, tuple[ContainerInfo, ...]], pods: Sequence[str]
) -> list[ContainerInfo]:
    """One entry per container name across the pods (the first pod's state for it): app
    containers, then init containers, each in the pod's order."""
    seen: dict[str, ContainerInfo] = {}
    for pod in pods:
        for info in containers.get(pod, ()):
            seen.setdefault(info.name, info)
    return sorted(seen.values(), key=lambda c: c.init)


def container_choice_label(info: ContainerInfo) -> Text:
    """`init:migrate  terminated Completed · last Completed, exit 0, 19:01:02` (inert)."""
    parts = [info.state or "state unknown"]
    if info.restarts:
        parts.append(f"{info.restarts} restart{'s' if info.restarts != 1 else ''}")
    if info.termination and not info.state.startswith("terminated"):
        parts.append(f"last {info.termination}")
    label = inert(info.label, limit=63)
    label.append_text(inert("  " + " · ".join(parts), limit=120, style="dim"))
    return label


class _Detail:
    """The full line for DetailScreen: every field, the text whole, JSON pretty-printed."""

    def __init__(self, fields: dict[str, Any]) -> None:
        self.fields = fields

    def as_dict(self) -> dict[str, Any]:
        return self.fields


def line_detail(line: LogLine) -> _Detail:
    fields: dict[str, Any] = {
        "pod": f"{line.namespace}/{line.pod}",
        "container": line.container + (" (previous)" if line.previous else ""),
        "time": line.ts,
        "text": line.text,
    }
    obj = json_object(line.text)
    if obj is not None:
        fields["json"] = json.dumps(obj, indent=2, ensure_ascii=False)
    return _Detail(fields)


PIN_TEXT_MAX = 20_000  # a range of a few hundred lines; the journal bounds events anyway
_SGR = re.compile(r"\x1b\[[0-9;:]*m")


def pin_data(lines: list[LogLine]) -> dict[str, Any]:
    """What `evidence.pinned` records for pinned log lines (the store redacts secrets)."""
    first, last = lines[0], lines[-1]
    text = "\n".join(_SGR.sub("", line.text) for line in lines)[:PIN_TEXT_MAX]
    pods = sorted({line.pod for line in lines})
    data: dict[str, Any] = {
        "what": "log",
        "item": f"{first.namespace}/{first.pod} {first.ts}",
        "namespace": first.namespace,
        "pod": first.pod if len(pods) == 1 else ", ".join(pods),
        "container": first.container,
        "previous": first.previous,
        "ts": first.ts,
        "text": text,
        "lines": len(lines),
    }
    if len(lines) > 1:
        data["ts_to"] = last.ts
    return data
