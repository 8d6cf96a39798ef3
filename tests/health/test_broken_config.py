"""Every broken source configuration is one clear line (issue 11 item 4): never a traceback,
never a silent wait. An invalid-YAML kubeconfig fails one doctor row naming the file and the
YAML line (exit 1), and the live Kubernetes pane says it within 5 s (journaled once)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cockpit.config import load_config
from tests.conftest import RunCli
from tests.tui.screen import screen_text

from .conftest import live_app, rows_of, until

# line 6 opens a flow sequence that line 7 breaks: PyYAML reports line 7
BAD_KUBECONFIG = """\
apiVersion: v1
clusters:
- cluster:
    server: https://127.0.0.1:6443
  name: prod
contexts: [
- context:
    cluster: prod
"""


def kube_config(tmp_path: Path) -> tuple[Path, Path]:
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(BAD_KUBECONFIG)
    config = tmp_path / "c.toml"
    config.write_text(f'[kubernetes]\nkubeconfig = "{kubeconfig}"\n')
    return config, kubeconfig


def test_doctor_one_fail_row_with_file_and_line(tmp_path: Path, run_cli: RunCli) -> None:
    config, kubeconfig = kube_config(tmp_path)
    out = run_cli("doctor", "--config", str(config))
    assert out.returncode == 1, out.stdout + out.stderr
    assert "Traceback" not in out.stderr + out.stdout
    fails = [line for line in out.stdout.splitlines() if "FAIL" in line]
    assert len(fails) == 1, out.stdout
    assert f"{kubeconfig}:7" in fails[0], fails[0]
    assert "not valid YAML" in fails[0], fails[0]


async def test_live_pane_says_it_within_5s_and_journals_it(tmp_path: Path) -> None:
    config, kubeconfig = kube_config(tmp_path)
    app = live_app(config, tmp_path / "j.sqlite")
    async with app.run_test(size=(160, 48)) as pilot:
        await until(
            lambda: f"{kubeconfig}:7" in screen_text(app).replace("\n", ""),
            5.0,
            lambda: screen_text(app),
        )
        text = screen_text(app)
        assert "waiting for data" not in text
        assert "kubernetes down" in text.splitlines()[0]
        rows = await rows_of(app, "system.source.down")
        assert len(rows) == 1 and f"{kubeconfig}:7" in rows[0].data["error"], rows
        await pilot.press("q")


KUBECONFIG_FAULTS = {
    # a wrong type: the client's loader said "'int' object is not iterable"
    "wrong type": (
        "apiVersion: v1\nclusters: 5\ncontexts: []\nusers: []\n",
        ":2: clusters must be a list (got 5)",
    ),
    "missing CA file": (
        "apiVersion: v1\nclusters:\n- name: prod\n  cluster:\n"
        "    server: https://127.0.0.1:6443\n    certificate-authority: /nonexistent/ca.crt\n"
        "contexts:\n- name: prod\n  context: {cluster: prod, user: u}\n"
        "current-context: prod\nusers:\n- name: u\n  user: {token: abc}\n",
        "/nonexistent/ca.crt",
    ),
    "missing token file": (
        "apiVersion: v1\nclusters:\n- name: prod\n  cluster:\n"
        "    server: https://127.0.0.1:6443\n"
        "contexts:\n- name: prod\n  context: {cluster: prod, user: u}\n"
        "current-context: prod\nusers:\n- name: u\n  user: {tokenFile: /nonexistent/token}\n",
        "/nonexistent/token",
    ),
}


@pytest.mark.parametrize("fault", sorted(KUBECONFIG_FAULTS))
def test_doctor_names_a_broken_kubeconfig_in_one_row(
    fault: str, tmp_path: Path, run_cli: RunCli
) -> None:
    text, expected = KUBECONFIG_FAULTS[fault]
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(text)
    config = tmp_path / "c.toml"
    config.write_text(f'[kubernetes]\nkubeconfig = "{kubeconfig}"\n')
    out = run_cli("doctor", "--config", str(config))
    assert out.returncode == 1, out.stdout + out.stderr
    assert "Traceback" not in out.stderr + out.stdout
    fails = [line for line in out.stdout.splitlines() if "FAIL" in line]
    assert len(fails) == 1 and expected in fails[0], out.stdout


def test_doctor_names_an_unusable_ca_file_per_source(tmp_path: Path, run_cli: RunCli) -> None:
    """Prometheus's client raised an OSError through doctor (a traceback, exit 1 by luck)."""
    config = tmp_path / "c.toml"
    config.write_text(
        '[prometheus]\nurl = "https://127.0.0.1:9"\nca_file = "/nonexistent/ca.pem"\n'
        '[alertmanager]\nurl = "https://127.0.0.1:9"\nca_file = "/nonexistent/ca.pem"\n'
        '[[panels]]\ntitle = "up"\nquery = "up"\n'
    )
    out = run_cli("doctor", "--config", str(config))
    assert out.returncode == 1, out.stdout + out.stderr
    assert "Traceback" not in out.stderr + out.stdout
    rows = {line.split("  ")[0].strip(): line for line in out.stdout.splitlines()}
    for source in ("prometheus", "alertmanager"):
        row = rows[f"{source}: reachable"]
        assert "FAIL" in row and "cannot use ca_file /nonexistent/ca.pem" in row, out.stdout


@pytest.mark.parametrize("source", ["prometheus", "alertmanager"])
def test_unreadable_bearer_token_file_is_one_config_line(
    source: str, tmp_path: Path, run_cli: RunCli
) -> None:
    config = tmp_path / "c.toml"
    config.write_text(
        f'[{source}]\nurl = "http://127.0.0.1:9"\nbearer_token_file = "{tmp_path}/nope"\n'
    )
    out = run_cli("doctor", "--config", str(config))
    assert out.returncode == 2, out.stdout + out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert f"{config}:3: {source}.bearer_token_file: cannot read {tmp_path}/nope" in lines[0]


def test_bearer_token_file_is_sent(tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("s3cret\n")
    config = tmp_path / "c.toml"
    config.write_text(
        f'[alertmanager]\nurl = "http://127.0.0.1:9"\nbearer_token_file = "{token}"\n'
    )

    loaded = load_config(config, env={})
    assert loaded.alertmanager is not None and loaded.alertmanager.bearer_token == "s3cret"
