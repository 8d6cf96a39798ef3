"""`l`: logs of the selected pod, deploy or alert in the cockpit, driven through the real
app on the demo; read back from the screen and the journal."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rich.style import Style

from cockpit.app import CockpitApp
from cockpit.model import Alert, ContainerInfo, Deploy, K8sEvent, LogLine, LogTarget
from cockpit.screens.log_view import CURSOR_STYLE, MATCH_STYLE
from cockpit.screens.logs import LogScreen

from .harness import (
    demo_app,
    journal_of,
    journal_rows,
    refresh_sources,
    selected_item,
    wait_for,
    wait_for_row,
    wait_for_text,
)
from .screen import screen_text

SIZE = (160, 48)


async def select(pilot: Any, pane_key: str, want: Callable[[Any], bool]) -> Any:
    """Focus a pane and move its cursor to the first item `want` accepts."""
    await pilot.press(pane_key)
    for _ in range(60):
        item = selected_item(pilot.app)
        if item is not None and want(item):
            return item
        await pilot.press("down")
    raise AssertionError("no such item in the pane")


def crashing_pod_event(item: Any) -> bool:
    return (
        isinstance(item, K8sEvent)
        and item.object.startswith("Pod/checkout-")
        and item.reason in ("BackOff", "OOMKilling", "Killing")
    )


def log_screen(app: CockpitApp) -> LogScreen:
    assert isinstance(app.screen, LogScreen), f"not in the log view: {app.screen}"
    return app.screen


async def open_crashing_pod(pilot: Any) -> tuple[LogScreen, str]:
    app = pilot.app
    await refresh_sources(app)
    event = await select(pilot, "3", crashing_pod_event)
    pod = event.object.partition("/")[2]
    await pilot.press("l")
    await wait_for(pilot, lambda: isinstance(app.screen, LogScreen), what="the log view")
    return log_screen(app), pod


async def test_l_on_a_crashlooping_pod_shows_the_oom_of_the_previous_container(
    tmp_path: Path,
) -> None:
    app, _ = demo_app(tmp_path / "j.sqlite", elapsed=90)
    async with app.run_test(size=SIZE) as pilot:
        screen, pod = await open_crashing_pod(pilot)
        await wait_for_text(pilot, f"Logs: shop/{pod}", "OOMKilled, exit 137, ")
        await wait_for_text(pilot, "lines", "following")
        await pilot.press("P")
        text = await wait_for_text(
            pilot, f"Logs: shop/{pod}, previous container", "java.lang.OutOfMemoryError"
        )
        assert "PriceCache.put" in text
        assert all(line.previous for line in screen.buffer.lines)
        # the panes stay live behind the view: the sources still publish into them
        before = app.main.snapshots["kubernetes"].at
        app.session.wall_clock.advance(1.0)  # type: ignore[attr-defined]
        await refresh_sources(app)
        assert app.main.snapshots["kubernetes"].at > before
        view = await wait_for_row(pilot, "view.logs")
        assert view.data["target"] == f"shop/{pod}" and view.data["pods"] == [pod]
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, LogScreen), what="closed")


async def test_search_highlights_every_match_while_typing_and_n_jumps(tmp_path: Path) -> None:
    app, _ = demo_app(tmp_path / "j.sqlite", elapsed=90)
    async with app.run_test(size=SIZE) as pilot:
        screen, _ = await open_crashing_pod(pilot)
        await pilot.press("P")
        await wait_for_text(pilot, "java.lang.OutOfMemoryError")
        await pilot.press("slash")
        for char in "heap":
            await pilot.press(char)
        rendered = screen.view.visible_text()
        hits = [rendered.plain[s.start : s.end] for s in rendered.spans if s.style == MATCH_STYLE]
        assert len(hits) >= 3 and all(h.lower() == "heap" for h in hits)
        await pilot.press("enter")
        status = await wait_for_text(pilot, "search 'heap':")
        assert "matches" in status
        first = screen.view.selected()
        assert first is not None and "heap" in first.text.lower()
        await pilot.press("n")
        second = screen.view.selected()
        assert second is not None and second is not first and "heap" in second.text.lower()
        await pilot.press("N")
        assert screen.view.selected() is first
        # filter mode hides the lines that do not match
        await pilot.press("f")
        await wait_for_text(pilot, "filter 'heap'")
        assert all("heap" in line.text.lower() for line in screen.view.rows)
        await pilot.press("f", "escape")
        assert screen.view.pattern is None and not screen.view.filter_matches
        # errors only
        await pilot.press("e")
        await wait_for_text(pilot, "errors only")
        assert screen.view.rows and all(
            any(w in line.text for w in ("WARN", "Error", "Exception")) for line in screen.view.rows
        )


async def test_p_pins_the_selected_line_as_evidence(tmp_path: Path) -> None:
    app, _ = demo_app(tmp_path / "j.sqlite", elapsed=90)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen, pod = await open_crashing_pod(pilot)
        await pilot.press("P")
        await wait_for_text(pilot, "java.lang.OutOfMemoryError")
        await pilot.press("slash", *"OutOfMemoryError: Java", "enter")
        await pilot.press("p")
        row = await wait_for_row(pilot, "evidence.pinned")
        line = screen.view.selected()
        assert line is not None
        assert row.data["what"] == "log"
        assert row.data["pod"] == pod and row.data["namespace"] == "shop"
        assert row.data["container"] == "checkout" and row.data["previous"] is True
        assert row.data["ts"] == line.ts and "java.lang.OutOfMemoryError" in row.data["text"]
        # a range: m marks, p pins from the mark to the cursor
        await pilot.press("m", "up", "up", "p")
        ranged = await wait_for_row(pilot, "evidence.pinned", count=2)
        assert ranged.data["lines"] == 3 and ranged.data["text"].count("\n") == 2


async def test_l_on_a_deploy_merges_its_pods_and_on_an_alert_takes_its_pods(
    tmp_path: Path,
) -> None:
    app, _ = demo_app(tmp_path / "j.sqlite", elapsed=90)
    async with app.run_test(size=SIZE) as pilot:
        await refresh_sources(app)
        pods = [p.name for p in app.main.snapshots["kubernetes"].pods if p.app == "frontend"]
        await select(pilot, "4", lambda d: isinstance(d, Deploy) and d.deployment == "frontend")
        await pilot.press("l")
        await wait_for_text(pilot, f"Logs: shop/frontend, {len(pods)} pods")
        screen = log_screen(app)
        await wait_for(pilot, lambda: {x.pod for x in screen.buffer.lines} == set(pods))
        ats = [x.at_ns for x in screen.buffer.lines]
        assert ats == sorted(ats)
        text = screen_text(app)
        assert all(p in text for p in pods[:1])  # each line says its pod
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, LogScreen), what="closed")
        alert = await select(pilot, "1", lambda a: isinstance(a, Alert))
        await pilot.press("l")
        n = sum(
            1
            for p in app.main.snapshots["kubernetes"].pods
            if p.app == alert.labels.get("service", alert.labels.get("deployment"))
        )
        await wait_for_text(pilot, f"Logs: shop/{alert.labels.get('service', 'checkout')}")
        assert len(log_screen(app).subject.pods) == n


class HostileReader:
    """A LogReader whose pod writes what an attacker controls."""

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts

    async def containers(self, namespace: str, pod: str) -> tuple[ContainerInfo, ...]:
        return (ContainerInfo("app"),)

    def open_logs(self, target: LogTarget, *, on_lines: Any, **_: Any) -> Any:
        lines = [
            LogLine("shop", target.pod, "app", f"2026-11-28T19:05:0{i}.000Z", (i + 1) * 10**9, t)
            for i, t in enumerate(self.texts)
        ]
        asyncio.get_running_loop().call_soon(on_lines, lines)
        return self

    def stop(self) -> None:
        pass


HOSTILE = [
    "clip \x1b]52;c;ZXZpbA==\x07 end",
    "clear \x1b[2J\x1b[H end",
    "link \x1b]8;;https://evil.example/\x1b\\click me\x1b]8;;\x1b\\ end",
    "markup [@click=app.quit]x[/] [b]bold[/b] end",
    "bidi \u202eevil\u202c end",
    "colour \x1b[31mRED\x1b[0m end",
    "long " + "y" * 5000,
]


async def test_hostile_log_lines_render_inert_and_sgr_is_kept(tmp_path: Path) -> None:
    from cockpit.screens.logs import LogSubject

    app, _ = demo_app(tmp_path / "j.sqlite")
    async with app.run_test(size=SIZE) as pilot:
        await refresh_sources(app)
        screen = LogScreen(HostileReader(HOSTILE), LogSubject("shop", "evil", ["evil"]))  # type: ignore[arg-type]
        await app.push_screen(screen)
        text = await wait_for_text(pilot, "clip", "colour RED end", "markup")
        assert "clip  end" in text and "clear  end" in text and "link click me end" in text
        assert "[@click=app.quit]x[/] [b]bold[/b] end" in text
        assert "\\u202eevil\\u202c end" in text and "\u202e" not in text
        assert "ZXZpbA" not in text and "evil.example" not in text
        rendered = screen.view.visible_text()
        red = [s for s in rendered.spans if rendered.plain[s.start : s.end] == "RED"]
        assert red and "color(1)" in str(red[0].style)
        # a click on the markup does nothing (no live action in it)
        row = next(i for i, x in enumerate(text.splitlines()) if "[@click" in x)
        await pilot.click(offset=(text.splitlines()[row].index("[@click") + 1, row))
        assert app.is_running
        # long lines are cut on screen, the detail view has them whole
        await pilot.press("end")
        await pilot.press("enter")
        detail = await wait_for_text(pilot, "text: long")
        assert detail.count("y") > 1000
        assert any(s.style == MATCH_STYLE for s in rendered.spans) is False


async def test_ring_buffer_shows_what_it_dropped(tmp_path: Path) -> None:
    from cockpit.screens.logs import LogSubject

    app, _ = demo_app(tmp_path / "j.sqlite")
    texts = [f"line {i}" for i in range(9)]
    async with app.run_test(size=SIZE) as pilot:
        await refresh_sources(app)
        screen = LogScreen(HostileReader(texts), LogSubject("shop", "p", ["p"]), capacity=5)  # type: ignore[arg-type]
        await app.push_screen(screen)
        await wait_for_text(pilot, "5 lines", "4 dropped (keeps 5)", "line 8")
        assert "line 3" not in screen_text(app)


@pytest.mark.parametrize("key", ["w", "space"])
async def test_wrap_and_pause_toggle(tmp_path: Path, key: str) -> None:
    from cockpit.screens.logs import LogSubject

    app, _ = demo_app(tmp_path / "j.sqlite")
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_sources(app)
        screen = LogScreen(
            HostileReader(["z" * 300, "short"]),
            LogSubject("shop", "p", ["p"]),  # type: ignore[arg-type]
        )
        await app.push_screen(screen)
        await wait_for_text(pilot, "short")
        await pilot.press(key)
        if key == "w":
            await wait_for_text(pilot, "wrap")
            assert screen_text(app).count("z" * 60) >= 3
        else:
            await wait_for_text(pilot, "paused")


async def test_every_log_key_is_in_help_and_palette(tmp_path: Path) -> None:
    from cockpit.keymap import LOG_KEYS
    from cockpit.screens.help import HelpScreen

    app, _ = demo_app(tmp_path / "j.sqlite", elapsed=90)
    async with app.run_test(size=SIZE) as pilot:
        screen, _ = await open_crashing_pod(pilot)
        titles = [c.title for c in app.get_system_commands(screen)]
        for key in LOG_KEYS:
            assert f"Logs: {key.description} (key {key.display})" in titles
        await pilot.press("question_mark")
        text = await wait_for_text(pilot, "log view keys")
        for key in LOG_KEYS[:8]:
            assert key.description[:30] in text
        await pilot.press("escape", "escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, LogScreen), what="closed")
        # the cockpit's own `?` has the log view's keys too (a section of its table)
        await pilot.press("question_mark")
        help_screen = await wait_for(
            pilot, lambda: isinstance(app.screen, HelpScreen) and app.screen
        )
        rows = [[str(cell) for cell in row] for row in help_screen.rows]
        assert ["", "In the log view (l)", ""] in rows
        for key in LOG_KEYS:
            described = key.description + (f" ({key.journal})" if key.journal else "")
            assert [key.display, described, ""] in rows


async def test_journal_keeps_pinned_lines_redacted(tmp_path: Path) -> None:
    token = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    from cockpit.screens.logs import LogSubject

    path = tmp_path / "j.sqlite"
    app, _ = demo_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await refresh_sources(app)
        await asyncio.wait_for(journal_of(app), 5)
        reader = HostileReader([f"auth ok token={token} user=bob"])
        screen = LogScreen(reader, LogSubject("shop", "p", ["p"]), pin=app.main.pin_log_lines)  # type: ignore[arg-type]
        await app.push_screen(screen)
        await wait_for_text(pilot, "auth ok")
        await pilot.press("p")
        row = await wait_for_row(pilot, "evidence.pinned")
        assert token not in row.data["text"] and "user=bob" in row.data["text"]
        assert all(token not in str(e.data) for e in await journal_rows(app))
    for f in path.parent.iterdir():  # the journal file and its WAL
        assert token.encode() not in f.read_bytes(), f


class PushReader:
    """A LogReader the test feeds: `push(texts)` delivers a batch, as a stream read does."""

    def __init__(self) -> None:
        self.on_lines: Any = None
        self.n = 0

    async def containers(self, namespace: str, pod: str) -> tuple[ContainerInfo, ...]:
        return (ContainerInfo("app"),)

    def open_logs(self, target: LogTarget, *, on_lines: Any, **_: Any) -> Any:
        self.on_lines = on_lines
        return self

    def push(self, count: int) -> None:
        batch = []
        for _ in range(count):
            self.n += 1
            stamp = f"2026-11-28T19:{self.n // 60 % 60:02d}:{self.n % 60:02d}.000Z"
            batch.append(LogLine("shop", "p", "app", stamp, self.n * 10**9, f"line-{self.n:04d}"))
        self.on_lines(batch)

    def stop(self) -> None:
        pass


def log_rows_on_screen(app: CockpitApp, screen: LogScreen) -> list[tuple[str, bool]]:
    """The log view's rows as drawn (text, has the cursor's background)."""
    region = screen.view.region
    strips = app.screen._compositor.render_strips()[region.y : region.bottom]
    cursor = Style.parse(CURSOR_STYLE).bgcolor.get_truecolor()  # type: ignore[union-attr]

    def has_cursor(strip: Any) -> bool:
        return any(
            s.style and s.style.bgcolor and s.style.bgcolor.get_truecolor() == cursor for s in strip
        )

    return [(strip.text.rstrip(), has_cursor(strip)) for strip in strips]


async def test_screen_rows_match_the_view_while_lines_stream_and_the_cursor_moves(
    tmp_path: Path,
) -> None:
    """Only changed rows are repainted: what is drawn must still be the view's window."""
    from cockpit.screens.logs import LogSubject

    app, _ = demo_app(tmp_path / "j.sqlite")
    reader = PushReader()
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_sources(app)
        screen = LogScreen(reader, LogSubject("shop", "p", ["p"]), capacity=200)  # type: ignore[arg-type]
        await app.push_screen(screen)
        await wait_for(pilot, lambda: reader.on_lines is not None, what="the stream")
        reader.push(100)
        await wait_for_text(pilot, "line-0100")
        steps = ["up", "up", "up", "push", "down", "push", "up", "end", "push", "up", "push"]
        for step in steps:
            if step == "push":
                reader.push(150)  # the ring drops old lines while the view is anchored
            else:
                await pilot.press(step)
            await pilot.pause(0.25)  # one coalesced repaint (the screen redraws at 10 Hz)
            rows = log_rows_on_screen(app, screen)
            want = screen.view.visible_text().plain.splitlines()
            assert [text for text, _ in rows][: len(want)] == [w.rstrip() for w in want], step
            selected = screen.view.selected()
            assert selected is not None
            with_cursor = [text for text, cursor in rows if cursor]
            assert len(with_cursor) == 1 and with_cursor[0].endswith(selected.text), step


def picker(screen: LogScreen) -> Any:
    from cockpit.screens.prompts import ChoicePrompt

    found = screen.query(ChoicePrompt)
    return found.first() if found else None


async def open_picker(pilot: Any, screen: LogScreen) -> list[str]:
    """Press `c`; the picker's choices as shown (on screen, and whole: long ones wrap)."""
    await pilot.press("c")
    await wait_for(pilot, lambda: picker(screen) is not None, what="the container picker")
    await wait_for_text(pilot, "Logs of which container?", "1  all containers", "init:migrate")
    options = picker(screen).query_one("OptionList")
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_c_opens_a_container_picker_and_an_init_container_can_be_picked(
    tmp_path: Path,
) -> None:
    app, _ = demo_app(tmp_path / "j.sqlite", elapsed=90)
    async with app.run_test(size=SIZE) as pilot:
        screen, pod = await open_crashing_pod(pilot)
        await wait_for_text(pilot, "OOMKilled, exit 137, ", "POST /api/checkout")
        choices = await open_picker(pilot, screen)
        # each container with its state; the init container marked; the app one preselected
        assert choices[0] == "1  all containers"
        assert choices[1].startswith("2  checkout  waiting CrashLoopBackOff · ")
        assert " restarts · last OOMKilled, exit 137, " in choices[1]
        assert choices[2].startswith("3  init:migrate  terminated Completed")
        options = picker(screen).query_one("OptionList")
        assert options.get_option_at_index(options.highlighted).id == "checkout"
        await pilot.press("down", "enter")  # from checkout to init:migrate
        text = await wait_for_text(
            pilot, f"Logs: shop/{pod}, container init:migrate", "migrate: no migrations to apply"
        )
        assert picker(screen) is None and screen.view.has_focus
        assert screen.buffer.lines and {x.container for x in screen.buffer.lines} == {"migrate"}
        assert "POST /api/checkout" not in text and "OOMKilled" not in text
        # all containers: both streams merged, each line prefixed with pod/container
        await open_picker(pilot, screen)
        await pilot.press("1")
        text = await wait_for_text(pilot, f"Logs: shop/{pod}, all containers", f"{pod}/migrate")
        await wait_for(
            pilot,
            lambda: {x.container for x in screen.buffer.lines} == {"checkout", "migrate"},
            what="lines of both containers",
        )
        assert f"{pod}/checkout" in screen_text(app)


async def test_escape_in_the_container_picker_keeps_the_current_choice(tmp_path: Path) -> None:
    app, _ = demo_app(tmp_path / "j.sqlite", elapsed=90)
    async with app.run_test(size=SIZE) as pilot:
        screen, pod = await open_crashing_pod(pilot)
        await wait_for_text(pilot, "OOMKilled, exit 137, ", "POST /api/checkout")
        handles, lines = list(screen.handles), len(screen.buffer)
        await open_picker(pilot, screen)
        await pilot.press("down", "escape")
        await wait_for(pilot, lambda: picker(screen) is None, what="the picker closed")
        assert isinstance(app.screen, LogScreen)  # escape closed the picker, not the view
        assert screen.container == "" and screen.handles == handles  # streams not restarted
        assert len(screen.buffer) >= lines
        assert {x.container for x in screen.buffer.lines} == {"checkout"}
        text = screen_text(app)
        assert f"Logs: shop/{pod}\n" in text or f"Logs: shop/{pod} " in text
        assert "container" not in text.splitlines()[0]


class TwoPodReader(PushReader):
    """Pod a runs an init container, pod b (an older replica) does not."""

    async def containers(self, namespace: str, pod: str) -> tuple[ContainerInfo, ...]:
        app = ContainerInfo("app", state="running")
        if pod == "a":
            return (app, ContainerInfo("migrate", init=True, state="terminated Completed"))
        return (app,)

    def open_logs(self, target: LogTarget, *, on_lines: Any, **_: Any) -> Any:
        line = LogLine("shop", target.pod, target.container, "2026-11-28T19:05:00.000Z", 10**9,
                       f"{target.pod} {target.container} says hi")  # fmt: skip
        asyncio.get_running_loop().call_soon(on_lines, [line])
        return self


async def test_a_pod_without_the_picked_container_says_so(tmp_path: Path) -> None:
    from cockpit.screens.logs import LogSubject

    app, _ = demo_app(tmp_path / "j.sqlite")
    async with app.run_test(size=SIZE) as pilot:
        await refresh_sources(app)
        screen = LogScreen(TwoPodReader(), LogSubject("shop", "web", ["a", "b"]))  # type: ignore[arg-type]
        await app.push_screen(screen)
        await wait_for_text(pilot, "a app says hi", "b app says hi")
        choices = await open_picker(pilot, screen)
        assert choices[-1] == "3  init:migrate  terminated Completed"
        await pilot.press("3")
        text = await wait_for_text(pilot, "container init:migrate", "b has no container")
        await wait_for_text(pilot, "a migrate says hi")
        assert "b app says hi" not in screen_text(app)
        assert {(x.pod, x.container) for x in screen.buffer.lines} == {("a", "migrate")}
        assert "Logs: shop/web, 2 pods, container init:migrate" in text
