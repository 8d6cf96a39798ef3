"""Alerts from Alertmanager's v2 API via httpx: list, silence, extend, expire.

Without an Alertmanager, `PrometheusAlertsSource` lists Prometheus's own alerts (firing and
pending) so the alerts pane still works; it cannot silence. `make_alert_source` picks one.
Label values and annotations are untrusted text: they are kept as plain data here and the UI
renders them without markup.
"""

from __future__ import annotations

import hashlib
import json
import re
import ssl
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx
from msgspec.structs import replace

from cockpit.model import Alert, Silence, Snapshot, format_ts, parse_ts
from cockpit.sources.base import NO_ALERTMANAGER, ActionError, Clock, Source, SourceError
from cockpit.sources.errors import server_message, short_reason, timed_out, unreachable

if TYPE_CHECKING:
    from cockpit.config import AlertmanagerConfig, HttpSourceConfig, PrometheusConfig

_STATE_ORDER = {"firing": 0, "pending": 1, "silenced": 2, "inhibited": 3}


def _iso(text: Any) -> str:
    """Any RFC 3339 time (Go writes up to nanoseconds) as the cockpit's UTC ISO with ms."""
    raw = str(text or "")
    trimmed = re.sub(r"(\.\d{6})\d+", r"\1", raw)  # Python parses at most microseconds
    try:
        return format_ts(parse_ts(trimmed))
    except ValueError:
        return raw


def _server_message(response: httpx.Response) -> str:
    """What the server said, in its words (see errors.server_message)."""
    return server_message(
        response.content,
        status=response.status_code,
        content_type=response.headers.get("content-type", ""),
    )


class _HttpSource(Source):
    """A polling source over one httpx.AsyncClient built from an HttpSourceConfig."""

    service = "server"

    def __init__(
        self,
        config: HttpSourceConfig,
        *,
        clock: Clock = time.time,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(interval=config.interval, clock=clock)
        self.config = config
        self.url = config.url.rstrip("/")
        self._transport = transport  # tests inject httpx.MockTransport
        self._http: httpx.AsyncClient | None = None

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            config = self.config
            verify: ssl.SSLContext | bool = True
            if config.ca_file:
                try:
                    verify = ssl.create_default_context(cafile=config.ca_file)
                except (OSError, ssl.SSLError) as exc:
                    raise SourceError(
                        f"{self.service}: cannot use ca_file {config.ca_file}: {exc}"
                    ) from None
            headers = {"Accept": "application/json"}
            if config.bearer_token:
                headers["Authorization"] = f"Bearer {config.bearer_token}"
            auth = (
                httpx.BasicAuth(config.username, config.password or "") if config.username else None
            )
            self._http = httpx.AsyncClient(
                base_url=self.url,
                headers=headers,
                auth=auth,
                verify=verify,
                timeout=config.timeout,
                transport=self._transport,
            )
        return self._http

    async def close(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    def _transport_problem(self, exc: httpx.TransportError) -> str:
        """One line for a request that never got an answer (polls and actions alike)."""
        if isinstance(exc, httpx.TimeoutException):
            return timed_out(self.service, self.url, self.config.timeout)
        return unreachable(self.service, self.url, short_reason(exc))

    async def _get_json(self, path: str, params: dict[str, str] | None = None) -> Any:
        """GET for the poll loop: every failure is a SourceError with a one-line cause."""
        try:
            response = await self._client().get(path, params=params)
        except httpx.TransportError as exc:
            raise SourceError(self._transport_problem(exc)) from None
        if response.status_code in (401, 403):
            raise SourceError(
                f"{self.service} refused the credentials at {self.url} "
                f"(HTTP {response.status_code}): set bearer_token or username/password"
            )
        if response.status_code != 200:
            raise SourceError(
                f"{self.service} at {self.url} answered HTTP {response.status_code}: "
                f"{_server_message(response)}"
            )
        try:
            return response.json()
        except ValueError:
            raise SourceError(
                f"no {self.service} API at {self.url} (not JSON): check the url"
            ) from None


class AlertmanagerSource(_HttpSource):
    """Active, silenced and inhibited alerts; silences through the same API."""

    name = "alertmanager"
    service = "alertmanager"

    async def fetch(self) -> Snapshot:
        now = self.clock()
        params = {"active": "true", "silenced": "true", "inhibited": "true"}
        doc = await self._get_json("/api/v2/alerts", params)
        if not isinstance(doc, list):
            raise SourceError(f"no Alertmanager v2 API at {self.url}: check the url")
        alerts = [parse_alertmanager_alert(item) for item in doc if isinstance(item, dict)]
        if any(a.silenced_by for a in alerts):
            # the row shows until when an alert stays muted: the silences say it
            ends = {s.id: s.ends_at for s in await self._silences_or_none() or ()}
            alerts = [_with_silence_end(a, ends) for a in alerts]
        return Snapshot(source=self.name, at=now, alerts=_sorted(alerts))

    async def _silences_or_none(self) -> list[Silence] | None:
        try:
            return await self.silences()
        except SourceError:
            return None  # the alerts still show; the end time waits for the next poll

    async def silences(self) -> list[Silence]:
        """Active and pending silences (expired ones are history, not cover)."""
        doc = await self._get_json("/api/v2/silences")
        if not isinstance(doc, list):
            raise SourceError(f"no Alertmanager v2 silences API at {self.url}: check the url")
        parsed = [parse_silence(item) for item in doc if isinstance(item, dict)]
        return [s for s in parsed if s is not None and s.state != "expired"]

    async def active_silences(self) -> list[Silence]:
        """For an action: the silences now, or an ActionError saying why not."""
        try:
            return await self.silences()
        except SourceError as exc:
            raise ActionError(str(exc)) from None

    async def silence(
        self,
        alert: Alert,
        duration_s: int,
        comment: str,
        author: str,
        matchers: dict[str, str] | None = None,
    ) -> str:
        """Create a silence; `matchers` (default: every label of the alert) are exact."""
        if duration_s <= 0:
            raise ActionError("a silence needs a positive duration")
        chosen = alert.labels if matchers is None else matchers
        if not chosen:
            raise ActionError("this alert has no labels to match: silence it in Alertmanager")
        now = self.clock()
        body = {
            # exact matchers: the silence covers this alert and nothing wider than asked
            "matchers": [
                {"name": name, "value": value, "isRegex": False, "isEqual": True}
                for name, value in sorted(chosen.items())
            ],
            "startsAt": format_ts(datetime.fromtimestamp(now, UTC)),
            "endsAt": format_ts(datetime.fromtimestamp(now + duration_s, UTC)),
            "createdBy": author,
            "comment": comment,
        }
        return await self._post_silence(body, "the silence")

    async def extend_silence(self, silence: Silence, ends_at: float, author: str) -> str:
        """Move an active silence's end (POST with its id, as amtool's `silence update`);
        Alertmanager keeps the id unless it had to replace the silence."""
        body = {
            "id": silence.id,
            "matchers": [
                {"name": n, "value": v, "isRegex": r, "isEqual": e}
                for n, v, r, e in silence.matchers
            ],
            "startsAt": silence.starts_at,
            "endsAt": format_ts(datetime.fromtimestamp(ends_at, UTC)),
            "createdBy": author,
            "comment": silence.comment,
        }
        return await self._post_silence(body, f"to extend silence {silence.id}")

    async def _post_silence(self, body: dict[str, Any], what: str) -> str:
        response = await self._act("post", "/api/v2/silences", what, json=body)
        try:
            silence_id = response.json()["silenceID"]
        except (ValueError, KeyError, TypeError):
            raise ActionError(
                f"alertmanager answered the silence without an id: {_server_message(response)}"
            ) from None
        return str(silence_id)

    async def expire_silence(self, silence_id: str) -> None:
        await self._act(
            "delete", f"/api/v2/silence/{silence_id}", f"to expire silence {silence_id}"
        )

    async def _act(self, method: str, path: str, what: str, **kwargs: Any) -> httpx.Response:
        try:
            response = await self._client().request(method.upper(), path, **kwargs)
        except SourceError as exc:  # bad ca_file
            raise ActionError(str(exc)) from None
        except httpx.TransportError as exc:
            raise ActionError(self._transport_problem(exc)) from None
        if response.status_code >= 300:
            raise ActionError(f"alertmanager refused {what}: {_server_message(response)}")
        return response


class PrometheusAlertsSource(_HttpSource):
    """Prometheus's /api/v1/alerts, when no Alertmanager is configured: list only."""

    name = "alerts"
    service = "prometheus"
    can_silence = False  # `x` says so before asking for a duration

    async def fetch(self) -> Snapshot:
        now = self.clock()
        doc = await self._get_json("/api/v1/alerts")
        if not isinstance(doc, dict) or doc.get("status") != "success":
            raise SourceError(f"no Prometheus alerts API at {self.url}: check the url")
        items = (doc.get("data") or {}).get("alerts") or []
        alerts = [parse_prometheus_alert(item) for item in items if isinstance(item, dict)]
        return Snapshot(
            source=self.name, at=now, alerts=_sorted([a for a in alerts if a is not None])
        )

    async def silence(
        self,
        alert: Alert,
        duration_s: int,
        comment: str,
        author: str,
        matchers: dict[str, str] | None = None,
    ) -> str:
        raise ActionError(NO_ALERTMANAGER)

    async def active_silences(self) -> list[Silence]:
        raise ActionError(NO_ALERTMANAGER)

    async def extend_silence(self, silence: Silence, ends_at: float, author: str) -> str:
        raise ActionError(NO_ALERTMANAGER)

    async def expire_silence(self, silence_id: str) -> None:
        raise ActionError(NO_ALERTMANAGER)


def _labels(raw: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in (raw or {}).items()} if isinstance(raw, dict) else {}


def parse_alertmanager_alert(item: dict[str, Any]) -> Alert:
    labels = _labels(item.get("labels"))
    status = item.get("status") or {}
    silenced_by = tuple(str(s) for s in status.get("silencedBy") or ())
    inhibited_by = status.get("inhibitedBy") or ()
    state = "firing"  # "active", and "unprocessed" (just received, not yet routed)
    if status.get("state") == "suppressed":
        # muted by a silence, an inhibition, or (no id given) a mute time interval
        state = "inhibited" if inhibited_by and not silenced_by else "silenced"
    return Alert(
        fingerprint=str(item.get("fingerprint") or _fingerprint(labels)),
        name=labels.get("alertname", ""),
        severity=labels.get("severity", ""),
        state=state,
        labels=labels,
        annotations=_labels(item.get("annotations")),
        starts_at=_iso(item.get("startsAt")),
        silenced_by=silenced_by,
        generator_url=str(item.get("generatorURL") or ""),
    )


def parse_silence(item: dict[str, Any]) -> Silence | None:
    """One /api/v2/silences entry, or None when it has no id (untrusted input)."""
    if not item.get("id"):
        return None
    matchers = tuple(
        (
            str(m.get("name", "")),
            str(m.get("value", "")),
            bool(m.get("isRegex", False)),
            bool(m.get("isEqual", True)),
        )
        for m in item.get("matchers") or ()
        if isinstance(m, dict)
    )
    status = item.get("status") or {}
    return Silence(
        id=str(item["id"]),
        matchers=matchers,
        starts_at=_iso(item.get("startsAt")),
        ends_at=_iso(item.get("endsAt")),
        created_by=str(item.get("createdBy") or ""),
        comment=str(item.get("comment") or ""),
        state=str(status.get("state") or "active") if isinstance(status, dict) else "active",
    )


def _with_silence_end(alert: Alert, ends: dict[str, str]) -> Alert:
    known = [ends[s] for s in alert.silenced_by if s in ends]
    if not known:
        return alert
    return replace(alert, silence_ends=max(known))


def parse_prometheus_alert(item: dict[str, Any]) -> Alert | None:
    state = str(item.get("state") or "")
    if state not in ("firing", "pending"):
        return None  # "inactive" alerts are not news
    labels = _labels(item.get("labels"))
    return Alert(
        fingerprint=_fingerprint(labels),
        name=labels.get("alertname", ""),
        severity=labels.get("severity", ""),
        state=state,
        labels=labels,
        annotations=_labels(item.get("annotations")),
        starts_at=_iso(item.get("activeAt")),
    )


def _fingerprint(labels: dict[str, str]) -> str:
    """Stable identity from the label set (what Alertmanager's fingerprint also hashes)."""
    canonical = json.dumps(labels, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _sorted(alerts: list[Alert]) -> tuple[Alert, ...]:
    # firing first, newest first within a state: a stable order the pane can keep
    by_time = sorted(alerts, key=lambda a: (a.starts_at, a.fingerprint), reverse=True)
    return tuple(sorted(by_time, key=lambda a: _STATE_ORDER.get(a.state, 9)))


def make_alert_source(
    prom: PrometheusConfig | None,
    am: AlertmanagerConfig | None,
    clock: Clock = time.time,
) -> Source | None:
    """Alertmanager when configured, else Prometheus's own alerts, else nothing."""
    if am is not None:
        return AlertmanagerSource(am, clock=clock)
    if prom is not None:
        return PrometheusAlertsSource(prom, clock=clock)
    return None
