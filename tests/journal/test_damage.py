"""A damaged journal gets one line, never a traceback or a hang (issue 16, item 5).

Random byte flips over a real journal file (its header, the schema text on page 1, its pages
and its -wal), then every command against the damaged copy as a real process: each ends
within 10 s, with exit 0, 1 or 2 and at most one line on stderr; `verify` exits 1 on damage
(2 is for usage errors); `note` and `import` append nothing to a file that fails SQLite's
quick_check.
"""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from cockpit.journal.codec import encode
from cockpit.journal.store import Journal
from cockpit.model import Draft

# another seed or more rounds for a longer hunt: COCKPIT_FUZZ_SEED=7 COCKPIT_FUZZ_ROUNDS=200
SEED = int(os.environ.get("COCKPIT_FUZZ_SEED", "16"))
ROUNDS = int(os.environ.get("COCKPIT_FUZZ_ROUNDS", "40"))
TIMEOUT_S = 10
REPLAY = Path(__file__).with_name("replay_proc.py")
REGIONS = ("header", "schema", "pages", "wal")

# argv after `cockpit`; {jsonl} is an export of the undamaged journal
COMMANDS: dict[str, tuple[str, ...]] = {
    "verify": ("verify",),
    "incidents": ("incidents",),
    "export": ("export", "--format", "md"),
    "note": ("note", "written after the damage"),
    "import": ("import", "{jsonl}"),
    "replay": (),  # run through replay_proc.py: the real load, no screen
}


def _note(incident: str, text: str) -> Draft:
    return Draft(
        incident=incident, kind="note.added", actor="alice", data={"type": "note", "text": text}
    )


async def _fill(journal: Journal, start: int, count: int) -> None:
    for i in range(start, start + count):
        incident = "INC-A" if i % 3 else "INC-B"
        await journal.append(_note(incident, f"note {i}: " + "checkout 5xx " * (i % 7)))
        if i % 5 == 0:
            digest, body = encode({"alerts": [{"name": f"HighErrorRate{i}", "state": "firing"}]})
            await journal.add_observation(
                incident, f"2026-12-02T10:{i % 60:02d}:00.000Z", "alerts", "snapshot", digest, body
            )


@dataclass
class Base:
    db: bytes  # a journal closed cleanly: everything in the main file
    live_db: bytes  # the same journal mid-session, its last events only in the -wal
    live_wal: bytes
    jsonl: Path


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Base:
    import asyncio

    from cockpit.journal import export

    where = tmp_path_factory.mktemp("base")
    path = where / "j.sqlite"

    async def build() -> Base:
        async with await Journal.open(path) as journal:
            await _fill(journal, 0, 30)
            jsonl = where / "a.jsonl"
            jsonl.write_text(await export.render(journal, "INC-A", "jsonl"))
        async with await Journal.open(path) as journal:
            journal.idle_checkpoint_s = 3600  # keep the new events in the -wal for the copy
            await _fill(journal, 30, 20)
            wal = Path(str(path) + "-wal")
            live_db, live_wal = path.read_bytes(), wal.read_bytes()
        return Base(path.read_bytes(), live_db, live_wal, jsonl)

    return asyncio.run(build())


def _flip(rng: random.Random, data: bytearray, lo: int, hi: int) -> None:
    for _ in range(rng.randint(1, 4)):
        data[rng.randrange(lo, min(hi, len(data)))] ^= 1 << rng.randrange(8)


def _damage(rng: random.Random, base: Base, region: str) -> tuple[bytes, bytes | None]:
    if region == "wal":
        wal = bytearray(base.live_wal)
        _flip(rng, wal, 0, len(wal))
        return base.live_db, bytes(wal)
    db = bytearray(base.db)
    if region == "header":
        _flip(rng, db, 16, 100)  # the magic string itself is the location check's business
    elif region == "schema":
        start = db.index(b"CREATE TABLE events")
        _flip(rng, db, start, start + 1500)
    else:
        _flip(rng, db, 4096, len(db))
    return bytes(db), None


def _quick_check_fails(db: bytes, wal: bytes | None, scratch: Path) -> bool:
    scratch.mkdir(parents=True)
    path = scratch / "j.sqlite"
    path.write_bytes(db)
    if wal is not None:
        Path(str(path) + "-wal").write_bytes(wal)
    try:
        conn = sqlite3.connect(path)
        try:
            return conn.execute("PRAGMA quick_check(1)").fetchone()[0] != "ok"
        finally:
            conn.close()
    except (sqlite3.Error, UnicodeError):
        return True


def _run(
    name: str, db: bytes, wal: bytes | None, where: Path, base: Base, env: dict[str, str]
) -> tuple[str, subprocess.CompletedProcess[str] | None, bytes]:
    where.mkdir(parents=True)
    path = where / "j.sqlite"
    path.write_bytes(db)
    if wal is not None:
        Path(str(path) + "-wal").write_bytes(wal)
    args = [a.replace("{jsonl}", str(base.jsonl)) for a in COMMANDS[name]]
    if name == "replay":
        argv = [sys.executable, str(REPLAY), "--journal", str(path)]
    else:
        argv = [sys.executable, "-m", "cockpit", *args, "--journal", str(path)]
    try:
        result = subprocess.run(
            argv, cwd=where, env=env, capture_output=True, text=True, timeout=TIMEOUT_S
        )
    except subprocess.TimeoutExpired:
        return name, None, path.read_bytes()
    return name, result, path.read_bytes()


def _problems(
    name: str,
    result: subprocess.CompletedProcess[str] | None,
    damaged: bool,
    before: bytes,
    after: bytes,
) -> list[str]:
    if result is None:
        return [f"{name}: still running after {TIMEOUT_S} s"]
    out, err, rc = result.stdout, result.stderr, result.returncode
    said = f"{name}: exit {rc}, stderr {err[-400:]!r}, stdout {out[:120]!r}"
    if "Traceback" in err or rc not in (0, 1, 2):
        return [said]
    lines = err.splitlines()
    problems = []
    if rc == 0 and lines:
        problems.append(f"{said} (exit 0 with an error line)")
    if rc != 0 and len(lines) != 1:
        chain_line = name == "verify" and rc == 1 and out.startswith("chain broken at seq ")
        if not (chain_line and not lines):
            problems.append(f"{said} (not exactly one line)")
    if name == "verify":
        newer = "newer than this cockpit" in err  # a flipped user_version reads as exactly that
        if rc == 2 and not newer:
            problems.append(f"{said} (damage is a failure found: exit 1, not 2)")
        if damaged and rc == 0:
            problems.append(f"{said} (the file fails quick_check but verify said ok)")
    if name in ("note", "import") and damaged:
        if rc == 0:
            problems.append(f"{said} (appended to a file that fails quick_check)")
        elif after != before:
            problems.append(f"{name}: refused, but the damaged file changed")
    return problems


def test_random_byte_flips_give_one_line_never_a_traceback_or_a_hang(
    base: Base, tmp_path: Path, env: dict[str, str]
) -> None:
    rng = random.Random(SEED)
    found: list[str] = []
    damaged_rounds = 0
    with ThreadPoolExecutor(max_workers=2) as pool:
        for n in range(ROUNDS):
            region = REGIONS[n % len(REGIONS)]
            db, wal = _damage(rng, base, region)
            damaged = _quick_check_fails(db, wal, tmp_path / f"r{n}" / "check")
            damaged_rounds += damaged
            runs = [
                pool.submit(_run, name, db, wal, tmp_path / f"r{n}" / name, base, env)
                for name in COMMANDS
            ]
            for run in runs:
                name, result, after = run.result()
                for problem in _problems(name, result, damaged, db, after):
                    found.append(f"round {n} ({region}): {problem}")
    assert not found, "\n".join(found)
    assert damaged_rounds >= 5, "the flips should damage the file in a good share of rounds"


def test_damage_in_the_schema_text_does_not_hang(
    base: Base, tmp_path: Path, env: dict[str, str]
) -> None:
    """A byte that is not UTF-8 in the schema text made SQLite's error undecodable: the
    UnicodeDecodeError skipped the close of aiosqlite's (non-daemon) thread and the process
    never ended after printing its traceback."""
    db = bytearray(base.db)
    # "CREATE TABLE events \xf6": SQLite's syntax error quotes the byte that is not UTF-8
    db[db.index(b"CREATE TABLE events (") + len("CREATE TABLE events ")] = 0xF6
    for name in ("verify", "incidents", "note", "export", "replay"):
        _, result, after = _run(name, bytes(db), None, tmp_path / name, base, env)
        assert result is not None, f"{name} hung on a damaged schema"
        assert result.returncode == 1, (name, result.stderr)
        (line,) = result.stderr.splitlines()
        assert line.startswith("cockpit: journal ") and " is damaged (" in line, line
        assert after == bytes(db)  # nothing written into it


@pytest.mark.parametrize(
    ("case", "needle"),
    [
        ("seq no longer the row id", "the definition of events is not the one cockpit wrote"),
        ("trigger lets UPDATE through", "the definition of events_no_update"),
        ("schema version lowered", "its header says schema 0"),
    ],
)
def test_damage_that_still_parses_is_found(
    base: Base, tmp_path: Path, env: dict[str, str], case: str, needle: str
) -> None:
    """A flip can leave a schema SQLite still accepts but that means something else: every seq
    read NULL and import crashed on it; or the append-only trigger stops refusing. The
    journal compares its schema with the text its migrations wrote."""
    db = bytearray(base.db)
    if case == "seq no longer the row id":
        at = db.index(b"seq       INTEGER PRIMARY KEY") + len("seq       ")
        db[at : at + 7] = b"INTEGEQ"
    elif case == "trigger lets UPDATE through":
        at = db.index(b"BEFORE UPDATE ON events")
        db[at : at + 6] = b"AFTER "  # same length: the page stays whole
    else:
        db[60:64] = (0).to_bytes(4, "big")  # user_version: the header's schema version
    for name in ("verify", "note", "import", "incidents"):
        _, result, after = _run(name, bytes(db), None, tmp_path / name, base, env)
        assert result is not None and result.returncode == 1, (name, result)
        (line,) = result.stderr.splitlines()
        assert " is damaged (" in line and needle in line, line
        assert after == bytes(db)
