"""`cockpit verify FILE`: an export checked on its own, without the journal it came from.

The file's per-incident chain (cloudevents.py) is recomputed line by line: every event
present (versions 1..N, as many as the manifest says), unaltered (each `eventhash` matches
its line), in order (each `prevhash` is the line before's `eventhash`), ending at the
manifest. Every line that does not fit is named by its number in the file. The md and html
exports carry the same lines in a machine-readable block, found and checked the same way.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from pathlib import Path
from typing import Any, NamedTuple

import msgspec

from cockpit.identifiers import shown
from cockpit.journal.cloudevents import (
    MANIFEST_TYPE,
    SPECVERSION,
    TYPE_PREFIX,
    UNHASHED,
    line_hash,
)
from cockpit.journal.gcpause import gc_paused
from cockpit.journal.jcs import EXPORT_SCHEME, NotCanonicalizable, NotPlain, plain_scan
from cockpit.model import GENESIS_HASH

# where the md and html exports keep the lines (export_md.py / export_html.py write them)
MD_BEGIN = "```cockpit-export zlib+base64"
MD_END = "```"
# a hidden pre, not a script element: the html export runs nothing (and its CSP says so)
HTML_BEGIN = '<pre id="cockpit-export" hidden data-encoding="zlib+base64">'
HTML_END = "</pre>"
MAX_BLOCK_BYTES = 256 * 1024 * 1024  # inflated: the import limit of one file
MAX_SHOWN = 20


class ExportCheck(NamedTuple):
    ok: bool
    incident: str
    events: int
    head: str
    problems: list[str]  # "line N: why", in file order
    manifest: dict[str, Any] | None

    def lines(self, signed: str = "unsigned") -> list[str]:
        """What verify prints; `signed`: what export_seal.check_seal found."""
        if self.ok:
            data = self.manifest or {}
            redacted = ", note texts redacted (each committed by hash)" if data["redacted"] else ""
            journal = data.get("journal") or {}
            return [
                f"ok: {self.events} events of {self.incident}, head {self.head}, {signed}"
                f"{redacted} (from journal head seq {journal.get('seq')}"
                f" {journal.get('hash')})"
            ]
        shown_ = self.problems[:MAX_SHOWN]
        more = len(self.problems) - len(shown_)
        tail = [f"... and {more} more"] if more else []
        return [*shown_, *tail, f"export does not verify: {len(self.problems)} problem(s)"]


def export_lines(path: Path) -> tuple[str, list[tuple[int, str]]]:
    """Where the lines are ("" for a jsonl file, "the export block of FILE: " for md and
    html) and (line number, text) of each: of the file, or of the embedded block."""
    text = _read_regular(path).decode("utf-8")
    first = text.lstrip()
    if first.startswith("{"):
        lines = text.split("\n")
        return "", [(i + 1, line) for i, line in enumerate(lines) if line.strip()]
    # md and html: the block's markers found as whole lines, from the end (the block is
    # written last); the million base64 lines between them are never split one by one
    found = max(_last_line(text, MD_BEGIN), _last_line(text, HTML_BEGIN))
    if found[0] < 0:
        raise ValueError(
            f"{path} holds no cockpit export block: export it with cockpit export ID --format"
            " jsonl|md|html (of this cockpit or newer)"
        )
    start, stop = found
    begin = text.count("\n", 0, start)  # 0-based line number of the marker
    close = MD_END if text[start:stop].strip() == MD_BEGIN else HTML_END
    end = _first_line(text, close, stop)
    if end < 0:
        raise ValueError(f"line {begin + 1} of {path}: the export block is not closed (cut?)")
    packed = text[stop + 1 : end].replace("\n", "")
    block = _unpack(packed, begin + 1, path)
    where = f"line {begin + 1} of {path}, the export block: "
    return where, [(i + 1, line) for i, line in enumerate(block.split("\n")) if line.strip()]


def _line_span(text: str, at: int) -> tuple[int, int]:
    """(start, end) of the line holding position `at`, without its newline."""
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    return start, len(text) if end < 0 else end


def _last_line(text: str, marker: str) -> tuple[int, int]:
    """The span of the last line that is `marker` alone (blanks around it allowed), or
    (-1, -1). Searched from the end: the block is written last, after any journal text."""
    at = len(text)
    while (at := text.rfind(marker, 0, at)) >= 0:
        start, end = _line_span(text, at)
        if text[start:end].strip() == marker:
            return start, end
    return -1, -1


def _first_line(text: str, marker: str, after: int) -> int:
    """Where the first line after `after` that is `marker` alone starts, or -1."""
    at = after
    while (at := text.find(marker, at)) >= 0:
        start, end = _line_span(text, at)
        if text[start:end].strip() == marker:
            return start
        at += len(marker)
    return -1


def _unpack(packed: str, at: int, path: Path) -> str:
    import base64
    import binascii
    import zlib

    try:
        raw = base64.b64decode(packed.replace(" ", ""), validate=True)
        inflater = zlib.decompressobj()
        data = inflater.decompress(raw, MAX_BLOCK_BYTES)
        if inflater.unconsumed_tail:
            raise ValueError(f"line {at} of {path}: the export block inflates past 256 MiB")
        return data.decode("utf-8")
    except (binascii.Error, zlib.error, UnicodeDecodeError) as exc:
        raise ValueError(
            f"line {at} of {path}: the export block is damaged ({exc}): it was edited"
        ) from None


def _read_regular(path: Path) -> bytes:
    """The file's bytes, if it is a regular file within the limit: /dev/zero, a FIFO or a
    directory is no export (reading the first two would never end)."""
    # O_NONBLOCK: a FIFO cannot hold the open; fstat then refuses it
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ValueError(
                f"{path} is not a regular file (a directory, device or pipe): verify reads a"
                " file written by cockpit export ID --format jsonl|md|html -o FILE"
            )
        if st.st_size > MAX_BLOCK_BYTES:
            raise ValueError(f"{path} is {st.st_size // 2**20} MiB, over the 256 MiB of one export")
        return f.read(MAX_BLOCK_BYTES + 1)


class _Dup(ValueError):
    pass


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise _Dup("a key appears twice in one object")  # two readers could disagree
    return obj


_strict = json.JSONDecoder(object_pairs_hook=_object).decode
# json.dumps(sort_keys=True, compact, ensure_ascii=False) to the byte for a value without
# floats (the tests pin it over every BMP character), six times faster
_sorted = msgspec.json.Encoder(order="sorted").encode
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _parse(text: str) -> tuple[Any, str]:
    """The line's value and its eventhash recomputed ("" if it has no canonical form).

    The common line (no float, no long integer, nothing beyond U+FFFF) is written back in
    sorted compact form, which is then its JCS; a line that is not already that text (a key
    given twice, a reformatted line) is parsed strictly and canonicalized by jcs.py.
    """
    raw = text.encode("utf-8")
    try:
        obj, end = plain_scan(text, 0)
        plain = (
            end == len(text)
            and type(obj) is dict
            and (text.isascii() or not _ASTRAL.search(text))  # isascii: no scan, most lines
        )
    except (NotPlain, StopIteration, ValueError):
        plain = False
    if plain:
        stated = obj.get("eventhash")
        if type(stated) is str and _sorted(obj) == raw:
            body = obj.copy()  # and the UNHASHED popped: a third of a comprehension's time
            pop = body.pop
            for name in UNHASHED:
                pop(name, None)
            return obj, hashlib.sha256(_sorted(body)).hexdigest()
    obj = _strict(text)
    if type(obj) is not dict:
        return obj, ""
    try:
        return obj, line_hash(obj)
    except NotCanonicalizable:
        return obj, ""


def check_export(numbered: list[tuple[int, str]]) -> ExportCheck:
    """Recompute the per-incident chain over the lines; name every line that does not fit."""
    parsed: list[tuple[int, dict[str, Any], str]] = []
    problems: list[str] = []
    for number, text in numbered:
        try:
            obj, actual = _parse(text)
        except (ValueError, RecursionError) as exc:
            problems.append(f"line {number}: not a JSON object ({exc})")
            continue
        except UnicodeEncodeError:
            problems.append(f"line {number}: a string holds a lone surrogate: not Unicode")
            continue
        if type(obj) is not dict or obj.get("specversion") != SPECVERSION:
            if not parsed and type(obj) is dict and {"prev_hash", "hash", "kind"} <= obj.keys():
                raise ValueError(
                    f"line {number} is in the export format of cockpits before CloudEvents,"
                    " which has no chain of its own and cannot be verified without the journal:"
                    " export the incident again with this cockpit (cockpit import still reads it)"
                )
            problems.append(f"line {number}: not a CloudEvent of a cockpit export")
            continue
        parsed.append((number, obj, actual))
    if not parsed:
        return ExportCheck(False, "", 0, "", problems or ["the file has no event lines"], None)

    # where each version is, to tell a moved line from a removed one
    where: dict[Any, int] = {}
    for number, obj, _ in parsed:
        where.setdefault(obj.get("version"), number)

    incident = str(parsed[0][1].get("subject", ""))
    prev, prev_number = GENESIS_HASH, 0
    expected = 1
    count = 0
    manifest: dict[str, Any] | None = None
    for number, obj, actual in parsed:
        if manifest is not None:
            problems.append(f"line {number}: after the manifest line {manifest['_line']}")
            continue
        stated = obj.get("eventhash")
        if not actual:
            problems.append(f"line {number}: a value JSON canonicalization has no text for")
        elif obj.get("subject") != incident:
            problems.append(
                f"line {number}: subject {shown(str(obj.get('subject')))} is not {incident}"
                " (a line of another incident inserted?)"
            )
        elif stated != actual:
            problems.append(f"line {number}: edited (its eventhash does not match its content)")
        elif obj.get("type") == MANIFEST_TYPE:
            manifest = {
                **_manifest_data(number, obj, problems),
                "_line": number,
                "_eventhash": stated,
                "_signature": obj.get("signature"),  # export_seal.py checks it
            }
            if obj.get("prevhash") != prev:
                problems.append(
                    f"line {number}: the manifest does not follow line {prev_number}"
                    " (lines after it removed?)"
                )
            continue
        elif not str(obj.get("type", "")).startswith(TYPE_PREFIX):
            problems.append(f"line {number}: type {shown(str(obj.get('type')))} is not cockpit's")
        else:
            version = obj.get("version")
            if version != expected:
                problems.append(_order_problem(number, version, expected, where))
            elif obj.get("prevhash") != prev:
                problems.append(
                    f"line {number}: prevhash is not the eventhash of line {prev_number}"
                    if prev_number
                    else f"line {number}: the first event does not start the chain (prevhash)"
                )
        if type(obj.get("version")) is int:
            expected = max(expected, obj["version"] + 1)
        prev = stated if isinstance(stated, str) else ""
        prev_number = number
        count += 1

    head = prev
    if manifest is None:
        last = parsed[-1][0]
        problems.append(
            f"line {last + 1}: the manifest line is missing: the file was cut after line {last}"
            " (or written by an older cockpit, which cannot be verified on its own)"
        )
    else:
        if manifest.get("events") != count:
            problems.append(
                f"line {manifest['_line']}: the manifest covers {manifest.get('events')} events,"
                f" the file has {count}"
            )
        if manifest.get("head") != head:
            problems.append(f"line {manifest['_line']}: the manifest's head is not the last line's")
    return ExportCheck(not problems, incident, count, head, problems, manifest)


def _manifest_data(number: int, obj: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    data = obj.get("data")
    if type(data) is not dict or data.get("hashscheme") != EXPORT_SCHEME:
        scheme = data.get("hashscheme") if type(data) is dict else None
        problems.append(
            f"line {number}: hash scheme {shown(str(scheme))} is not one this cockpit knows"
            f" ({EXPORT_SCHEME}): upgrade cockpit"
        )
        return {}
    return data


def _order_problem(number: int, version: Any, expected: int, where: dict[Any, int]) -> str:
    if type(version) is not int:
        return f"line {number}: no version"
    if version < expected:
        return f"line {number}: version {version} after version {expected - 1} (line moved?)"
    found = where.get(expected)
    if found is not None and found > number:
        return (
            f"line {number}: version {version} before version {expected} (line {found}):"
            " lines moved"
        )
    gone = f"{expected}" if version == expected + 1 else f"{expected} to {version - 1}"
    return (
        f"line {number}: version {version} where {expected} was expected:"
        f" event {gone} missing (removed?)"
    )


def verify_file(path: Path) -> tuple[str, ExportCheck]:
    where, lines = export_lines(path)
    with gc_paused():  # 100k parsed lines kept alive: a quarter of the time went to the GC
        return where, check_export(lines)
