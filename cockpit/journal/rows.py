"""The stored row: its columns, its hash, the chain check over many, and its decoding.

Every backend stores these columns in this order; insert, `verify` and the jsonl export all
take their order from `StoredRow`, so none of them can disagree about it. Reads hand rows
over as the plain tuples the database returns (building a StoredRow per row would cost the
100k-event export and verify ~7 %): anything in StoredRow order is accepted where one is.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from json.encoder import encode_basestring
from typing import Any, NamedTuple

import msgspec

from cockpit.identifiers import shown
from cockpit.journal import events as kinds
from cockpit.journal.codec import canonical_json
from cockpit.model import GENESIS_HASH, Draft, Event, parse_ts


class StoredRow(NamedTuple):
    seq: int
    id: str
    incident: str
    version: int
    ts: str
    actor: str
    kind: str
    schema: int
    data: str  # canonical JSON text, as hashed
    context: str  # canonical JSON text, as hashed
    prev_hash: str
    hash: str


COLUMNS = ", ".join(StoredRow._fields)
# the columns the hash covers: all but the chain's own two
HASHED = StoredRow._fields[:10]


class VerifyResult(msgspec.Struct, frozen=True):
    ok: bool
    count: int
    head_seq: int
    head_hash: str
    bad_seq: int | None = None
    reason: str = ""
    head_ts: str = ""  # of the head row: a missing tail shows as an older head than expected

    def line(self) -> str:
        if self.ok:
            where = f"seq {self.head_seq}, {self.head_ts}" if self.count else "no events yet"
            return f"ok: {self.count} events, head {self.head_hash} ({where})"
        return f"chain broken at seq {self.bad_seq}: {self.reason}"


def row_hash(prev_hash: str, row: dict[str, Any]) -> str:
    """SHA-256(prev_hash || canonical JSON of the row's content columns, payloads parsed)."""
    body = {k: row[k] for k in HASHED}
    return hashlib.sha256((prev_hash + canonical_json(body)).encode("utf-8")).hexdigest()


def verify_rows(rows: Iterable[StoredRow]) -> VerifyResult:
    """Recompute the chain over stored rows (in seq order) and name the first bad one."""
    prev = GENESIS_HASH
    count = 0
    expected_seq = 1
    versions: dict[str, int] = {}
    head_seq = 0
    head_ts = ""
    for row in rows:
        seq, id_, incident, version, ts, actor, kind, schema, data, context, prev_hash, hsh = row
        if seq != expected_seq:
            reason = f"seq {expected_seq} is missing (deleted row?)"
            return VerifyResult(False, count, head_seq, prev, expected_seq, reason)
        if prev_hash != prev:
            reason = "prev_hash does not match the previous row (row deleted, inserted or moved)"
            return VerifyResult(False, count, head_seq, prev, seq, reason)
        try:
            body = {
                "seq": seq,
                "id": id_,
                "incident": incident,
                "version": version,
                "ts": ts,
                "actor": actor,
                "kind": kind,
                "schema": schema,
                "data": json.loads(data),
                "context": json.loads(context),
            }
        except (TypeError, ValueError):
            return VerifyResult(False, count, head_seq, prev, seq, "payload is not valid JSON")
        if row_hash(prev, body) != hsh:
            reason = "hash does not match the row's content (row edited)"
            return VerifyResult(False, count, head_seq, prev, seq, reason)
        if version != versions.get(incident, 0) + 1:
            reason = f"version {version} of {incident} out of order (rows swapped?)"
            return VerifyResult(False, count, head_seq, prev, seq, reason)
        versions[incident] = version
        prev = hsh
        head_seq = seq
        head_ts = ts
        expected_seq += 1
        count += 1
    return VerifyResult(True, count, head_seq, prev, head_ts=head_ts)


def hashed_content(d: Draft, seq: int, version: int) -> dict[str, Any]:
    """The columns a row's hash covers, for draft `d` at (seq, version), payloads parsed."""
    return {
        "seq": seq,
        "id": d.id,
        "incident": d.incident,
        "version": version,
        "ts": d.ts,
        "actor": d.actor,
        "kind": d.kind,
        "schema": d.schema,
        "data": d.data,
        "context": d.context,
    }


def next_row(d: Draft, head_seq: int, head_hash: str, last_version: int) -> tuple[Event, StoredRow]:
    """The row that extends the chain at (head_seq, head_hash) with draft `d`, and its
    Event: one definition of what is hashed, for every store."""
    seq, version = head_seq + 1, last_version + 1
    content = hashed_content(d, seq, version)
    data_json, context_json = canonical_json(d.data), canonical_json(d.context)
    text = _hashed_text(d, seq, version, data_json, context_json)
    digest = hashlib.sha256((head_hash + text).encode("utf-8")).hexdigest()
    row = StoredRow(
        seq,
        d.id,
        d.incident,
        version,
        d.ts,
        d.actor,
        d.kind,
        d.schema,  # type: ignore[arg-type]  # set by prepare_draft
        data_json,
        context_json,
        head_hash,
        digest,
    )
    return Event(prev_hash=head_hash, hash=digest, **content), row  # type: ignore[arg-type]


_quoted = encode_basestring  # a str as JSON, non-ASCII kept: what canonical_json writes


def _hashed_text(d: Draft, seq: int, version: int, data_json: str, context_json: str) -> str:
    """canonical_json(hashed_content(d, seq, version)), with data and context spliced in as
    the canonical texts the row stores: encoding them a second time for the hash was a third
    of next_row's time, which every append pays inside its write transaction. The keys in
    sorted order, as canonical_json writes them; anything but plain str and int columns (a
    caller's odd draft) goes the long way, so the text is always exactly the same."""
    scalars = (d.actor, d.id, d.incident, d.kind, d.ts)
    if not (
        all(type(v) is str for v in scalars)
        and type(d.schema) is int
        and type(seq) is int
        and type(version) is int
    ):
        return canonical_json(hashed_content(d, seq, version))
    q = _quoted
    return (
        f'{{"actor":{q(d.actor)},"context":{context_json},"data":{data_json},"id":{q(d.id)},'
        f'"incident":{q(d.incident)},"kind":{q(d.kind)},"schema":{d.schema},"seq":{seq},'
        f'"ts":{q(d.ts)},"version":{version}}}'
    )


def event_from_row(row: StoredRow, *, upcast: bool = True) -> Event:
    seq, id_, incident, version, ts, actor, kind, schema, data, context, prev, hsh = row
    payload = json.loads(data)
    if upcast:
        schema, payload = kinds.upcast(kind, schema, payload)
    return Event(
        seq=seq,
        id=id_,
        incident=incident,
        version=version,
        ts=ts,
        actor=actor,
        kind=kind,
        schema=schema,
        data=payload,
        context=json.loads(context),
        prev_hash=prev,
        hash=hsh,
    )


# json.loads minus its Python-level wrapper (two whitespace regex matches per call): stored
# payloads are compact JSON, so the C scanner's own answer is the whole answer
_scan_json = json.JSONDecoder().scan_once


def _loads(text: Any) -> Any:
    try:
        value, end = _scan_json(text, 0)
        if end == len(text):
            return value
    except (StopIteration, ValueError, TypeError):
        pass
    return json.loads(text)  # anything unusual: json.loads decides, errors included


def events_from_rows(rows: Iterable[StoredRow], *, upcast: bool = True) -> list[Event]:
    """event_from_row over many rows, minus its per-row overheads (the 100k-event exports).

    Every row is checked on its way out (kinds.problem, a time, JSON objects): one that does
    not fit comes out as a `journal.unreadable` event in its place, so a crafted or edited
    row is shown, never a crash of whoever reads it. The stored row is not touched.
    """
    loads = _loads
    # only payloads older than their kind's current schema can change on read; the rest skip
    # kinds.upcast (which would compare the same schemas and return them untouched)
    newest = {k.name: k.schema for k in kinds.KINDS.values() if k.upcasters} if upcast else {}
    current = {k.name: k.schema for k in kinds.KINDS.values()}
    validate = kinds.validate
    out: list[Event] = []
    append = out.append
    last_ts = ""
    for row in rows:
        seq, id_, incident, version, ts, actor, kind, schema, data, context, prev, hsh = row
        # JSON that does not decode is a damaged file, for the caller to say (JournalDamaged)
        payload = loads(data)
        ctx = loads(context)
        try:
            if type(payload) is not dict or type(ctx) is not dict:
                raise _Unfit("data or context is not a JSON object")
            if not _is_time(ts):
                raise _Unfit(f"time {shown(str(ts))} is not a time")
            if current.get(kind) == schema and type(schema) is int:
                validate(kind, payload)  # the common case: a current payload, checked
            elif trouble := kinds.problem(str(kind), schema, payload):
                raise _Unfit(trouble)
        except (_Unfit, kinds.PayloadError) as exc:
            marker = _unreadable(row, str(exc), last_ts or _first_time(rows))
            last_ts = marker.ts
            append(marker)
            continue
        last_ts = ts
        if kind in newest and schema < newest[kind]:
            schema, payload = kinds.upcast(kind, schema, payload)
        append(
            Event(
                seq,
                id_,
                incident,
                version,
                ts,
                actor,
                kind,
                schema,
                payload,
                ctx,
                prev,
                hsh,
            )
        )
    return out


class _Unfit(ValueError):
    """A stored row that does not fit what its readers rely on."""


def _is_time(ts: object) -> bool:
    """An ISO time with a zone, as model.parse_ts reads it (the panes and replay do)."""
    if type(ts) is not str:
        return False
    try:
        if parse_ts(ts).tzinfo is None:
            return False  # naive and aware times cannot be compared or subtracted
    except ValueError:
        return False
    return True


def _first_time(rows: Iterable[StoredRow]) -> str:
    """A time for a marker at the very start: the first good one of the read, else 1970."""
    for row in rows if isinstance(rows, Sequence) else ():
        if _is_time(row[4]):
            return str(row[4])
    return EPOCH_TS


EPOCH_TS = "1970-01-01T00:00:00.000Z"


def _unreadable(row: Sequence[Any], problem: str, ts: str) -> Event:
    """What a read shows in place of a row that does not fit (kinds: journal.unreadable)."""
    seq, id_, incident, version, row_ts, actor, kind, schema, _, _, prev, hsh = row
    return Event(
        seq=seq,
        id=str(id_),
        incident=str(incident),
        version=version,
        ts=row_ts if _is_time(row_ts) else ts,
        actor=str(actor),
        kind=kinds.UNREADABLE,
        schema=1,
        data={
            "kind": str(kind),
            "schema": schema if type(schema) is int else 0,
            "problem": problem,
        },
        context={},
        prev_hash=str(prev),
        hash=str(hsh),
    )


# What raw_rows() hands the jsonl export: a StoredRow's values, then one flag, "data and context
# are valid JSON" (the backend checks it where the rows are; valid payloads are embedded as
# stored, the others go through event_from_row and fail there as they always did).
CheckedRow = tuple[Any, ...]
