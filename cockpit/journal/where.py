"""The WHERE clauses both stores read with (SQLite `?`, PostgreSQL `%s`): one definition of
which events a range means and which observations a filter keeps, so the team store can never
read a different slice than the local one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def event_range(
    mark: str, incident: str | None, after_seq: int, until_seq: int | None, after_version: int
) -> tuple[str, list[Any]]:
    """`seq > after_seq` [and the incident [, versions after after_version]] [and
    `seq <= until_seq`], with `mark` as the placeholder."""
    sql = f"seq > {mark}"
    args: list[Any] = [after_seq]
    if incident is not None:
        sql += f" AND incident = {mark}"
        args.append(incident)
        if after_version:
            # in the WHERE clause: the (incident, version) index skips what a snapshot already
            # folded, instead of reading and decoding it
            sql += f" AND version > {mark}"
            args.append(after_version)
    elif after_version:
        raise ValueError("after_version counts within one incident: name the incident")
    if until_seq is not None:
        sql += f" AND seq <= {mark}"
        args.append(until_seq)
    return sql, args


def observation_filter(
    mark: str,
    incident: str,
    until_ts: str | None,
    source: str | None,
    kinds: Sequence[str] | None,
) -> tuple[str, list[Any]]:
    """An incident's observations [of one source] [up to until_ts] [of these kinds]."""
    sql = f"incident = {mark}"
    args: list[Any] = [incident]
    if source is not None:
        sql += f" AND source = {mark}"
        args.append(source)
    if until_ts is not None:
        sql += f" AND ts <= {mark}"
        args.append(until_ts)
    if kinds:
        sql += f" AND kind IN ({', '.join([mark] * len(kinds))})"
        args.extend(kinds)
    return sql, args
