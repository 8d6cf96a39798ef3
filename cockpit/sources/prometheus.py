"""PromQL panels from Prometheus, through prometheus-api-client (blocking -> worker threads).

Each refresh runs one range query per panel over the last `window_s` seconds, ending now, so
the last point of the series is the value an instant query would return at the same moment
(same 5-minute lookback). All panels run concurrently, bounded by a semaphore, each under a
per-query time budget (the config's `timeout`) that also covers its retries.

Errors stay on the panel that caused them, in Prometheus's own words. Only "Prometheus cannot
be reached at all" (connection refused, DNS, credentials refused, no API at the URL) fails the
whole fetch, so the source goes down and the pane shows how stale its data is.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from typing import TYPE_CHECKING, Any

import msgspec
import requests
from prometheus_api_client import PrometheusConnect
from requests.adapters import HTTPAdapter
from urllib3.util import Retry

from cockpit.model import Panel, PanelSeries, SeriesLine, Snapshot
from cockpit.sources.base import Clock, Source, SourceError
from cockpit.sources.errors import (
    ca_file_problem,
    one_line,
    short_reason,
    timed_out,
    unreachable,
)

if TYPE_CHECKING:
    from cockpit.config import HttpSourceConfig, PrometheusConfig

# Steps a human reads easily on an axis; the first one >= window/points is used.
NICE_STEPS_S = (1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1800, 3600)
DEFAULT_POINTS = 60
MAX_POINTS = 11_000  # Prometheus refuses range queries with more points per series
BASELINE_S = 30 * 60.0  # fetched once at start: the charts open before the impact
HISTORY_S = 6 * 3600.0  # what the terminal chart can show, at most

Point = tuple[float, float | None]
Labelled = tuple[dict[str, str], tuple[Point, ...]]


def choose_step(window_s: float, points: int) -> float:
    """The smallest readable step that fits `window_s` into at most `points` points (>= 1 s)."""
    raw = window_s / max(1, points)
    for step in NICE_STEPS_S:
        if step >= raw:
            return float(step)
    return float(math.ceil(raw / 3600) * 3600)


class _Outcome(msgspec.Struct, frozen=True):
    """What one query produced. kind: ok, rejected (bad PromQL), transient, failed, down."""

    kind: str
    series: tuple[Labelled, ...] = ()  # each series of the result: (labels, samples)
    error: str | None = None
    partial: bool = False
    no_answer: bool = False  # the request timed out without a byte back: a hung server


def _make_client(config: HttpSourceConfig, pool_size: int) -> PrometheusConnect:
    session = requests.Session()
    session.verify = config.ca_file or True
    headers = {"Accept": "application/json"}
    if config.bearer_token:
        headers["Authorization"] = f"Bearer {config.bearer_token}"
    auth = (config.username, config.password or "") if config.username else None
    # No transport-level retries: the library's default retries 5xx for seconds behind our
    # back; retrying is decided per error kind here, within the per-query budget.
    # (read=False re-raises a read timeout as itself, so it is not mistaken for "unreachable")
    retry = Retry(
        total=None, connect=0, read=False, redirect=5, status=0, other=0, raise_on_status=False
    )
    url = config.url.rstrip("/")
    client = PrometheusConnect(
        url=url, headers=headers, auth=auth, session=session, retry=retry, timeout=config.timeout
    )
    # the library mounts a default-sized pool; size it for the concurrency we allow
    session.mount(url, HTTPAdapter(max_retries=retry, pool_maxsize=max(10, pool_size)))
    return client


def classify_response(status: int, content_type: str, body: bytes) -> _Outcome:
    """Turn one HTTP answer of /api/v1/query[_range] into an outcome (pure, unit-tested)."""
    doc: Any = None
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        doc = None
    if isinstance(doc, dict) and doc.get("status") in ("success", "error"):
        if doc["status"] == "success":
            try:
                series = _parse_matrix(doc.get("data") or {})
            except (TypeError, ValueError, KeyError, AttributeError) as exc:
                return _Outcome("failed", error=f"unexpected answer from Prometheus: {exc}")
            return _Outcome("ok", series=series, partial=bool(doc.get("warnings")))
        message = one_line(str(doc.get("error") or doc.get("errorType") or f"HTTP {status}"))
        error_type = str(doc.get("errorType") or "")
        if status in (400, 422) or error_type in ("bad_data", "execution"):
            return _Outcome("rejected", error=message)
        if status == 503 or error_type in ("timeout", "canceled", "unavailable"):
            return _Outcome("transient", error=message)
        return _Outcome("failed", error=message)
    # Not Prometheus JSON: a proxy, a load balancer or a login page answered.
    if status in (401, 403):
        return _Outcome(
            "down",
            error=f"credentials refused (HTTP {status}): set bearer_token or username/password",
        )
    if status == 404:
        return _Outcome("down", error="no Prometheus API there (HTTP 404): check the url")
    if status in (502, 503, 504):
        kind = "transient" if status == 503 else "failed"
        return _Outcome(kind, error=f"unreachable ({status} from proxy)")
    kind_text = content_type.split(";")[0].strip() or "no content type"
    return _Outcome("failed", error=f"not a Prometheus answer (HTTP {status}, {kind_text})")


def _parse_matrix(data: dict[str, Any]) -> tuple[Labelled, ...]:
    """Each series with its labels and samples; the panel decides how to show several."""
    result_type = data.get("resultType")
    result = data.get("result") or []
    if result_type == "scalar":
        result = [{"values": [result]}]
    elif result_type == "vector":
        result = [{"metric": item.get("metric"), "values": [item["value"]]} for item in result]
    elif result_type != "matrix":
        raise ValueError(f"result type {result_type!r}")
    out = []
    for series in result:
        points: list[Point] = []
        for ts, raw in series.get("values") or ():
            value: float | None = float(raw)
            if not math.isfinite(value):  # NaN/Inf cannot be drawn: show a gap, not a spike
                value = None
            points.append((float(ts), value))
        labels = {str(k): str(v) for k, v in (series.get("metric") or {}).items()}
        out.append((labels, tuple(points)))
    return tuple(out)


def panel_series(
    panel: Panel, outcome: _Outcome, start: float, step: float, count: int
) -> PanelSeries:
    """What a panel shows for one answered query (ok or refused), each series on the grid."""
    if outcome.kind == "rejected":
        return PanelSeries(panel, error=outcome.error, query_error=True)
    lines = tuple(
        SeriesLine(labels, fill_gaps(points, start, step, count))
        for labels, points in outcome.series
    )
    return PanelSeries.of_lines(panel, lines, partial=outcome.partial)


def fill_gaps(
    points: tuple[Point, ...], start: float, step: float, count: int
) -> tuple[Point, ...]:
    """One point per step; a step without a sample is None (a gap), never zero."""
    by_ms = {round(ts * 1000): value for ts, value in points}
    out = []
    for k in range(count):
        ts = start + k * step
        out.append((ts, by_ms.get(round(ts * 1000))))
    return tuple(out)


class PrometheusSource(Source):
    name = "prometheus"

    def __init__(
        self,
        config: PrometheusConfig,
        panels: tuple[Panel, ...],
        *,
        clock: Clock = time.time,
        window_s: float = 900,
        baseline_s: float = BASELINE_S,
        max_concurrency: int = 4,
        retries: int = 2,
        backoff_s: float = 0.25,
    ) -> None:
        super().__init__(interval=config.interval, clock=clock)
        self.config = config
        self.panels = tuple(panels)
        self.url = config.url.rstrip("/")
        self.window_s = float(window_s)
        self.timeout = float(config.timeout)
        self.retries = retries
        self.backoff_s = backoff_s
        self.points = DEFAULT_POINTS
        self.requests_sent = 0  # HTTP queries issued, for tests and the benchmark
        self._client = _make_client(config, max_concurrency)
        self._semaphore = asyncio.Semaphore(max(1, max_concurrency))
        # query -> Prometheus's error: bad PromQL stays bad until the config changes
        self._rejected: dict[str, str] = {}
        self._previous: dict[int, PanelSeries] = {}
        self._hung = self._answered = False
        # the first answer reaches `baseline_s` back (a baseline before the impact, recorded
        # as observations for the charts); later polls ask for the pane's window only
        self.baseline_s = float(baseline_s)
        self._baseline_done = False
        # every point seen since the start, per panel title (bounded): the terminal chart's
        # baseline, as the recorded observations are the export's
        self.history: dict[str, dict[float, float | None]] = {}

    # -- knobs ------------------------------------------------------------------------------

    def set_width(self, columns: int) -> None:
        """The pane is `columns` wide: fetch about one point per column next time."""
        self.points = max(2, min(MAX_POINTS, int(columns)))

    @property
    def step(self) -> float:
        return choose_step(self.window_s, self.points)

    def forget_rejections(self) -> None:
        """Query bad PromQL again (after the config was edited)."""
        self._rejected.clear()

    async def close(self) -> None:
        await asyncio.to_thread(self._client.close)

    # -- fetching ---------------------------------------------------------------------------

    async def fetch(self) -> Snapshot:
        problem = ca_file_problem("prometheus", self.config.ca_file)
        if problem is not None:  # else requests fails each query with a traceback-ish OSError
            raise SourceError(problem)
        now = self.clock()
        self._hung = self._answered = False  # this fetch's: any query timed out / answered
        step = self.step
        window = self.window_s if self._baseline_done else max(self.window_s, self.baseline_s)
        count = int(window // step) + 1
        start = now - (count - 1) * step
        jobs = [self._panel(i, p, start, now, step, count) for i, p in enumerate(self.panels)]
        results = await asyncio.gather(*jobs)
        outcomes = [outcome for _, outcome in results if outcome is not None]
        if not outcomes:
            # nothing was asked (no panels, or all rejected): still find out if it is up
            outcomes = [await self._attempt("/api/v1/query", {"query": "1", "time": now})]
        if all(o.kind == "down" for o in outcomes):
            raise SourceError(unreachable("prometheus", self.url, outcomes[0].error or "no answer"))
        hung = sum(1 for o in outcomes if o.no_answer)
        if all(o.no_answer or o.kind == "down" for o in outcomes):
            # connections accepted, nothing answered: as down as a refused connection
            raise SourceError(timed_out("prometheus", self.url, self.timeout))
        # some queries answered: up, but the header and the pane border say how degraded
        self.problem = f"degraded: {hung}/{len(outcomes)} queries timed out" if hung else None
        series = tuple(s for s, _ in results)
        for i, s in enumerate(series):
            self._previous[i] = s
        self._baseline_done = True
        self._remember(series, now)
        return Snapshot(source=self.name, at=now, panels=series)

    def _remember(self, series: tuple[PanelSeries, ...], now: float) -> None:
        oldest = now - HISTORY_S
        for s in series:
            if s.error:
                continue  # kept points of a failed query are not new samples
            points = self.history.setdefault(s.panel.title, {})
            points.update(s.points)
            for t in [t for t in points if t < oldest]:
                del points[t]

    def chart_points(self, title: str) -> tuple[Point, ...]:
        """Everything seen of a panel since the start (baseline included), oldest first."""
        return tuple(sorted(self.history.get(title, {}).items()))

    async def _panel(
        self, index: int, panel: Panel, start: float, end: float, step: float, count: int
    ) -> tuple[PanelSeries, _Outcome | None]:
        rejected = self._rejected.get(panel.query)
        if rejected is not None:
            return PanelSeries(panel, error=rejected, query_error=True), None
        outcome = await self._query_with_retries(
            "/api/v1/query_range",
            {"query": panel.query, "start": f"{start:.3f}", "end": f"{end:.3f}", "step": step},
        )
        if outcome.kind == "ok":
            return panel_series(panel, outcome, start, step, count), outcome
        if outcome.kind == "rejected":
            self._rejected[panel.query] = outcome.error or "rejected by Prometheus"
            return panel_series(panel, outcome, start, step, count), outcome
        # transient trouble: keep showing the last good points next to the error
        previous = self._previous.get(index)
        if previous is None or previous.panel != panel:
            return PanelSeries(panel, error=outcome.error), outcome
        kept = msgspec.structs.replace(previous, error=outcome.error, query_error=False)
        return kept, outcome

    async def _query_with_retries(self, path: str, params: dict[str, Any]) -> _Outcome:
        """503 and Prometheus timeouts are retried with exponential backoff while the
        per-query budget lasts; everything else is final for this refresh."""
        deadline = time.monotonic() + self.timeout
        attempt = 0
        while True:
            budget = deadline - time.monotonic()
            # Prometheus aborts evaluation itself at our budget: its error names the cause
            params = {**params, "timeout": f"{max(0.1, budget):.3f}"}
            outcome = await self._attempt(path, params, budget)
            if outcome.kind != "transient" or attempt >= self.retries:
                return outcome
            pause = self.backoff_s * (2**attempt)
            if time.monotonic() + pause >= deadline:
                return outcome
            await asyncio.sleep(pause)
            attempt += 1

    async def _attempt(
        self, path: str, params: dict[str, Any], budget: float | None = None
    ) -> _Outcome:
        budget = self.timeout if budget is None else max(0.1, budget)
        async with self._semaphore:
            if self._hung and not self._answered:
                # a whole round of queries got no answer and none got one: the server hangs;
                # the queued ones would only double the time until the source reads as down
                error = f"not sent: Prometheus answered nothing within {self.timeout:g}s"
                return _Outcome("transient", error=error, no_answer=True)
            self.requests_sent += 1
            try:
                # the thread cannot be cancelled; requests' own timeout ends it soon after
                status, ctype, body = await asyncio.wait_for(
                    asyncio.to_thread(self._get, path, params, budget), budget + 1.0
                )
            except requests.exceptions.ConnectionError as exc:
                return _Outcome("down", error=short_reason(exc))
            except (requests.exceptions.Timeout, TimeoutError):
                self._hung = True
                error = f"timed out after {budget:.2g}s"
                return _Outcome("transient", error=error, no_answer=True)
            except requests.exceptions.RequestException as exc:
                return _Outcome("failed", error=one_line(f"{type(exc).__name__}: {exc}"))
            self._answered = True
        return classify_response(status, ctype, body)

    def _get(self, path: str, params: dict[str, Any], budget: float) -> tuple[int, str, bytes]:
        """Blocking GET through the PrometheusConnect session (its headers, auth, TLS).

        Not custom_query_range(): it drops "warnings" and folds errors into an exception
        string holding a bytes repr, and both matter for what the panel shows."""
        client = self._client
        response = client._session.request(
            method="GET",
            url=f"{client.url}{path}",
            params=params,
            headers=client.headers,
            auth=client.auth,
            verify=client._session.verify,
            timeout=budget,
        )
        return response.status_code, response.headers.get("Content-Type", ""), response.content
