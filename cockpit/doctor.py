"""`cockpit doctor`: one row per check, through the same sources the cockpit uses."""

from __future__ import annotations

from typing import Any

from cockpit.config import Config
from cockpit.sources.base import SourceError
from cockpit.sources.errors import one_line
from cockpit.sources.factory import no_source_message

Row = tuple[str, bool, str]


def nothing_to_check(config: Config) -> str | None:
    """The configuration error that stops `cockpit doctor` before any check (exit 2), in the
    live run's words; None when at least one source is configured."""
    return None if config.configured() or config.team else no_source_message(config)


async def _prometheus_rows(config: Config) -> list[Row]:
    from cockpit.sources.prometheus import PrometheusSource

    assert config.prometheus is not None
    source = PrometheusSource(config.prometheus, config.panels)
    try:
        snap = await source.fetch()
    except SourceError as exc:
        return [("prometheus: reachable", False, str(exc))]
    finally:
        await source.close()
    rows: list[Row] = [("prometheus: reachable", True, config.prometheus.url)]
    for series in snap.panels or ():
        title = f"panel {series.panel.title!r}"
        if series.error:
            kind = "query error: " if series.query_error else ""
            rows.append((title, False, f"{kind}{series.error}"))
        elif series.no_series:
            # valid, and maybe right (no errors to count): said, not failed
            hint = series.panel.metric_hint
            where = f": is {hint} exported?" if hint else ""
            rows.append((title, True, f"valid PromQL, no series{where}"))
        else:
            count = f", {series.series_count} series" if series.series_count > 1 else ""
            partial = " (partial)" if series.partial else ""
            rows.append((title, True, f"valid PromQL{count}{partial}"))
    if not config.panels:
        rows.append(("panels", False, "no [[panels]] configured: add title and query"))
    return rows


async def _alert_rows(config: Config) -> list[Row]:
    from cockpit.sources.alerts import make_alert_source

    source = make_alert_source(config.prometheus, config.alertmanager)
    if source is None:
        return []
    name = "alertmanager" if config.alertmanager is not None else "alerts (from prometheus)"
    try:
        snap = await source.fetch()
    except SourceError as exc:
        return [(f"{name}: reachable", False, str(exc))]
    finally:
        await source.close()
    rows: list[Row] = [(f"{name}: reachable", True, f"{len(snap.alerts or ())} active alerts")]
    if config.alertmanager is None:
        rows.append(("silencing", False, "needs Alertmanager: set [alertmanager] url"))
    return rows


async def _kubernetes_rows(config: Config) -> list[Row]:
    from cockpit.sources.kubernetes import KubernetesSource

    assert config.kubernetes is not None
    source = KubernetesSource(config.kubernetes)
    try:
        return [(c, bool(ok), d) for c, ok, d in await source.doctor_checks()]
    finally:
        await source.close()


async def _team_rows(config: Config, notes: list[str]) -> list[Row]:
    """`team: reachable`, `team: schema`, `team: privileges` of the team journal."""
    from cockpit.journal import postgres
    from cockpit.journal.errors import JournalError
    from cockpit.journal.pgurl import masked

    assert config.team is not None
    url = config.team.url
    try:
        conn = await postgres.connect(url, autocommit=True)
    except JournalError as exc:
        return [("team: reachable", False, str(exc))]
    try:
        cur = await conn.execute("SELECT session_user, current_setting('server_version')")
        role, version = await cur.fetchone() or ("?", "?")
        rows: list[Row] = [
            ("team: reachable", True, f"{masked(url)} (PostgreSQL {version}, role {role})")
        ]
        cur = await conn.execute("SELECT to_regclass('cockpit_meta') IS NOT NULL")
        has_meta = bool((await cur.fetchone() or (False,))[0])
        current = None
        if has_meta:
            cur = await conn.execute("SELECT value FROM cockpit_meta WHERE key = 'schema'")
            found = await cur.fetchone()
            current = int(found[0]) if found else None
        if current == postgres.SCHEMA_VERSION:
            rows.append(("team: schema", True, f"version {current}"))
        elif current is not None and current > postgres.SCHEMA_VERSION:
            rows.append(("team: schema", False, f"version {current} is newer: upgrade cockpit"))
            return rows
        else:
            cur = await conn.execute(
                "SELECT has_database_privilege(current_database(), 'CREATE')"
                " AND has_schema_privilege('public', 'CREATE')"
            )
            may = bool((await cur.fetchone() or (False,))[0])
            target = postgres.SCHEMA_VERSION
            if may and current:
                rows.append(
                    (
                        "team: schema",
                        True,
                        f"version {current}: cockpit upgrades it to {target} on first use",
                    )
                )
            elif may:
                rows.append(("team: schema", True, "none yet: cockpit creates it on first use"))
            elif current:
                # events sync on the older schema; what the newer one adds (the checkpoints
                # witness) waits for this upgrade
                rows.append(
                    (
                        "team: schema",
                        False,
                        f"version {current}, this cockpit uses"
                        f" {target}: an admin runs the upgrade SQL below",
                    )
                )
                notes.append(
                    f"-- upgrade of the team journal's schema from version {current} to"
                    f" {target}, for an admin to run (role {role}):\n"
                    + postgres.schema_sql(str(role), current)
                )
            else:
                rows.append(("team: schema", False, "missing: an admin runs the SQL below"))
                notes.append(
                    f"-- the team journal's schema, for an admin to run (role {role}):\n"
                    + postgres.schema_sql(str(role))
                )
            if not current:
                return rows
        cur = await conn.execute(
            "SELECT has_table_privilege('events', 'INSERT'),"
            " has_table_privilege('events', 'UPDATE'), has_table_privilege('events', 'DELETE'),"
            " EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'events_append_only'"
            " AND tgenabled <> 'D')"
        )
        insert, update, delete, trigger = await cur.fetchone() or (False, True, True, False)
        if not insert:
            rows.append(("team: privileges", False, f"role {role} may not INSERT into events"))
        elif not trigger:
            rows.append(
                ("team: privileges", False, "the append-only trigger is missing or disabled")
            )
        elif update or delete:
            rows.append(
                (
                    "team: privileges",
                    True,
                    "INSERT allowed; UPDATE/DELETE refused by the trigger only: grant less"
                    " (README: a least-privilege role)",
                )
            )
        else:
            rows.append(("team: privileges", True, "INSERT allowed, UPDATE/DELETE refused"))
        return rows
    finally:
        await conn.close()


async def _guarded(check: str, rows: Any) -> list[Row]:
    """A check that fails in a way nobody foresaw is still one FAIL row, not a traceback."""
    try:
        return list(await rows)
    except Exception as exc:
        return [(check, False, one_line(f"{type(exc).__name__}: {exc}", 200))]


async def run_checks(config: Config, notes: list[str] | None = None) -> list[Row]:
    rows: list[Row] = [("config", True, str(config.path or "defaults and environment"))]
    if config.prometheus is not None:
        rows += await _guarded("prometheus: reachable", _prometheus_rows(config))
    rows += await _guarded("alerts: reachable", _alert_rows(config))
    if config.kubernetes is not None:
        rows += await _guarded("kubernetes: config", _kubernetes_rows(config))
    if config.team is not None:
        rows += await _guarded(
            "team: reachable", _team_rows(config, [] if notes is None else notes)
        )
    return rows


def render(rows: list[Row]) -> str:
    width = max(len(check) for check, _, _ in rows)
    lines = [f"{'CHECK'.ljust(width)}  OK    DETAIL"]
    for check, ok, detail in rows:
        lines.append(
            f"{check.ljust(width)}  {'ok  ' if ok else 'FAIL'}  {' '.join(detail.split())}"
        )
    return "\n".join(lines)


def summary(rows: list[Any]) -> str:
    failed = sum(1 for _, ok, _ in rows if not ok)
    return f"{failed} of {len(rows)} checks failed" if failed else f"all {len(rows)} checks passed"
