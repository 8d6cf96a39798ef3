"""Every broken source configuration is one clear line (issue 11 item 4): never a traceback,
never a silent wait. An invalid-YAML kubeconfig fails one doctor row naming the file and the
YAML line (exit 1), and the live Kubernetes pane says it within 5 s (journaled once)."""

from __future__ import annotations

from pathlib import Path

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
