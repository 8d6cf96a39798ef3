"""A server that accepts connections and never answers is down, not green (issue 11 item 1).

As Prometheus and as Alertmanager: the header and the pane's border say down and timed out
within two timeouts, the outage is journaled once with its reason, and `cockpit doctor`'s
reachability row fails.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.conftest import RunCli
from tests.tui.screen import screen_text

from .conftest import live_app, rows_of, until
from .hang import HangingServer

TIMEOUT_S = 1.0
SLACK_S = 3.0  # two shared cores: the screen may show it a little after the second timeout


def prometheus_config(path: Path, url: str) -> Path:
    path.write_text(
        f'[prometheus]\nurl = "{url}"\ntimeout = {TIMEOUT_S}\ninterval = 1\n'
        '[[panels]]\ntitle = "5xx rate"\nquery = "sum(rate(http_requests_total[1m]))"\n'
    )
    return path


def alertmanager_config(path: Path, url: str) -> Path:
    path.write_text(f'[alertmanager]\nurl = "{url}"\ntimeout = {TIMEOUT_S}\ninterval = 1\n')
    return path


def header(app: object) -> str:
    return screen_text(app).splitlines()[0]  # type: ignore[arg-type]


def border_line(app: object, title: str) -> str:
    """The bottom border of the pane whose top border holds `title` (its subtitle lives there)."""
    lines = screen_text(app).splitlines()  # type: ignore[arg-type]
    top = next(i for i, line in enumerate(lines) if title in line)
    column = lines[top].index(title)
    for line in lines[top + 1 :]:
        if line[column - 2 : column - 1] in ("╰", "└") or "╯" in line[column:]:
            return line
    return "\n".join(lines[top:])


@pytest.mark.parametrize("as_", ["prometheus", "alertmanager"])
async def test_hanging_server_is_down_and_journaled_once(
    as_: str, hanging: HangingServer, tmp_path: Path
) -> None:
    make = prometheus_config if as_ == "prometheus" else alertmanager_config
    app = live_app(make(tmp_path / "c.toml", hanging.url), tmp_path / "j.sqlite")
    pane = "2 Metrics" if as_ == "prometheus" else "1 Alerts"
    async with app.run_test(size=(160, 48)) as pilot:
        await until(
            lambda: f"{as_} down" in header(app),
            2 * TIMEOUT_S + SLACK_S,
            lambda: f"header says {as_} down: {header(app)!r}",
        )
        assert "● " + as_ not in header(app)
        await until(
            lambda: "timed out" in screen_text(app) and "down" in border_line(app, pane),
            2 * TIMEOUT_S + SLACK_S,
            lambda: f"{pane} border says down, timed out:\n{screen_text(app)}",
        )
        assert hanging.accepted >= 1  # it really connected: refused would be another story
        await asyncio.sleep(3 * TIMEOUT_S)  # more polls time out: still one entry
        rows = await rows_of(app, "system.source.down")
        mine = [e for e in rows if e.data["source"] == as_]
        assert len(mine) == 1, [e.data for e in rows]
        assert "timed out" in mine[0].data["error"]
        assert hanging.url in mine[0].data["error"]
        await pilot.press("q")


@pytest.mark.parametrize("as_", ["prometheus", "alertmanager"])
def test_doctor_fails_reachability_of_a_hanging_server(
    as_: str, hanging: HangingServer, tmp_path: Path, run_cli: RunCli
) -> None:
    make = prometheus_config if as_ == "prometheus" else alertmanager_config
    out = run_cli("doctor", "--config", str(make(tmp_path / "c.toml", hanging.url)))
    assert out.returncode == 1, out.stdout + out.stderr
    rows = {line.split("  ")[0].strip(): line for line in out.stdout.splitlines()}
    row = rows[f"{as_}: reachable"]
    assert "FAIL" in row and "timed out" in row, out.stdout
    assert "Traceback" not in out.stderr


def kubernetes_config(path: Path, url: str) -> Path:
    kubeconfig = path.parent / "kubeconfig"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: hang\n"
        f"clusters:\n- name: hang\n  cluster: {{server: '{url}'}}\n"
        "contexts:\n- name: hang\n  context: {cluster: hang, user: u}\n"
        "users:\n- name: u\n  user: {token: abc}\n"
    )
    path.write_text(
        f'[kubernetes]\nkubeconfig = "{kubeconfig}"\nnamespaces = ["shop"]\ntimeout = {TIMEOUT_S}\n'
    )
    return path


async def test_hanging_kubernetes_api_is_down_and_journaled_once(
    hanging: HangingServer, tmp_path: Path
) -> None:
    app = live_app(kubernetes_config(tmp_path / "c.toml", hanging.url), tmp_path / "j.sqlite")
    async with app.run_test(size=(160, 48)) as pilot:
        await until(
            lambda: "kubernetes down" in header(app),
            2 * TIMEOUT_S + SLACK_S,
            lambda: f"header says kubernetes down: {header(app)!r}",
        )
        text = screen_text(app)
        assert "timed out" in text and "waiting for data" not in text, text
        await asyncio.sleep(3 * TIMEOUT_S)  # the watches retry and time out again: one entry
        rows = await rows_of(app, "system.source.down")
        assert len(rows) == 1 and "timed out" in rows[0].data["error"], [e.data for e in rows]
        await pilot.press("q")


def test_doctor_fails_reachability_of_a_hanging_kubernetes_api(
    hanging: HangingServer, tmp_path: Path, run_cli: RunCli
) -> None:
    out = run_cli("doctor", "--config", str(kubernetes_config(tmp_path / "c.toml", hanging.url)))
    assert out.returncode == 1, out.stdout + out.stderr
    row = next(line for line in out.stdout.splitlines() if "API reachable" in line)
    assert "FAIL" in row and "timed out" in row, out.stdout
