"""PrometheusSource against a scripted loopback HTTP server: how each failure is shown."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from cockpit.config import PrometheusConfig
from cockpit.model import Panel
from cockpit.sources.base import SourceError
from cockpit.sources.prometheus import PrometheusSource, choose_step

NOW = 1_800_000_000.0
PARSE_ERROR = "1:16: parse error: unclosed left parenthesis"
PROXY_502 = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"

# (status, content type, body) per request; a handler gets the query and how often it was seen
Reply = tuple[int, str, bytes]
Script = Callable[[dict[str, str], int], Reply]


def prom_json(status: int, doc: dict[str, Any]) -> Reply:
    return status, "application/json", json.dumps(doc).encode()


def matrix(params: dict[str, str], value_at: Callable[[float], float | None]) -> dict[str, Any]:
    start, end, step = float(params["start"]), float(params["end"]), float(params["step"])
    values = []
    ts = start
    while ts <= end + 1e-6:
        value = value_at(ts)
        if value is not None:
            values.append([ts, str(value)])
        ts += step
    return {
        "status": "success",
        "data": {"resultType": "matrix", "result": [{"metric": {}, "values": values}]},
    }


def script(params: dict[str, str], seen: int) -> Reply:
    query = params.get("query", "")
    if query == "good":
        return prom_json(200, matrix(params, lambda ts: 7.0))
    if query == "gappy":
        # only every other step has a sample: the others must be gaps, never zeros
        start, step = float(params["start"]), float(params["step"])
        return prom_json(
            200, matrix(params, lambda ts: 1.0 if round((ts - start) / step) % 2 else None)
        )
    if query.startswith("sum(rate("):
        return prom_json(400, {"status": "error", "errorType": "bad_data", "error": PARSE_ERROR})
    if query == "flaky":
        if seen == 1:
            return prom_json(503, {"status": "error", "errorType": "unavailable", "error": "busy"})
        return prom_json(200, matrix(params, lambda ts: 2.0))
    if query == "slow":
        return prom_json(
            503,
            {
                "status": "error",
                "errorType": "timeout",
                "error": "query timed out in query execution",
            },
        )
    if query == "warned":
        doc = matrix(params, lambda ts: 3.0)
        doc["warnings"] = ["PromQL info: metric might not be a counter"]
        return prom_json(200, doc)
    if query == "proxied":
        return 502, "text/html", PROXY_502
    if query == "1":  # the reachability probe
        return prom_json(
            200, {"status": "success", "data": {"resultType": "scalar", "result": [NOW, "1"]}}
        )
    return prom_json(200, matrix(params, lambda ts: None))


class FakePrometheus:
    def __init__(self, handler: Script) -> None:
        self.seen: Counter[str] = Counter()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urllib.parse.urlsplit(self.path)
                params = dict(urllib.parse.parse_qsl(url.query))
                params["_path"] = url.path
                params["_auth"] = self.headers.get("Authorization", "")
                fake.seen[params.get("query", "")] += 1
                status, ctype, body = handler(params, fake.seen[params.get("query", "")])
                fake.last = params
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests): nothing to report

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.last: dict[str, str] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake() -> Iterator[FakePrometheus]:
    server = FakePrometheus(script)
    yield server
    server.close()


def source(url: str, *queries: str, **config: Any) -> PrometheusSource:
    panels = tuple(Panel(title=q, query=q) for q in queries)
    return PrometheusSource(
        PrometheusConfig(url=url, **config), panels, clock=lambda: NOW, backoff_s=0.01
    )


def by_title(snapshot: Any) -> dict[str, Any]:
    return {s.panel.title: s for s in snapshot.panels}


async def test_good_panel_has_one_point_per_step_and_latest_value(fake: FakePrometheus) -> None:
    src = source(fake.url, "good")
    snap = await src.fetch()
    (series,) = snap.panels
    assert series.error is None and not series.partial
    assert series.latest == 7.0
    # the first fetch reaches back 30 min (the charts' baseline), at the default 15 s step
    assert len(series.points) == 121 and series.points[-1][0] == NOW
    (series,) = (await src.fetch()).panels
    assert len(series.points) == 61  # then 15 min, both ends included
    assert series.points[-1][0] == NOW
    assert fake.last["_path"] == "/api/v1/query_range"
    assert float(fake.last["step"]) == 15.0


async def test_missing_steps_are_gaps_not_zeros(fake: FakePrometheus) -> None:
    series = (await source(fake.url, "gappy").fetch()).panels[0]
    values = [v for _, v in series.points]
    assert values[0] is None and values[1] == 1.0 and values[2] is None
    assert 0.0 not in values


async def test_bad_promql_shows_prometheus_error_and_is_not_sent_again(
    fake: FakePrometheus,
) -> None:
    src = source(fake.url, "sum(rate(x[1m])", "good")
    for _ in range(3):
        panels = by_title(await src.fetch())
        assert panels["sum(rate(x[1m])"].error == PARSE_ERROR
        assert panels["sum(rate(x[1m])"].points == ()
        assert panels["good"].latest == 7.0
    assert fake.seen["sum(rate(x[1m])"] == 1
    assert fake.seen["good"] == 3
    src.forget_rejections()  # the config was edited: ask again
    await src.fetch()
    assert fake.seen["sum(rate(x[1m])"] == 2


async def test_503_is_retried_within_the_refresh(fake: FakePrometheus) -> None:
    series = (await source(fake.url, "flaky").fetch()).panels[0]
    assert series.error is None
    assert series.latest == 2.0
    assert fake.seen["flaky"] == 2


async def test_prometheus_timeout_is_retried_with_backoff_then_shown(fake: FakePrometheus) -> None:
    src = source(fake.url, "slow", "good")
    panels = by_title(await src.fetch())
    assert panels["slow"].error == "query timed out in query execution"
    assert fake.seen["slow"] == 3  # first try + 2 retries
    assert panels["good"].latest == 7.0
    await src.fetch()  # transient: the next refresh asks again
    assert fake.seen["slow"] == 6


async def test_warnings_mark_the_panel_partial(fake: FakePrometheus) -> None:
    series = (await source(fake.url, "warned").fetch()).panels[0]
    assert series.partial is True
    assert series.error is None
    assert series.latest == 3.0


async def test_html_502_from_a_proxy_is_a_panel_error(fake: FakePrometheus) -> None:
    src = source(fake.url, "proxied", "good")
    panels = by_title(await src.fetch())
    assert panels["proxied"].error == "unreachable (502 from proxy)"
    assert panels["good"].latest == 7.0


async def test_all_panels_behind_a_dead_proxy_keep_the_source_reporting(
    fake: FakePrometheus,
) -> None:
    src = source(fake.url, "proxied")
    await src.refresh()
    assert src.health.up is True  # Prometheus answered through something: a panel error
    assert src.latest is not None
    assert src.latest.panels[0].error == "unreachable (502 from proxy)"


async def test_connection_refused_takes_the_source_down() -> None:
    server = FakePrometheus(script)
    url = server.url
    server.close()
    src = source(url, "good")
    with pytest.raises(SourceError, match=r"^prometheus unreachable at http://127\.0\.0\.1:\d+: "):
        await src.fetch()


async def test_dns_failure_takes_the_source_down() -> None:
    src = source("http://no-such-host.invalid:9090", "good")
    with pytest.raises(
        SourceError, match=r"prometheus unreachable at http://no-such-host\.invalid"
    ):
        await src.fetch()


async def test_transient_error_keeps_previous_points() -> None:
    calls = {"n": 0}

    def flips(params: dict[str, str], seen: int) -> Reply:
        calls["n"] += 1
        if calls["n"] == 1:
            return prom_json(200, matrix(params, lambda ts: 4.0))
        return 502, "text/html", PROXY_502

    server = FakePrometheus(flips)
    try:
        src = source(server.url, "q")
        assert (await src.fetch()).panels[0].latest == 4.0
        series = (await src.fetch()).panels[0]
        assert series.error == "unreachable (502 from proxy)"
        assert series.latest == 4.0  # the last good data stays visible next to the error
    finally:
        server.close()


async def test_bearer_token_and_basic_auth_are_sent(fake: FakePrometheus) -> None:
    await source(fake.url, "good", bearer_token="s3cret").fetch()
    assert fake.last["_auth"] == "Bearer s3cret"
    await source(fake.url, "good", username="ops", password="pw").fetch()
    assert fake.last["_auth"].startswith("Basic ")


async def test_unauthorized_takes_the_source_down() -> None:
    server = FakePrometheus(lambda params, seen: (401, "text/plain", b"Unauthorized"))
    try:
        with pytest.raises(SourceError, match="credentials refused"):
            await source(server.url, "good").fetch()
    finally:
        server.close()


async def test_a_slow_query_times_out_on_its_panel_only() -> None:
    def sleepy(params: dict[str, str], seen: int) -> Reply:
        if params.get("query") == "sleepy":
            time.sleep(1.0)
        return prom_json(200, matrix(params, lambda ts: 5.0))

    server = FakePrometheus(sleepy)
    try:
        src = source(server.url, "sleepy", "good", timeout=0.3)
        started = time.monotonic()
        panels = by_title(await src.fetch())
        assert time.monotonic() - started < 0.9  # the budget, not the server, decides
        assert panels["sleepy"].error == "timed out after 0.3s"
        assert panels["good"].latest == 5.0
        assert server.seen["sleepy"] == 1  # the budget was spent: no retry in this refresh
    finally:
        server.close()


async def test_no_panels_still_probes_reachability(fake: FakePrometheus) -> None:
    src = source(fake.url)
    snap = await src.fetch()
    assert snap.panels == ()
    assert fake.seen["1"] == 1


def test_step_follows_the_pane_width() -> None:
    src = source("http://127.0.0.1:1")
    assert src.step == 15.0  # 60 points by default
    src.set_width(200)
    assert src.step == 5.0
    src.set_width(10_000)
    assert src.step == 1.0  # never below one second
    assert choose_step(900, 7) == 300.0
    assert choose_step(86_400 * 7, 10) == 61_200.0
