"""The jsonl export: one incident as CloudEvents 1.0 (structured mode), verifiable on its own.

Each line is one CloudEvent: `type` io.cockpit.<kind>, `subject` the incident, `time` when it
happened, the payload in `data`, the journal's columns as extensions (lowercase alphanumeric
names, as the spec requires). Lines are written in RFC 8785 (JCS) form.

Why a per-incident chain: the journal's own chain links rows of every incident, so one
incident's rows cannot be checked without the others. An export therefore carries a chain of
its own over its lines: `eventhash` = SHA-256 of the line's JCS text without `eventhash` and
the row's place in its journal (`seq`, `rowprevhash`, `rowhash`: UNHASHED below), and
`prevhash` (inside that text) the `eventhash` of the line before (64 zeros for the first).
The last line is a manifest (io.cockpit.export.manifest) that closes the chain and states how
many events it covers and the journal head the export came from; a checkpoint and a
signature (checkpoints.py, planned) attach there. A chain, not a Merkle tree: an export is
always a whole incident, read front to back; a chain names the first line that does not fit
and is recomputed in five lines of any language. Inclusion proofs would only pay off for
proving one event without the others, which redaction covers instead (below).

Each event line also keeps the journal row's own chain values (`rowprevhash`, `rowhash`,
scheme 1), so `cockpit import` reproduces the very rows and checks each against its
content. A redacted export (--redact-notes) drops them, together with every note text: a row
hash covers the text, so with it a reader could try guesses. In place of the text the line
holds `textsha256` = SHA-256(salt || text), a fresh random 16-byte salt per note; the salts
go to a separate openings file the team keeps, to prove a note's text later without
revealing the others.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from cockpit.journal.jcs import EXPORT_SCHEME, EXPORT_SCHEME_NAME, canonicalize, stored_is_jcs
from cockpit.model import GENESIS_HASH, format_ts, uuid7

SPECVERSION = "1.0"
TYPE_PREFIX = "io.cockpit."
MANIFEST_TYPE = "io.cockpit.export.manifest"
SOURCE = "/cockpit/journal"
NOTE_KINDS = frozenset({"note.added", "note.amended"})
COMMITMENT = "textsha256 = sha256(salt || UTF-8 text), a random 16-byte salt per note"

# CloudEvents attributes this export writes on an event line (anything else is refused on
# import: an import is lossless or refused)
EVENT_FIELDS = frozenset(
    {
        "specversion",
        "id",
        "source",
        "type",
        "subject",
        "time",
        "datacontenttype",
        "data",
        "seq",
        "version",
        "actor",
        "recordedtime",
        "schemaversion",
        "context",
        "prevhash",
        "eventhash",
        "rowprevhash",
        "rowhash",
        # a team incident only: the database role that inserted the row, when, and its
        # place in the team chain (the order events reached the team store)
        "recordedby",
        "recordedat",
        "recordedseq",
    }
)


class Export(NamedTuple):
    text: str
    openings: list[tuple[str, str]]  # (event id, salt hex) of each redacted note
    unsigned: str | None = None  # why a signing key did not sign it (export_seal.py)


# Left out of `eventhash`: the hash itself, a signature over it, and where the row sits in the
# journal it came from (`seq`, `rowprevhash`, `rowhash`). The chain then covers what the
# incident is, not where a journal stored it: imported elsewhere and exported again, the
# incident gives the same chain and head, so the proofs made of the first export still hold.
# A team store's `recordedby`/`recordedat`/`recordedseq` say where and when one store took
# the row, like `seq`: the same incident exported from a local file and from the team store
# chains alike.
UNHASHED = frozenset(
    {
        "eventhash",
        "signature",
        "seq",
        "rowprevhash",
        "rowhash",
        "recordedby",
        "recordedat",
        "recordedseq",
    }
)


def line_hash(obj: dict[str, Any]) -> str:
    """The `eventhash` of one line: SHA-256 of its JCS text without the UNHASHED attributes."""
    body = {k: v for k, v in obj.items() if k not in UNHASHED}
    return hashlib.sha256(canonicalize(body)).hexdigest()


_SECONDS: dict[int, str] = {}  # recorded_time's cache: one strftime per second, not per event


def recorded_time(event_id: str, fallback: str) -> str:
    """When the event was written: a UUIDv7 id carries its creation time in milliseconds;
    any other id (an import from elsewhere) gives the event's own time."""
    if type(event_id) is str and len(event_id) == 36 and event_id[14] == "7":
        try:
            millis = int(event_id[:8] + event_id[9:13], 16)
        except ValueError:
            return fallback
        second, ms = divmod(millis, 1000)
        prefix = _SECONDS.get(second)
        if prefix is None:
            if len(_SECONDS) > 4096:
                _SECONDS.clear()
            prefix = _SECONDS[second] = time.strftime("%Y-%m-%dT%H:%M:%S.", time.gmtime(second))
        return f"{prefix}{ms:03d}Z"
    return fallback


_str = json.encoder.encode_basestring  # JSON string as JCS writes it (no ASCII escaping)
# a payload without float, long integer or astral key, as JCS writes it (jcs.py)
_canonical_text = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
).encode


def cloudevents(
    rows: Iterable[Sequence[Any]],
    incident: str,
    journal_head: tuple[int, str],
    *,
    redact_notes: bool = False,
    checkpoint: str | None = None,
    signer: str | None = None,
) -> Export:
    """The export of one incident's stored rows (StoredRow order, seq order); `checkpoint`
    (the note text, journal/checkpoints.py) and its signers' names go in the manifest."""
    out: list[str] = []
    openings: list[tuple[str, str]] = []
    prev = GENESIS_HASH
    count = 0
    loads = json.loads
    sha256 = hashlib.sha256
    for row in rows:
        seq, id_, inc, version, ts, actor, kind, schema, data, context = row[:10]
        row_prev, row_hash = row[10], row[11]
        checked = len(row) > 12 and row[12]  # raw_rows(): data and context are valid JSON
        if (
            checked
            and type(seq) is int
            and type(version) is int
            and type(schema) is int
            and type(data) is str
            and data.startswith("{")
            and stored_is_jcs(data)
        ):
            # the common case, written as text: the same bytes canonicalize() would give
            try:
                opening = None
                if redact_notes and kind in NOTE_KINDS:
                    # a stored payload in canonical form, less its text, plus a hex digest:
                    # still canonical, so json.dumps' sorted text is its JCS
                    payload = loads(data)
                    if isinstance(payload.get("text"), str):
                        salt = secrets.token_bytes(16)
                        text = payload.pop("text")
                        payload["textsha256"] = sha256(salt + text.encode("utf-8")).hexdigest()
                        data = _canonical_text(payload)
                        opening = (id_, salt.hex())
                # the attributes in JCS order; the UNHASHED ones are only on the line
                a = (
                    f'{{"actor":{_str(actor)},"context":{_str(context)},"data":{data},'
                    '"datacontenttype":"application/json"'
                )
                b = (
                    f',"id":{_str(id_)},"prevhash":"{prev}",'
                    f'"recordedtime":{_str(recorded_time(id_, ts))}'
                )
                rows_ = (
                    ""
                    if redact_notes  # a row hash covers the note text: a guess could be tried
                    else f',"rowhash":{_str(row_hash)},"rowprevhash":{_str(row_prev)}'
                )
                c = f',"schemaversion":{schema}'
                d = (
                    f',"source":"{SOURCE}","specversion":"{SPECVERSION}","subject":{_str(inc)},'
                    f'"time":{_str(ts)},"type":{_str(TYPE_PREFIX + kind)},"version":{version}}}'
                )
                prev = sha256((a + b + c + d).encode("utf-8")).hexdigest()
                out.append(f'{a},"eventhash":"{prev}"{b}{rows_}{c},"seq":{seq}{d}\n')
                if opening is not None:
                    openings.append(opening)
                count += 1
                continue
            except (TypeError, UnicodeEncodeError):
                pass  # a column of an odd type, a lone surrogate: the general path decides
        payload = loads(data)
        if not checked:
            loads(context)  # not JSON: refused as before, no half-valid line is written
        obj: dict[str, Any] = {
            "specversion": SPECVERSION,
            "id": id_,
            "source": SOURCE,
            "type": TYPE_PREFIX + kind,
            "subject": inc,
            "time": ts,
            "datacontenttype": "application/json",
            "data": payload,
            "seq": seq,
            "version": version,
            "actor": actor,
            "recordedtime": recorded_time(id_, ts),
            "schemaversion": schema,
            # an extension value is a string, number or boolean: the context (what the cockpit
            # showed) travels as its stored canonical JSON text
            "context": context,
            "prevhash": prev,
        }
        if redact_notes:
            if kind in NOTE_KINDS and isinstance(payload.get("text"), str):
                salt = secrets.token_bytes(16)
                text = payload.pop("text")
                payload["textsha256"] = sha256(salt + text.encode("utf-8")).hexdigest()
                openings.append((id_, salt.hex()))
        else:
            obj["rowprevhash"] = row_prev
            obj["rowhash"] = row_hash
        prev = obj["eventhash"] = line_hash(obj)
        out.append(canonicalize(obj).decode("utf-8"))
        out.append("\n")
        count += 1
    out.append(manifest_line(incident, count, prev, journal_head, redact_notes, checkpoint, signer))
    return Export("".join(out), openings)


def manifest_line(
    incident: str,
    count: int,
    head: str,
    journal_head: tuple[int, str],
    redacted: bool,
    checkpoint: str | None = None,
    signer: str | None = None,
) -> str:
    """The last line: closes the chain over `count` events ending at `head`."""
    obj: dict[str, Any] = {
        "specversion": SPECVERSION,
        "id": uuid7(),
        "source": SOURCE,
        "type": MANIFEST_TYPE,
        "subject": incident,
        "time": format_ts_now(),
        "datacontenttype": "application/json",
        "data": {
            "hashscheme": EXPORT_SCHEME,
            "scheme": EXPORT_SCHEME_NAME,
            "incident": incident,
            "events": count,
            "head": head,
            "journal": {"seq": journal_head[0], "hash": journal_head[1]},
            "redacted": {"notes": COMMITMENT} if redacted else None,
            # the checkpoint of the journal written as this export was made (checkpoints.py:
            # its text, signed lines included) and the names on its signatures, as claimed:
            # `cockpit verify --checkpoint FILE` checks them against allowed_signers; a
            # signature over this line's eventhash would go in the `signature` extension,
            # which the eventhash leaves out for that reason
            "checkpoint": checkpoint,
            "signer": signer,
        },
        "prevhash": head,
    }
    obj["eventhash"] = line_hash(obj)
    return canonicalize(obj).decode("utf-8") + "\n"


def format_ts_now() -> str:
    from datetime import UTC, datetime

    return format_ts(datetime.now(UTC))
