"""Secrets planted in real Prometheus alert rules never reach the journal file or an export.

A real exporter -> Prometheus (alert rule whose labels and annotations hold secrets) ->
Alertmanager chain feeds a live cockpit. Afterwards the journal file is read three ways: its
raw bytes (main file and WAL), every table through sqlite3 with observation bodies inflated,
and the md, jsonl and html exports. None may contain a planted secret, and the redaction
markers must be there (the secrets did flow in; the test is not vacuous). Issue 16, item 2.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from servers import AlertmanagerServer, PrometheusServer, running_stack

from cockpit.app import CockpitApp
from cockpit.config import load_config
from cockpit.journal.codec import decode
from cockpit.journal.export import FORMATS, render
from cockpit.journal.projection import load_state
from cockpit.journal.store import Journal
from cockpit.session import Session
from cockpit.sources.factory import build_sources
from tests.tui.harness import journal_of

pytestmark = pytest.mark.integration

INCIDENT = "INC-SECRETS"
# assembled from pieces so that secret scanners do not flag this file
AM_PASSWORD = "PlantedAm" + "Pw42"
DSN_PASSWORD = "PlantedDsn" + "Pw77"
HOOK_SECRET = "PlantedHook" + "SecretValue123"
LABEL_TOKEN = "ghp_" + "Pl4nt3dL4b3lT0k3nAbCdEfGhIjKlMnOpQrSt"
SECRETS = (AM_PASSWORD, DSN_PASSWORD, HOOK_SECRET, LABEL_TOKEN)

RULES = [
    {
        "alert": "OrdersDBDown",
        "expr": "cockpit_alert_value > 5",
        "for": "0s",
        "labels": {
            "severity": "critical",
            "team": "sre",
            "api_token_hint": LABEL_TOKEN,  # a label value with a token
            "notify": "https://hooks.slack.com/services/T0PLANT01/B0PLANT02/" + HOOK_SECRET,
        },
        "annotations": {
            "summary": f"orders db down: login with password={AM_PASSWORD}",
            "description": f"dsn postgres://orders:{DSN_PASSWORD}@db.internal:5432/orders",
        },
    }
]


@pytest.fixture(scope="module")
def planted(
    tmp_path_factory: pytest.TempPathFactory, prometheus_binary: str, alertmanager_binary: str
) -> Iterator[tuple[PrometheusServer, AlertmanagerServer]]:
    workdir = tmp_path_factory.mktemp("planted")
    with running_stack(
        workdir,
        RULES,
        {"cockpit_test_value": 2.5, "cockpit_alert_value": 10},
        prometheus_binary=prometheus_binary,
        alertmanager_binary=alertmanager_binary,
    ) as stack:
        yield stack.prometheus, stack.alertmanager


def _config(path: Path, prom: PrometheusServer, am: AlertmanagerServer) -> Path:
    path.write_text(
        "\n".join(
            [
                "[prometheus]",
                f'url = "{prom.url}"',
                "interval = 1",
                "[alertmanager]",
                f'url = "{am.url}"',
                "interval = 1",
                "[[panels]]",
                'title = "test value"',
                'query = "cockpit_test_value"',
                'unit = "x"',
            ]
        )
        + "\n"
    )
    return path


def _screen(app: CockpitApp) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def _until(predicate: Any, timeout: float = 40.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.1)


def _tables(path: Path) -> str:
    """Every table of the journal as text, observation bodies inflated (read via sqlite3,
    which also reads what is still only in the WAL)."""
    conn = sqlite3.connect(path)
    try:
        parts = [repr(row) for row in conn.execute("SELECT * FROM events")]
        parts += [repr(row) for row in conn.execute("SELECT * FROM snapshots")]
        for row in conn.execute(
            "SELECT incident, ts, source, kind, digest, body FROM observations"
        ):
            parts.append(repr(row[:5]) + repr(decode(row[5])))
    finally:
        conn.close()
    return "\n".join(parts)


def _raw(path: Path) -> bytes:
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


async def test_planted_secrets_reach_neither_the_journal_nor_an_export(
    planted: tuple[PrometheusServer, AlertmanagerServer], tmp_path: Path
) -> None:
    prom, am = planted
    prom.wait_for_value("cockpit_test_value", 2.5)
    config = load_config(_config(tmp_path / "c.toml", prom, am))
    journal_path = tmp_path / "j.sqlite"
    app = CockpitApp(
        Session(
            journal=None,
            journal_path=journal_path,
            incident=INCIDENT,
            operator="alice",
            sources=build_sources(config),
            panels=config.panels,
            viewers=None,
        )
    )
    async with app.run_test(size=(160, 48)) as pilot:
        await _until(lambda: "OrdersDBDown" in _screen(app))
        journal = await journal_of(app)

        async def journaled(kind: str) -> bool:
            return any(e.kind == kind for e in await journal.events(INCIDENT))

        while not await journaled("system.alert.firing"):
            await asyncio.sleep(0.2)
        await pilot.press("1", "p")  # pin the alert: its labels are copied into the event
        for _ in range(100):
            if await journaled("evidence.pinned"):
                break
            await asyncio.sleep(0.1)
        # the recorder stores the alerts for replay
        for _ in range(100):
            if any(r[3] == "alerts" for r in await journal.observations(INCIDENT)):
                break
            await asyncio.sleep(0.1)
        # the timeline says which entries lost a secret (data._redacted)
        await _until(lambda: "[secrets redacted]" in _screen(app))
        # while the app runs the latest writes may still be in the WAL only
        raw_live = _raw(journal_path)
        await pilot.press("q")

    # a snapshot, as a later start writes one once enough events were folded
    async with await Journal.open(journal_path, create=False) as journal:
        await load_state(journal, INCIDENT, snapshot_every=0)
    tables = _tables(journal_path)
    raw = raw_live + _raw(journal_path)
    # the secrets did flow in and were redacted where they landed
    assert "system.alert.firing" in tables and "evidence.pinned" in tables
    assert "OrdersDBDown" in tables and "[REDACTED:credential]" in tables
    for marker in ("github_token", "slack_webhook", "url_credentials"):
        assert f"[REDACTED:{marker}]" in tables, marker
    assert "'alerts'" in tables  # an alerts observation row was read back
    conn = sqlite3.connect(journal_path)
    (snapshots,) = conn.execute("SELECT count(*) FROM snapshots").fetchone()
    conn.close()
    assert snapshots >= 1
    async with await Journal.open(journal_path, create=False) as journal:
        exports = {fmt: await render(journal, INCIDENT, fmt) for fmt in FORMATS}
    for secret in SECRETS:
        assert secret not in tables, secret
        assert secret.encode() not in raw, secret
        for fmt, text in exports.items():
            assert secret not in text, (fmt, secret)
    assert "OrdersDBDown" in exports["md"]
