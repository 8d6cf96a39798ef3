"""Container logs through the real `kubernetes` client against the loopback API server:
current and previous containers, follow across a dropped stream, 403 on pods/log, and
several pods merged in timestamp order."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from fake_apiserver import FakeApiServer, pod
from k8s_support import eventually

from cockpit.config import KubernetesConfig
from cockpit.logbuffer import LogBuffer
from cockpit.model import LogLine, LogTarget
from cockpit.sources.kubernetes.api import KubeApi
from cockpit.sources.kubernetes.logs import KubeLogReader

NS = "shop"


def reader(kubeconfig: Path) -> KubeLogReader:
    return KubeLogReader(KubeApi(KubernetesConfig(kubeconfig=str(kubeconfig))), backoff_s=0.05)


class Collect:
    def __init__(self) -> None:
        self.lines: list[LogLine] = []
        self.problems: list[str] = []

    def on_lines(self, batch: list[LogLine]) -> None:
        self.lines.extend(batch)

    def texts(self) -> list[str]:
        return [line.text for line in self.lines]


def open_(r: KubeLogReader, c: Collect, pod_name: str, **kw: object) -> object:
    options: dict[str, object] = {
        "previous": False,
        "since_seconds": None,
        "tail_lines": None,
        "follow": False,
    }
    options.update(kw)
    return r.open_logs(
        LogTarget(NS, pod_name),
        on_lines=c.on_lines,
        on_problem=c.problems.append,
        **options,  # type: ignore[arg-type]
    )


async def test_current_and_previous_container(apiserver: FakeApiServer, kubeconfig: Path) -> None:
    apiserver.create(
        "pods",
        pod(
            "checkout-1",
            restarts=3,
            waiting="CrashLoopBackOff",
            last_terminated="OOMKilled",
            last_finished="2026-11-28T01:11:08Z",
        ),
    )
    t0 = time.time() - 60
    apiserver.add_log(NS, "checkout-1", "started v2.4.0", at=t0)
    apiserver.add_log(NS, "checkout-1", "GC overhead 93%", at=t0 + 0.5, previous=True)
    oom = "java.lang.OutOfMemoryError: Java heap space"
    apiserver.add_log(NS, "checkout-1", oom, at=t0 + 1, previous=True)
    r = reader(kubeconfig)
    current, previous = Collect(), Collect()
    open_(r, current, "checkout-1")
    open_(r, previous, "checkout-1", previous=True)
    await eventually(lambda: len(current.lines) == 1 and len(previous.lines) == 2)
    assert current.texts() == ["started v2.4.0"]
    assert previous.texts() == ["GC overhead 93%", "java.lang.OutOfMemoryError: Java heap space"]
    assert all(line.previous for line in previous.lines)
    assert previous.lines[0].ts.startswith(time.strftime("%Y-%m-%dT", time.gmtime(t0)))
    sent = [r.query for r in apiserver.log_requests()]
    assert {q.get("previous") for q in sent} == {"true", None}
    assert all(q.get("timestamps") == "true" for q in sent)
    info = await r.containers(NS, "checkout-1")
    assert info[0].name == "app"
    assert info[0].termination == "OOMKilled, exit 137, 01:11:08"


async def test_tail_and_limit_bytes_reach_the_server(
    apiserver: FakeApiServer, kubeconfig: Path
) -> None:
    apiserver.create("pods", pod("checkout-1"))
    for i in range(10):
        apiserver.add_log(NS, "checkout-1", f"line {i}", at=time.time() - 30 + i)
    r = reader(kubeconfig)
    c = Collect()
    open_(r, c, "checkout-1", tail_lines=3, since_seconds=600)
    await eventually(lambda: len(c.lines) == 3)
    assert c.texts() == ["line 7", "line 8", "line 9"]
    q = apiserver.log_requests()[-1].query
    assert (q["tailLines"], q["sinceSeconds"]) == ("3", "600")


async def test_follow_across_a_dropped_stream_has_no_gap_nor_duplicate(
    apiserver: FakeApiServer, kubeconfig: Path
) -> None:
    apiserver.create("pods", pod("checkout-1"))
    now = time.time()
    # two lines share one stamp: the resume must skip exactly the one already seen
    for i in range(5):
        apiserver.add_log(NS, "checkout-1", f"before {i}", at=now - 5 + (i // 2))
    r = reader(kubeconfig)
    c = Collect()
    handle = open_(r, c, "checkout-1", follow=True)
    try:
        await eventually(lambda: len(c.lines) == 5)
        apiserver.cut_log_streams()
        await eventually(lambda: len(apiserver.log_requests()) >= 2)
        # written while the stream was down and after: a line with the last stamp, then more
        apiserver.add_log(NS, "checkout-1", "same stamp as before 4", at=now - 5 + 2)
        for i in range(5):
            apiserver.add_log(NS, "checkout-1", f"after {i}")
        await eventually(lambda: len(c.lines) >= 11)
        await asyncio.sleep(0.3)  # nothing more may arrive (no duplicates)
    finally:
        handle.stop()  # type: ignore[attr-defined]
    assert c.texts() == [
        *(f"before {i}" for i in range(5)),
        "same stamp as before 4",
        *(f"after {i}" for i in range(5)),
    ]
    resumed = apiserver.log_requests()[1].query
    assert resumed["follow"] == "true" and int(resumed["sinceSeconds"]) >= 1


async def test_forbidden_pods_log_names_the_permission(
    apiserver: FakeApiServer, kubeconfig: Path
) -> None:
    apiserver.create("pods", pod("checkout-1"))
    apiserver.forbid("pods/log", NS)
    r = reader(kubeconfig)
    c = Collect()
    open_(r, c, "checkout-1", follow=True)
    await eventually(lambda: bool(c.problems))
    assert len(c.problems) == 1
    problem = c.problems[0]
    assert "pods/log" in problem and "grant get on pods/log in namespace shop" in problem
    assert "\n" not in problem and "Traceback" not in problem
    await asyncio.sleep(0.2)
    assert len(apiserver.log_requests()) == 1  # a refusal is not retried in a loop


async def test_multi_pod_streams_merge_in_timestamp_order(
    apiserver: FakeApiServer, kubeconfig: Path
) -> None:
    t0 = time.time() - 100
    for name, offsets in (("checkout-a", (0, 2, 4, 6)), ("checkout-b", (1, 3, 5))):
        apiserver.create("pods", pod(name))
        for off in offsets:
            apiserver.add_log(NS, name, f"t{off}", at=t0 + off)
    r = reader(kubeconfig)
    buffer = LogBuffer()
    a, b = Collect(), Collect()
    a.on_lines = buffer.add  # type: ignore[method-assign]
    b.on_lines = buffer.add  # type: ignore[method-assign]
    open_(r, b, "checkout-b")
    await eventually(lambda: len(buffer) == 3)
    open_(r, a, "checkout-a")
    await eventually(lambda: len(buffer) == 7)
    assert [line.text for line in buffer.lines] == [f"t{i}" for i in range(7)]
    assert [line.pod for line in buffer.lines][:2] == ["checkout-a", "checkout-b"]


async def test_previous_of_a_container_that_never_restarted_is_one_line(
    apiserver: FakeApiServer, kubeconfig: Path
) -> None:
    apiserver.create("pods", pod("checkout-1"))
    r = reader(kubeconfig)
    c = Collect()
    open_(r, c, "checkout-1", previous=True)
    await eventually(lambda: bool(c.problems))
    assert c.problems == [
        'kubernetes: logs of shop/checkout-1: previous terminated container "app" in pod '
        '"checkout-1" not found'
    ]


async def test_doctor_checks_the_pods_log_permission(
    apiserver: FakeApiServer, make_source: object
) -> None:
    apiserver.forbid("pods/log", "shop")
    source = (await make_source(namespaces=("shop", "cart"), start=False)).source  # type: ignore[operator]
    rows = {name: (ok, detail) for name, ok, detail in await source.doctor_checks()}
    assert rows["kubernetes: get pods/log in namespace shop"] == (
        False,
        "missing: grant get on pods/log (logs in the cockpit)",
    )
    assert rows["kubernetes: get pods/log in namespace cart"] == (True, "allowed")
    reviews = [r for r in apiserver.requests if r.path.endswith("selfsubjectaccessreviews")]
    assert {
        "namespace": "shop",
        "group": "",
        "resource": "pods",
        "subresource": "log",
        "verb": "get",
    } in [r.body["spec"]["resourceAttributes"] for r in reviews]


async def test_the_kubernetes_source_reads_logs(
    apiserver: FakeApiServer, make_source: object
) -> None:
    apiserver.create("pods", pod("checkout-1"))
    apiserver.add_log(NS, "checkout-1", "hello")
    source = (await make_source(start=False)).source  # type: ignore[operator]
    c = Collect()
    open_(source, c, "checkout-1")
    await eventually(lambda: c.texts() == ["hello"])


async def test_log_view_picks_containers_of_a_pod_with_a_sidecar_and_an_init_container(
    apiserver: FakeApiServer, kubeconfig: Path
) -> None:
    """The log view over the real client: a pod with a sidecar needs a container name (the
    API refuses without one), so the view asks for the app container; `c` lists every
    container with its state and picks the init container."""
    from textual.app import App

    from cockpit.screens.logs import LogScreen, LogSubject
    from cockpit.screens.prompts import ChoicePrompt

    apiserver.create(
        "pods",
        pod(
            "checkout-1",
            restarts=2,
            waiting="CrashLoopBackOff",
            last_terminated="OOMKilled",
            sidecars=("envoy",),
            init_containers=("migrate",),
        ),
    )
    t0 = time.time() - 30
    apiserver.add_log(NS, "checkout-1", "app: serving", at=t0)
    apiserver.add_log(NS, "checkout-1", "envoy: listener up", container="envoy", at=t0 + 1)
    apiserver.add_log(NS, "checkout-1", "migrate: done", container="migrate", at=t0 - 5)
    screen = LogScreen(reader(kubeconfig), LogSubject(NS, "checkout-1", ["checkout-1"]))
    async with App[None]().run_test(size=(120, 40)) as pilot:
        await pilot.app.push_screen(screen)
        await eventually(lambda: [x.text for x in screen.buffer.lines] == ["app: serving"])
        assert not screen.problems
        assert [r.query.get("container") for r in apiserver.log_requests()] == ["app"]
        await pilot.press("c")
        await eventually(lambda: bool(screen.query(ChoicePrompt)))
        await pilot.pause()
        options = screen.query_one(ChoicePrompt).query_one("OptionList")
        shown = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert shown == [
            "1  all containers",
            "2  app  waiting CrashLoopBackOff · 2 restarts · last OOMKilled, exit 137",
            "3  envoy  running",
            "4  init:migrate  terminated Completed",
        ]
        await pilot.press("4")
        await eventually(lambda: [x.text for x in screen.buffer.lines] == ["migrate: done"])
        assert screen.title_text == "Logs: shop/checkout-1, container init:migrate"
        assert apiserver.log_requests()[-1].query.get("container") == "migrate"
