"""Real Prometheus / Alertmanager / a tiny exporter on 127.0.0.1, for tests and benchmarks.

Independent of cockpit (stdlib only) so bench/ can import it too. Every process started here
is stopped by `stop()`; configs and data live in a caller-given temporary directory.
Prometheus and Alertmanager read YAML, and JSON is YAML: configs are written with json.dumps.

Run as a script, it is the exporter: `python servers.py exporter PORT VALUES.json` serves
/metrics in the Prometheus text format from a JSON file {"name{labels}": value} that the test
rewrites (atomically) to change what Prometheus scrapes next.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

PROMETHEUS_BINARIES = ("prometheus",)
ALERTMANAGER_BINARIES = ("prometheus-alertmanager", "alertmanager")
READY_TIMEOUT_S = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def find_binary(names: tuple[str, ...]) -> str | None:
    for name in names:
        path = shutil.which(name) or shutil.which(name, path="/usr/bin:/usr/local/bin")
        if path:
            return path
    return None


def http_get(url: str, timeout: float = 5.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def http_json(url: str, timeout: float = 5.0) -> Any:
    status, body = http_get(url, timeout)
    if status != 200:
        raise RuntimeError(f"GET {url}: HTTP {status}: {body[:200]!r}")
    return json.loads(body)


class Process:
    """One child process with its log file; stop() is idempotent."""

    def __init__(self, name: str, argv: list[str], log: Path) -> None:
        self.name = name
        self.argv = argv
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                self.argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def wait_ready(self, url: str, timeout: float = READY_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited early:\n{self.log_tail()}")
            try:
                status, _ = http_get(url, timeout=1.0)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} not ready after {timeout:.0f}s:\n{self.log_tail()}")


class Exporter:
    """A /metrics endpoint whose values the caller sets with `set()`."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.values_file = workdir / "exporter-values.json"
        self.values: dict[str, float] = {}
        self._write()
        self.process = Process(
            "exporter",
            [
                sys.executable,
                str(Path(__file__).resolve()),
                "exporter",
                str(self.port),
                str(self.values_file),
            ],
            workdir / "exporter.log",
        )

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> Exporter:
        self.process.start()
        self.process.wait_ready(f"http://{self.target}/metrics")
        return self

    def set(self, **values: float) -> None:
        self.values.update(values)
        self._write()

    def set_series(self, series: str, value: float) -> None:
        """A series with labels, e.g. set_series('bench_value{i="3"}', 1.0)."""
        self.values[series] = value
        self._write()

    def _write(self) -> None:
        tmp = self.values_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.values))
        os.replace(tmp, self.values_file)  # atomic: the exporter never reads half a file

    def stop(self) -> None:
        self.process.stop()


class PrometheusServer:
    def __init__(
        self,
        workdir: Path,
        scrape_targets: list[str],
        *,
        alertmanager: str | None = None,
        rules: list[dict[str, Any]] | None = None,
        binary: str | None = None,
    ) -> None:
        self.binary = binary or find_binary(PROMETHEUS_BINARIES)
        if self.binary is None:
            raise FileNotFoundError("prometheus binary not found")
        self.port = free_port()
        self.dir = workdir / f"prometheus-{self.port}"
        self.dir.mkdir(parents=True)
        config: dict[str, Any] = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "scrape_configs": [
                {"job_name": "exporter", "static_configs": [{"targets": scrape_targets}]}
            ],
        }
        if alertmanager:
            config["alerting"] = {
                "alertmanagers": [{"static_configs": [{"targets": [alertmanager]}]}]
            }
        if rules:
            (self.dir / "rules.yml").write_text(
                json.dumps({"groups": [{"name": "cockpit-test", "rules": rules}]})
            )
            config["rule_files"] = [str(self.dir / "rules.yml")]
        (self.dir / "prometheus.yml").write_text(json.dumps(config))
        self.process = Process("prometheus", self._argv(), self.dir / "prometheus.log")

    def _argv(self) -> list[str]:
        return [
            self.binary or "prometheus",
            f"--config.file={self.dir / 'prometheus.yml'}",
            f"--storage.tsdb.path={self.dir / 'data'}",
            f"--web.listen-address=127.0.0.1:{self.port}",
            # default 1m: an alert that fired before Alertmanager was discovered would wait
            "--rules.alert.resend-delay=1s",
            "--log.level=warn",
        ]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> PrometheusServer:
        self.process.start()
        self.process.wait_ready(f"{self.url}/-/ready")
        return self

    def stop(self) -> None:
        self.process.stop()

    def wait_for_value(self, query: str, expected: float, timeout: float = 20.0) -> None:
        """Until an instant query returns `expected` (the exporter was scraped)."""
        deadline = time.monotonic() + timeout
        last: Any = None
        while time.monotonic() < deadline:
            url = f"{self.url}/api/v1/query?" + urllib.parse.urlencode({"query": query})
            last = http_json(url)["data"]["result"]
            if last and float(last[0]["value"][1]) == expected:
                return
            time.sleep(0.2)
        raise RuntimeError(f"{query} never became {expected}: {last}")

    def http_requests(self, handler: str) -> float:
        """prometheus_http_requests_total for one handler, read off its own /metrics."""
        _, body = http_get(f"{self.url}/metrics")
        total = 0.0
        wanted = f'handler="{handler}"'
        for line in body.decode().splitlines():
            if line.startswith("prometheus_http_requests_total{") and wanted in line:
                total += float(line.rsplit(" ", 1)[1])
        return total


class AlertmanagerServer:
    def __init__(self, workdir: Path, *, binary: str | None = None) -> None:
        self.binary = binary or find_binary(ALERTMANAGER_BINARIES)
        if self.binary is None:
            raise FileNotFoundError("alertmanager binary not found")
        self.port = free_port()
        self.dir = workdir / f"alertmanager-{self.port}"
        self.dir.mkdir(parents=True)
        # a receiver named "null" reads as no name in YAML: call it something else
        config = {
            "route": {
                "receiver": "blackhole",
                "group_wait": "1s",
                "group_interval": "1s",
                "repeat_interval": "1h",
            },
            "receivers": [{"name": "blackhole"}],
        }
        (self.dir / "alertmanager.yml").write_text(json.dumps(config))
        self.process = Process(
            "alertmanager",
            [
                self.binary,
                f"--config.file={self.dir / 'alertmanager.yml'}",
                f"--storage.path={self.dir / 'data'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
                "--cluster.listen-address=",  # no gossip: one lonely test instance
                "--log.level=warn",
            ],
            self.dir / "alertmanager.log",
        )

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.target}"

    def start(self) -> AlertmanagerServer:
        self.process.start()
        self.process.wait_ready(f"{self.url}/-/ready")
        return self

    def stop(self) -> None:
        self.process.stop()


class Stack:
    """exporter -> Prometheus (with alert rules) -> Alertmanager, as the tests share it."""

    def __init__(
        self, exporter: Exporter, prometheus: PrometheusServer, alertmanager: AlertmanagerServer
    ) -> None:
        self.exporter = exporter
        self.prometheus = prometheus
        self.alertmanager = alertmanager


@contextlib.contextmanager
def running_stack(
    workdir: Path,
    rules: list[dict[str, Any]],
    values: dict[str, float],
    *,
    prometheus_binary: str,
    alertmanager_binary: str,
) -> Iterator[Stack]:
    """Start exporter -> Prometheus (`rules`) -> Alertmanager in `workdir`, the exporter
    serving `values`; stop whatever started, in reverse, when the block ends."""
    started: list[Exporter | PrometheusServer | AlertmanagerServer] = []
    try:
        exporter = Exporter(workdir)
        exporter.set(**values)
        started.append(exporter.start())
        am = AlertmanagerServer(workdir, binary=alertmanager_binary)
        started.append(am.start())
        prom = PrometheusServer(
            workdir,
            [exporter.target],
            alertmanager=am.target,
            rules=rules,
            binary=prometheus_binary,
        )
        started.append(prom.start())
        yield Stack(exporter, prom, am)
    finally:
        for server in reversed(started):
            server.stop()


# -- the exporter process --------------------------------------------------------------------


def _serve_exporter(port: int, values_file: Path) -> None:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path != "/metrics":
                self.send_error(404)
                return
            try:
                values = json.loads(values_file.read_text() or "{}")
            except (OSError, ValueError):
                values = {}
            lines = []
            for series, value in sorted(values.items()):
                lines.append(f"{series} {float(value)!r}")
            body = ("\n".join(lines) + "\n").encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # one line per scrape per second is noise

    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "exporter":
        _serve_exporter(int(sys.argv[2]), Path(sys.argv[3]))
    else:
        sys.exit("usage: servers.py exporter PORT VALUES.json")
