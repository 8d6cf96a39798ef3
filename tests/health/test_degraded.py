"""Some queries time out, others answer: Prometheus is up but degraded, and says how much
(issue 11 item 1: `degraded: 1/2 queries timed out`), in its health and in the header."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from cockpit.config import PrometheusConfig
from cockpit.model import IncidentState, Panel
from cockpit.panes.status import render_status
from cockpit.sources.prometheus import PrometheusSource


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
        if "slow" in params.get("query", ""):
            time.sleep(3)  # past the cockpit's 1 s timeout: no answer in time
        doc = {"status": "success", "data": {"resultType": "matrix", "result": []}}
        end = float(params.get("end", time.time()))
        doc["data"]["result"] = [{"metric": {}, "values": [[end, "1"]]}]
        body = json.dumps(doc).encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the client gave up

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


async def test_some_queries_timing_out_is_degraded_not_ok(server: str) -> None:
    panels = (Panel("fast", "fast_metric"), Panel("slow", "slow_metric"))
    source = PrometheusSource(PrometheusConfig(url=server, timeout=1.0), panels)
    try:
        await source.refresh()
    finally:
        await source.close()
    assert source.health.up
    assert source.health.error == "degraded: 1/2 queries timed out"
    header = render_status(IncidentState(id="INC-1"), "alice", [source.health], time.time())
    assert "▲ prometheus degraded: 1/2 queries timed out" in header.plain
    assert "● prometheus" not in header.plain
