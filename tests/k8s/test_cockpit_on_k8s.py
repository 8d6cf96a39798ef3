"""The cockpit driven by keys against the loopback API server: remediation end to end."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from fake_apiserver import FakeApiServer
from test_remediation import seed

from cockpit.app import CockpitApp
from cockpit.model import Event
from cockpit.screens.prompts import ConfirmPrompt
from cockpit.session import Session
from tests.tui.harness import journal_of


def screen_text(app: CockpitApp) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def until(predicate: Any, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


def cockpit(source: Any, tmp_path: Path) -> CockpitApp:
    session = Session(
        journal=None,
        journal_path=tmp_path / "journal.sqlite",
        incident="INC-K8S",
        operator="alice",
        sources=[source],
        viewers=None,
    )
    return CockpitApp(session)


async def kinds(app: CockpitApp) -> list[Event]:
    return await (await journal_of(app)).events("INC-K8S")


async def test_restart_and_scale_from_keys(
    apiserver: FakeApiServer, make_source: Any, tmp_path: Path
) -> None:
    seed(apiserver)
    rec = await make_source(start=False)
    app = cockpit(rec.source, tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await until(lambda: app.main.query_one("#deploys").items)
        await pilot.press("4", "R")
        await until(lambda: isinstance(app.prompt, ConfirmPrompt))
        assert "rolling restart" in " ".join(app.prompt.body.split())
        await pilot.press("y")
        await until(lambda: len(apiserver.patches) >= 2)
        await pilot.pause(0.2)
        restart = [p for p in apiserver.patches if "dryRun" not in p.query]
        assert restart and restart[0].content_type == "application/strategic-merge-patch+json"
        annotations = restart[0].body["spec"]["template"]["metadata"]["annotations"]
        assert "kubectl.kubernetes.io/restartedAt" in annotations

        await pilot.press("Z")
        await pilot.pause()
        await pilot.press("5", "enter")
        await until(lambda: isinstance(app.prompt, ConfirmPrompt))
        assert "replicas" in app.prompt.body and "-> 5" in app.prompt.body
        await pilot.press("y")
        await until(
            lambda: any(
                p.path.endswith("/scale") and "dryRun" not in p.query for p in apiserver.patches
            )
        )
        await pilot.pause(0.2)
        events = [e for e in await kinds(app) if e.kind.startswith("remediation.")]
        assert [(e.kind, e.data["action"]) for e in events] == [
            ("remediation.requested", "restart"),
            ("remediation.succeeded", "restart"),
            ("remediation.requested", "scale"),
            ("remediation.succeeded", "scale"),
        ]
        assert events[-1].data["replicas"] == 5
        assert events[-1].data["status"].startswith("200")


async def test_forbidden_events_leave_other_panes_working(
    apiserver: FakeApiServer, make_source: Any, tmp_path: Path
) -> None:
    seed(apiserver)
    apiserver.forbid("events")
    rec = await make_source(start=False)
    app = cockpit(rec.source, tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await until(lambda: app.main.query_one("#deploys").items)
        await pilot.pause(0.3)
        text = " ".join(screen_text(app).split())
        assert "▲ kubernetes partial" in text
        assert "cannot list events in namespace shop" in text
        assert "shop/checkout" in text  # deploys still flow
