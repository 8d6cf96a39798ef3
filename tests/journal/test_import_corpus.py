"""Hostile import files (issue 16, item 3): each is refused in one line naming its line, with
exit 2 (a bad input file is a usage error: errors.py's table, as every import refusal), and the
journal it was imported into is exactly as before: same rows, same head.

The corpus is built from a real export in the format of cockpits before CloudEvents (still
imported; the CloudEvents format's own refusals are in test_export_verify.py), then damaged
as an attacker or an unlucky editor would: schema bypass, an id that is known with other
content, a forged or broken chain, each kind of pathological JSON, oversize lines and events,
and files that are no files.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from cockpit.journal.importer import MAX_DEPTH, MAX_EVENT_BYTES, MAX_LINE_BYTES
from cockpit.journal.rows import row_hash
from cockpit.journal.store import Journal
from cockpit.model import GENESIS_HASH, Draft

from .conftest import RunCli, legacy_export, rows
from .test_export_import import INC, _source

Lines = list[str]  # the export's lines, without newlines
Damage = Callable[[Lines], bytes | str]


def _obj(lines: Lines, i: int) -> dict[str, object]:
    return json.loads(lines[i])


def _put(lines: Lines, i: int, obj: object, *, ascii_only: bool = False) -> Lines:
    lines[i] = json.dumps(obj, ensure_ascii=ascii_only, separators=(",", ":"))
    return lines


def _edit(i: int, ascii_only: bool = False, **fields: object) -> Callable[[Lines], str]:
    def damage(lines: Lines) -> str:
        return _text(_put(lines, i, {**_obj(lines, i), **fields}, ascii_only=ascii_only))

    return damage


def _edit_data(i: int, **data: object) -> Callable[[Lines], str]:
    def damage(lines: Lines) -> str:
        obj = _obj(lines, i)
        return _text(_put(lines, i, {**obj, "data": {**obj["data"], **data}}))  # type: ignore[dict-item]

    return damage


def _raw(i: int, replace: tuple[str, str]) -> Callable[[Lines], str]:
    def damage(lines: Lines) -> str:
        assert replace[0] in lines[i]
        lines[i] = lines[i].replace(*replace, 1)
        return _text(lines)

    return damage


def rechain(lines: Lines) -> Lines:
    """Recompute every hash, as a careful forger would: the file's chain then holds."""
    prev = GENESIS_HASH
    for i, line in enumerate(lines):
        obj = json.loads(line)
        content = {k: obj[k] for k in list(obj)[:10]}
        obj["prev_hash"], obj["hash"] = prev, row_hash(prev, content)
        prev = obj["hash"]
        _put(lines, i, obj)
    return lines


def _text(lines: Lines) -> str:
    return "\n".join(lines) + "\n"


def _nested(depth: int) -> object:
    value: object = "bottom"
    for _ in range(depth):
        value = [value]
    return value


# (case, damage, line named, words in the message)
CORPUS: list[tuple[str, Damage, int | None, str]] = [
    # -- schema bypass: whatever schema a line claims, its payload is checked
    ("newer schema", _edit(5, schema=9, data={"severity": {"a": 1}}), 6, "newer than this"),
    ("old schema, bad shape", _edit(1, schema=1, data={"text": 5}), 2, "'text' must be str"),
    ("schema zero", _edit(2, schema=0), 3, "not a positive integer"),
    ("schema as text", _edit(2, schema="2"), 3, "field 'schema' has the wrong type"),
    ("unknown kind, data a list", _edit(4, data=[1]), 5, "field 'data' has the wrong type"),
    # -- the door: ids, names, kinds, times, fields
    ("hostile incident id", _edit(0, incident="INC-\x1b]0;x\x07"), 1, "incident 'INC-\\x1b]0;x"),
    ("bidi actor", _edit(0, actor="al\u202eice"), 1, "actor 'al\\u202eice'"),
    ("event id with a slash", _edit(0, id="../x"), 1, "id '../x'"),
    ("kind with a space", _edit(0, kind="incident declared"), 1, "kind 'incident declared'"),
    ("time not a time", _edit(0, ts="2026-02-31T10:00:00.000Z"), 1, "ts '2026-02-31"),
    ("field that would be dropped", _edit(0, signature="x"), 1, "unknown field 'signature'"),
    ("duplicate key", _raw(0, ('{"seq":1,', '{"seq":1,"kind":"x",')), 1, "'kind' appears twice"),
    # -- pathological JSON
    # built as text: json.dumps itself cannot write such a value
    ("deep nesting", _raw(2, ('"é ✓"', "[" * 100_000 + "]" * 100_000)), 3, "nested deeper than"),
    ("nesting over the limit", _edit_data(2, extra=_nested(MAX_DEPTH + 1)), 3, "nested deeper"),
    ("lone surrogate", _raw(2, ('"é ✓"', '"\\ud800 x"')), 3, "lone surrogate (\\ud800)"),
    ("huge integer", _edit(3, context={"n": 10**30}), 4, "beyond 64 bits"),
    (
        "5000-digit integer",
        _raw(3, ('"context":{}', '"context":{"n":' + "9" * 5000 + "}")),
        4,
        "beyond 64 bits",
    ),
    ("NaN", _raw(5, ('"context":{"alerts":3}', '"context":{"x":NaN}')), 6, "NaN is not"),
    ("Infinity", _raw(5, ('"context":{"alerts":3}', '"context":{"x":-Infinity}')), 6, "Infinity"),
    (
        "float overflow",
        _raw(5, ('"context":{"alerts":3}', '"context":{"x":1e999}')),
        6,
        "too large",
    ),
    ("not JSON", _raw(3, ('"kind"', '"kind')), 4, "not JSON"),
    ("not an object", lambda lines: _text(_put(lines, 1, [1, 2])), 2, "expected a JSON object"),
    (
        "invalid UTF-8",
        lambda lines: _text(lines).encode().replace(b"\xc3\xa9", b"\xff"),
        3,
        "not UTF-8 (byte 0xff",
    ),
    (
        "byte-order mark",
        lambda lines: b"\xef\xbb\xbf" + _text(lines).encode(),
        1,
        "byte-order mark",
    ),
    # -- limits
    ("oversize line", _edit_data(2, text="x" * (MAX_LINE_BYTES + 10)), 3, "longer than 2 MiB"),
    ("oversize event", _edit_data(2, text="x" * (MAX_EVENT_BYTES + 10)), 3, "over the 1024 KiB"),
    # -- the file's own chain
    ("edited note", _raw(2, ("é ✓", "all fine")), 3, "hash does not match"),
    ("line removed", lambda lines: _text(lines[:2] + lines[3:]), 3, "version 4 of"),
    (
        "lines swapped",
        lambda lines: _text([lines[0], lines[2], lines[1], *lines[3:]]),
        2,
        "version 3 of INC-20261128-1905 where 2 was expected",
    ),
    (
        "no chain",
        lambda lines: _text(
            [
                json.dumps({k: v for k, v in json.loads(x).items() if k not in ("seq", "hash")})
                for x in lines
            ]
        ),
        1,
        "no hash chain",
    ),
    (
        "forged with the next link broken",
        # the edited line and those before it rechained; the next line still links the old
        lambda lines: _text(
            rechain(_put(lines[:3], 2, {**_obj(lines, 2), "data": {"type": "note", "text": "ok"}}))
            + lines[3:]
        ),
        4,
        "prev_hash is not the hash of line 3",
    ),
    (
        "in-file duplicate id",
        lambda lines: _text(
            [*lines, json.dumps({**_obj(lines, 2), "ts": "2026-01-01T00:00:00.000Z"})]
        ),
        7,
        "also on line 3 with different ts",
    ),
]


@pytest.fixture
async def exported(tmp_path: Path, run_cli: RunCli) -> Lines:
    src, out = tmp_path / "src.sqlite", tmp_path / "good.jsonl"
    await _source(src)
    return legacy_export(src, INC, out)


@pytest.fixture
async def target(tmp_path: Path) -> Path:
    """The journal imported into: it already holds another incident."""
    path = tmp_path / "dst.sqlite"
    async with await Journal.open(path) as journal:
        await journal.append(
            Draft("INC-EXISTING", "note.added", "z", {"type": "note", "text": "x"})
        )
    return path


def _state(path: Path) -> tuple[int, str, list[tuple[object, ...]]]:
    """Row count, head hash and every row of the journal file, read without cockpit."""
    with sqlite3.connect(path) as conn:
        count, head = conn.execute(
            "SELECT count(*), (SELECT hash FROM events ORDER BY seq DESC LIMIT 1) FROM events"
        ).fetchone()
    return count, head, rows(path)


def _refused(run_cli: RunCli, file: Path, journal: Path, *more: str) -> str:
    before = _state(journal)
    result = run_cli("import", str(file), "--journal", str(journal), *more, timeout=30)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("cockpit: ") and len(lines[0]) < 600
    assert _state(journal) == before  # not even the good lines before the bad one
    return lines[0]


@pytest.mark.parametrize(("case", "damage", "line", "words"), CORPUS, ids=[c[0] for c in CORPUS])
def test_hostile_file_is_refused_in_one_line(
    tmp_path: Path,
    run_cli: RunCli,
    exported: Lines,
    target: Path,
    case: str,
    damage: Damage,
    line: int,
    words: str,
) -> None:
    damaged = damage(list(exported))
    bad = tmp_path / "bad.jsonl"
    if isinstance(damaged, bytes):
        bad.write_bytes(damaged)
    else:
        bad.write_text(damaged, encoding="utf-8", errors="surrogatepass")
    message = _refused(run_cli, bad, target)
    assert f"cockpit: line {line}: " in message, message
    assert words in message, message


async def test_known_id_with_other_content_is_an_error(
    tmp_path: Path, run_cli: RunCli, exported: Lines, target: Path
) -> None:
    good = tmp_path / "good.jsonl"
    assert run_cli("import", str(good), "--journal", str(target)).returncode == 0
    # the same ids, one note rewritten and the whole chain recomputed: the file is consistent
    forged = rechain(
        _put(
            list(exported),
            2,
            {**_obj(exported, 2), "data": {"type": "finding", "text": "nothing found"}},
        )
    )
    bad = tmp_path / "forged.jsonl"
    bad.write_text(_text(forged), encoding="utf-8")
    message = _refused(run_cli, bad, target)
    assert (
        message.startswith("cockpit: line 3: event ")
        and "already in the journal with different data" in message
    )
    # the identical file is still a no-op
    again = run_cli("import", str(good), "--journal", str(target))
    assert again.returncode == 0 and again.stdout.startswith("imported 0 new events (6 known)")


async def test_broken_chain_imports_with_force_and_is_journaled(
    tmp_path: Path, run_cli: RunCli, exported: Lines, target: Path
) -> None:
    bad = tmp_path / "edited.jsonl"
    bad.write_text(_raw(2, ("é ✓", "all fine"))(list(exported)), encoding="utf-8")
    assert "--force imports it anyway" in _refused(run_cli, bad, target)

    forced = run_cli("import", str(bad), "--journal", str(target), "--force")
    assert forced.returncode == 0, forced.stderr
    out = forced.stdout.splitlines()
    assert out[0] == "imported 6 new events (0 known)"
    assert "line 3: hash does not match" in out[1] and "journal.import.forced" in out[1]
    with sqlite3.connect(target) as conn:
        stored = conn.execute(
            "SELECT kind, actor, data FROM events WHERE incident = ? ORDER BY seq", (INC,)
        ).fetchall()
    assert [k for k, _, _ in stored][-1] == "journal.import.forced"
    assert "all fine" in stored[2][2]
    _, actor, data = stored[-1]
    assert actor == "alice"  # COCKPIT_OPERATOR: who forced it
    assert json.loads(data) == {
        "file": str(bad),
        "lines": "1-6",
        "reason": "line 3: hash does not match the line's content (edited?)",
    }
    assert run_cli("verify", "--journal", str(target)).returncode == 0


async def test_two_exports_of_one_incident_back_to_back_import(
    tmp_path: Path, run_cli: RunCli, exported: Lines, target: Path
) -> None:
    """A re-export repeats the lines already exported: that is an overlap, not tampering."""
    both = tmp_path / "both.jsonl"
    both.write_text(_text(exported[:4] + exported), encoding="utf-8")
    result = run_cli("import", str(both), "--journal", str(target))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("imported 6 new events (4 known)")


@pytest.mark.parametrize("what", ["fifo", "/dev/zero", "directory"])
def test_files_that_are_no_files_are_refused_before_reading(
    tmp_path: Path, run_cli: RunCli, target: Path, what: str
) -> None:
    if what == "fifo":
        path = tmp_path / "pipe.jsonl"
        os.mkfifo(path)  # nobody writes it: reading it would wait for ever
        expected = "is a named pipe (FIFO), not a file"
    elif what == "directory":
        path = tmp_path
        expected = "is a directory, not a file"
    else:
        path = Path(what)
        expected = "is a character device, not a file"
    message = _refused(run_cli, path, target)
    assert expected in message and "cockpit export" in message


async def test_export_from_before_a_redaction_rule_reimports_as_no_op(
    tmp_path: Path, run_cli: RunCli
) -> None:
    """A journal written before a rule existed (here: redaction off) holds the text as it was;
    its own export, imported back, is the same events, not a conflict."""
    path, out = tmp_path / "old.sqlite", tmp_path / "old.jsonl"
    async with await Journal.open(path, redact_secrets=False) as journal:
        await journal.append(Draft(INC, "note.added", "bob", {"type": "note", "text": "token=abc"}))
    assert (
        run_cli(
            "export", INC, "--journal", str(path), "--format", "jsonl", "-o", str(out)
        ).returncode
        == 0
    )
    before = _state(path)
    again = run_cli("import", str(out), "--journal", str(path))
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("imported 0 new events (1 known)")
    assert _state(path) == before


async def test_bad_line_900_leaves_nothing_of_the_899_before(
    tmp_path: Path, run_cli: RunCli, target: Path
) -> None:
    src, out = tmp_path / "big.sqlite", tmp_path / "big.jsonl"
    async with await Journal.open(src) as journal:
        await journal.append_many(
            [Draft(INC, "note.added", "bob", {"type": "note", "text": f"n{i}"}) for i in range(900)]
        )
    lines = legacy_export(src, INC, out)
    assert len(lines) == 900
    bad = tmp_path / "bad.jsonl"
    bad.write_text(_edit(899, schema=3)(lines), encoding="utf-8")
    message = _refused(run_cli, bad, target)
    assert message.startswith("cockpit: line 900: note.added: schema 3 is newer than this cockpit")
