"""Read a jsonl export back, strictly: the whole file is checked before anything is appended.

`cockpit import` is the one way events from outside enter a journal, and an append-only
journal keeps whatever it is given for good, so nothing gets through unchecked:

- the file must be a regular file (a FIFO, a device like /dev/zero or a directory is refused
  before a byte is read), at most MAX_FILE_BYTES, lines at most MAX_LINE_BYTES, UTF-8
  without a byte-order mark;
- each line is one JSON object with exactly the fields an export writes: no duplicate keys,
  NaN/Infinity, integers beyond 64 bits, lone surrogates or nesting deeper than MAX_DEPTH;
- ids, incident ids (cockpit/identifiers.py), operator names, kinds and times fit their
  rules; every payload fits its kind's schema whatever schema number the line claims (one
  newer than this cockpit knows is refused); data and context together fit MAX_EVENT_BYTES;
- the file's own hash chain (seq, version, prev_hash, hash as exported) holds: a mismatch is
  reported, and imported only with --force, which the journal then records.

Every problem is one line naming the file's line number. The store adds the last check in
the append transaction: an id already in the journal with different content is refused.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from cockpit.identifiers import (
    INCIDENT_RULE,
    OPERATOR_RULE,
    is_incident_id,
    is_operator_name,
    shown,
)
from cockpit.journal import events as kinds
from cockpit.journal.cloudevents import EVENT_FIELDS, MANIFEST_TYPE, SPECVERSION, TYPE_PREFIX
from cockpit.journal.codec import canonical_json
from cockpit.journal.limits import MAX_EVENT_BYTES, MIB
from cockpit.journal.rows import hashed_content, row_hash
from cockpit.model import GENESIS_HASH, Draft, parse_ts

MAX_FILE_BYTES = 256 * MIB  # an export of 100k events is ~45 MB
MAX_LINE_BYTES = 2 * MIB  # one event (MAX_EVENT_BYTES of data and context) and its columns
MAX_DEPTH = 32  # of data and context; sqlite's JSON functions stop at 1000, readers sooner
_INT_LIMIT = 2**63  # SQLite's INTEGER and every JSON reader that matters

FORCED_KIND = "journal.import.forced"


class ImportError_(Exception):
    """The file cannot be imported; the message names the line."""


class Line(NamedTuple):
    """One event line of the file, checked, with the chain fields it carried (None: absent)."""

    number: int
    draft: Draft
    seq: int | None
    version: int | None
    prev_hash: str | None
    hash: str | None


class ExportFile(NamedTuple):
    lines: list[Line]  # in file order, lines repeating an earlier one left out
    chain_problems: list[str]  # "line N: why", in file order; empty: the chain holds
    repeated: int  # lines identical to an earlier line of the file (re-exported overlap)


_CONTENT: dict[str, type] = {
    "id": str,
    "incident": str,
    "ts": str,
    "actor": str,
    "kind": str,
    "schema": int,
    "data": dict,
    "context": dict,
}
_CHAIN: dict[str, type] = {"seq": int, "version": int, "prev_hash": str, "hash": str}
# what a team store says about its own row (the role that inserted it, when it arrived):
# not event content and outside the hash; the store an event is imported into records its own
_WITNESS = ("recorded_by", "recorded_at")
_FIELDS = (*_CONTENT, *_CHAIN, *_WITNESS)

_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
_KIND_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_TS_RE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")  # what cockpit writes
_HASH_RE = re.compile(r"[0-9a-f]{64}")

ID_RULE = "an event id is 1 to 64 letters, digits, '.', '_', ':' or '-' (a UUID in exports)"
KIND_RULE = "a kind is 1 to 64 letters, digits, '.', '_' or '-' (e.g. note.added)"
TS_RULE = "a time is UTC with milliseconds, e.g. 2026-11-28T19:05:00.123Z"


# -- the file ------------------------------------------------------------------------------


def read_export(path: Path) -> ExportFile:
    """Every line of the file checked, and the file's chain; ImportError_ at the first bad
    line (chain problems are returned, for the caller to refuse or --force)."""
    lines: list[Line] = []
    seen: dict[str, tuple[int, Draft]] = {}
    repeated = 0
    # CloudEvents lines, by export (each ends at its manifest): their own chain is checked too
    cloud: list[list[tuple[int, str]]] = [[]]
    older = 0  # lines of the older format
    with _open_regular(path) as f:
        for number, text in _lines(f, path):
            line, is_cloud = read_line(number, text)
            if is_cloud:
                cloud[-1].append((number, text.rstrip("\n")))
                if line is None:  # the manifest
                    cloud.append([])  # two exports one after the other: each checked alone
                    continue
            else:
                older += 1
            assert line is not None
            if cloud[0] and older:
                raise ImportError_(
                    f"line {number}: the file mixes CloudEvents lines and lines of the older"
                    " export format: import each export on its own"
                )
            earlier = seen.get(line.draft.id)
            if earlier is not None:
                if differs := _differs(earlier[1], line.draft):
                    raise ImportError_(
                        f"line {number}: event {shown(line.draft.id)} is also on line"
                        f" {earlier[0]} with different {', '.join(differs)}: which one is true"
                        " cannot be told, nothing was imported"
                    )
                repeated += 1  # two exports of one incident, one after the other
                continue
            seen[line.draft.id] = (number, line.draft)
            lines.append(line)
    problems = check_chain(lines)
    if cloud[0]:
        from cockpit.journal.selfverify import check_export

        # the per-incident chain and manifest prove the file whole; the rows' own chain
        # (rowprevhash, rowhash) ties each line to the journal it came from
        found = {p for part in cloud if part for p in check_export(part).problems}
        problems = sorted({*problems, *found}, key=_line_number)
    return ExportFile(lines, problems, repeated)


def _line_number(problem: str) -> int:
    head = problem.split(":", 1)[0]
    return int(head[5:]) if head.startswith("line ") and head[5:].isdigit() else 0


def read_jsonl(path: Path) -> list[Draft]:
    """All drafts of the file in order, or ImportError_ naming the first bad line."""
    return [line.draft for line in read_export(path).lines]


def _open_regular(path: Path) -> BinaryIO:
    """The file opened for reading, if it is a regular file; refused before reading if not.

    A FIFO would block the import on whoever writes it, /dev/zero or /dev/urandom would feed
    it forever, a directory has no lines: none of them is an export.
    """
    try:
        before = os.stat(path)
    except FileNotFoundError:
        raise ImportError_(f"no such file: {path}") from None
    except OSError as exc:
        raise ImportError_(f"cannot read {path}: {exc.strerror}") from None
    _check_regular(path, before)
    try:
        # O_NONBLOCK: a FIFO swapped in after the stat cannot hold the open; the fstat below
        # then refuses it. It changes nothing for reading a regular file.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise ImportError_(f"cannot read {path}: {exc.strerror}") from None
    try:
        _check_regular(path, os.fstat(fd))
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def _check_regular(path: Path, st: os.stat_result) -> None:
    mode = st.st_mode
    if not stat.S_ISREG(mode):
        what = (
            "a directory"
            if stat.S_ISDIR(mode)
            else "a named pipe (FIFO)"
            if stat.S_ISFIFO(mode)
            else "a character device"
            if stat.S_ISCHR(mode)
            else "a block device"
            if stat.S_ISBLK(mode)
            else "a socket"
            if stat.S_ISSOCK(mode)
            else "not a regular file"
        )
        raise ImportError_(
            f"{path} is {what}, not a file: import reads a file written by"
            " cockpit export ID --format jsonl -o FILE"
        )
    if st.st_size > MAX_FILE_BYTES:
        raise ImportError_(
            f"{path} is {st.st_size // MIB} MiB, over the {MAX_FILE_BYTES // MIB} MiB limit of"
            " one import: split it by incident (cockpit export ID --format jsonl)"
        )


def _lines(f: BinaryIO, path: Path) -> Iterator[tuple[int, str]]:
    """(number, text) of each non-blank line, split on \\n only: exports keep U+2028 and
    friends raw inside JSON strings, where str.splitlines() would break a line."""
    number = 0
    while raw := f.readline(MAX_LINE_BYTES + 1):
        number += 1
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            raise ImportError_(
                f"line {number}: longer than {MAX_LINE_BYTES // MIB} MiB, the limit for one"
                " line: no cockpit export writes such a line"
            )
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raise ImportError_(
                "line 1: the file starts with a byte-order mark (BOM), which no export"
                " writes: save it as UTF-8 without BOM"
            )
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ImportError_(
                f"line {number}: not UTF-8 (byte 0x{raw[exc.start]:02x} at byte"
                f" {exc.start + 1} of the line)"
            ) from None
        if text.strip():
            yield number, text


# -- one line ------------------------------------------------------------------------------


class _Refused(ValueError):
    """Raised from inside the JSON parser's hooks: the message is the reason."""


def _int(text: str) -> int:
    # before int(): a 100,000-digit number would cost seconds to convert
    if len(text.lstrip("-")) > 19 or not -_INT_LIMIT < (value := int(text)) < _INT_LIMIT:
        raise _Refused(f"integer {shown(text)} is beyond 64 bits")
    return value


def _float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise _Refused(f"number {shown(text)} is too large for a float")
    return value


def _constant(text: str) -> Any:
    raise _Refused(f"{text} is not a JSON number")


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        key = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        # two readers could disagree on which value counts; the hash covers only one
        raise _Refused(f"key {shown(key)} appears twice in one object")
    return obj


# one decoder for every line (json.loads with hooks builds a new one per call)
_decode = json.JSONDecoder(
    parse_int=_int, parse_float=_float, parse_constant=_constant, object_pairs_hook=_object
).decode


def _loads(number: int, text: str) -> Any:
    try:
        return _decode(text)
    except _Refused as exc:
        raise ImportError_(f"line {number}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise ImportError_(f"line {number}: not JSON ({exc.msg}, column {exc.colno})") from None
    except RecursionError:
        raise ImportError_(f"line {number}: nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:  # anything else the parser refuses
        raise ImportError_(f"line {number}: not JSON ({exc})") from None


def _too_deep(value: Any) -> bool:
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        children = item.values() if type(item) is dict else item
        stack.extend((c, depth + 1) for c in children if type(c) in (dict, list))
    return False


def parse_line(number: int, text: str) -> Line:
    """One line checked in full, or ImportError_ naming the line and what is wrong."""
    line, _ = read_line(number, text)
    if line is None:
        raise ImportError_(f"line {number}: the manifest of an export, no event")
    return line


def read_line(number: int, text: str) -> tuple[Line | None, bool]:
    """One line checked in full, and whether it is a CloudEvent; (None, True): the manifest.

    Two formats: the CloudEvents export of this cockpit (cloudevents.py) and the older one,
    a JSON object of the journal's columns; ImportError_ names the line and what is wrong.
    """
    obj = _loads(number, text)

    def fail(what: str) -> ImportError_:
        return ImportError_(f"line {number}: {what}")

    if not isinstance(obj, dict):
        raise fail(f"expected a JSON object, got {type(obj).__name__}")
    is_cloud = "specversion" in obj
    if is_cloud:
        if obj.get("type") == MANIFEST_TYPE:
            return None, True
        obj = _from_cloudevent(number, obj)
    for name, kind in _CONTENT.items():
        if name not in obj:
            raise fail(f"missing field {name!r}")
        if type(obj[name]) is not kind:
            raise fail(f"field {name!r} has the wrong type (must be {kind.__name__})")
    if extra := [k for k in obj if k not in _FIELDS]:
        # importing it would drop it: an import is lossless or refused
        raise fail(f"unknown field {shown(extra[0])}, which this cockpit would drop")
    chain = {name: obj.get(name) for name in _CHAIN}
    for name, kind in _CHAIN.items():
        value = chain[name]
        if value is not None and type(value) is not kind:
            raise fail(f"field {name!r} has the wrong type (must be {kind.__name__})")
    for name in ("seq", "version"):
        if chain[name] is not None and chain[name] < 1:
            raise fail(f"field {name!r} must be 1 or more")
    for name in ("prev_hash", "hash"):
        if chain[name] is not None and not _HASH_RE.fullmatch(chain[name]):
            raise fail(f"field {name!r} is not a SHA-256 in hex")

    if not _ID_RE.fullmatch(obj["id"]):
        raise fail(f"id {shown(obj['id'])}: {ID_RULE}")
    if not is_incident_id(obj["incident"]):
        raise fail(f"incident {shown(obj['incident'])}: {INCIDENT_RULE}")
    if not is_operator_name(obj["actor"]):
        raise fail(f"actor {shown(obj['actor'])}: {OPERATOR_RULE}")
    if not _KIND_RE.fullmatch(obj["kind"]):
        raise fail(f"kind {shown(obj['kind'])}: {KIND_RULE}")
    if not _is_time(obj["ts"]):
        raise fail(f"ts {shown(obj['ts'])}: {TS_RULE}")

    data, context = obj["data"], obj["context"]
    if _too_deep(data) or _too_deep(context):
        raise fail(f"data or context nested deeper than {MAX_DEPTH} levels")
    try:
        size = len(canonical_json(data).encode()) + len(canonical_json(context).encode())
    except UnicodeEncodeError as exc:
        bad = exc.object[exc.start : exc.end]
        raise fail(f"a string holds a lone surrogate ({shown(bad)[1:-1]}): not Unicode") from None
    if size > MAX_EVENT_BYTES:
        raise fail(
            f"the event's data and context are {size // 1024} KiB, over the"
            f" {MAX_EVENT_BYTES // 1024} KiB limit of one event"
        )
    if trouble := kinds.problem(obj["kind"], obj["schema"], data):
        raise fail(trouble)

    draft = Draft(
        incident=obj["incident"],
        kind=obj["kind"],
        actor=obj["actor"],
        data=data,
        context=context,
        id=obj["id"],
        ts=obj["ts"],
        schema=obj["schema"],
    )
    line = Line(number, draft, chain["seq"], chain["version"], chain["prev_hash"], chain["hash"])
    return line, is_cloud


def _from_cloudevent(number: int, event: dict[str, Any]) -> dict[str, Any]:
    """The journal columns of one CloudEvents line (cloudevents.py wrote it), checked."""

    def fail(what: str) -> ImportError_:
        return ImportError_(f"line {number}: {what}")

    if extra := [k for k in event if k not in EVENT_FIELDS]:
        raise fail(f"unknown attribute {shown(extra[0])}, which this cockpit would drop")
    if event.get("specversion") != SPECVERSION:
        raise fail(f"specversion {shown(str(event.get('specversion')))}: only 1.0 is known")
    kind = event.get("type")
    if type(kind) is not str or not kind.startswith(TYPE_PREFIX):
        raise fail(f"type {shown(str(kind))} is not a cockpit event (io.cockpit.KIND)")
    if event.get("datacontenttype", "application/json") != "application/json":
        raise fail("datacontenttype must be application/json")
    data = event.get("data")
    if type(data) is dict and "textsha256" in data and "text" not in data:
        raise fail(
            "a note of a redacted export (--redact-notes): its text is not in the file, so it"
            " cannot be imported; import the full export"
        )
    context = event.get("context", "{}")
    if type(context) is not str:
        raise fail("attribute 'context' has the wrong type (must be a JSON text in a string)")
    names = {
        "id": "id",
        "subject": "incident",
        "time": "ts",
        "actor": "actor",
        "schemaversion": "schema",
        "data": "data",
        "seq": "seq",
        "version": "version",
        "rowprevhash": "prev_hash",
        "rowhash": "hash",
    }
    obj = {column: event[name] for name, column in names.items() if name in event}
    obj["kind"] = kind[len(TYPE_PREFIX) :]
    obj["context"] = _loads(number, context)
    return obj


def _is_time(ts: str) -> bool:
    if not _TS_RE.fullmatch(ts):
        return False
    try:
        parse_ts(ts)  # 2026-02-31 has the shape but is no day
    except ValueError:
        return False
    return True


def _differs(a: Draft, b: Draft) -> list[str]:
    """The content fields in which two drafts of one id differ."""
    names = ("incident", "ts", "actor", "kind", "schema", "data", "context")
    return [n for n in names if canonical_json(getattr(a, n)) != canonical_json(getattr(b, n))]


# -- the file's own chain ------------------------------------------------------------------


def check_chain(lines: list[Line]) -> list[str]:
    """Every place where the file's hash chain (as the export wrote it) does not hold.

    An export holds one incident's rows, so consecutive lines are linked by prev_hash only
    where their seqs are consecutive; every line's hash must match its own content, and each
    incident's versions must run 1, 2, 3 ... with no line missing or moved.
    """
    problems: list[str] = []
    previous: Line | None = None
    last_of: dict[str, Line] = {}
    for line in lines:
        n, d = line.number, line.draft
        if line.seq is None or line.version is None or line.prev_hash is None or not line.hash:
            problems.append(f"line {n}: no hash chain (seq, version, prev_hash, hash)")
            previous = None
            continue
        if row_hash(line.prev_hash, hashed_content(d, line.seq, line.version)) != line.hash:
            problems.append(f"line {n}: hash does not match the line's content (edited?)")
        before = last_of.get(d.incident)
        if before is not None and line.seq <= (before.seq or 0):
            problems.append(f"line {n}: seq {line.seq} after seq {before.seq} (lines moved?)")
        expected = (before.version or 0) + 1 if before is not None else 1
        if line.version != expected:
            problems.append(
                f"line {n}: version {line.version} of {d.incident} where {expected} was"
                " expected (a line missing or moved?)"
            )
        if previous is not None and line.seq == (previous.seq or 0) + 1:
            if line.prev_hash != previous.hash:
                problems.append(
                    f"line {n}: prev_hash is not the hash of line {previous.number}"
                    " (a line edited, removed or inserted?)"
                )
        elif line.seq == 1 and line.prev_hash != GENESIS_HASH:
            problems.append(f"line {n}: seq 1 does not start the chain (prev_hash)")
        last_of[d.incident] = line
        previous = line
    return problems


def forced_drafts(export: ExportFile, path: Path, operator: str) -> list[Draft]:
    """What --force journals: per incident of the file, which lines came in and why the
    chain did not hold (after the imported events, in the same transaction)."""
    problems = export.chain_problems
    reason = problems[0] if len(problems) == 1 else f"{len(problems)} problems, first {problems[0]}"
    numbers: dict[str, list[int]] = {}
    for line in export.lines:
        numbers.setdefault(line.draft.incident, []).append(line.number)
    return [
        Draft(
            incident=incident,
            kind=FORCED_KIND,
            actor=operator,
            data={"file": str(path), "lines": f"{lines[0]}-{lines[-1]}", "reason": reason},
        )
        for incident, lines in numbers.items()
    ]
