"""`cockpit verify FILE` checks who signed an export (issue 14 items 2 and 4), with keys made
by ssh-keygen, a real ssh-agent and allowed_signers files, `cockpit` run as a process.

The signature covers the export's own chain (export_seal.py): an attacker who edits a line
and recomputes every hash of the file (they are plain SHA-256) gets a file whose chain holds,
and whose signature does not."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from cockpit.journal.cloudevents import MANIFEST_TYPE, line_hash
from cockpit.journal.export import export_block
from cockpit.journal.jcs import canonicalize
from cockpit.journal.selfverify import HTML_BEGIN, HTML_END, MD_BEGIN, MD_END, _unpack
from cockpit.journal.store import Journal
from cockpit.model import GENESIS_HASH, Draft

from .conftest import RunCli
from .sshkeys import allowed_file, fingerprint, signing_config

INCIDENT = "INC-20261202-0122-sig"
UNCHECKED = "signature not checked: no allowed_signers (use --allowed-signers F)"


async def _fill(path: Path, count: int) -> None:
    async with await Journal.open(path) as journal:
        await journal.append_many(
            Draft(INCIDENT, "note.added", "alice", {"type": "note", "text": f"note {i}"})
            for i in range(count)
        )


def _export(run_cli: RunCli, db: Path, fmt: str, config: Path, out: str = "") -> Path:
    out = out or f"inc.{fmt}"
    made = run_cli(
        "export", "--journal", str(db), "--format", fmt, "-o", out, "--config", str(config)
    )
    assert made.returncode == 0, made.stderr
    return db.parent / out


def _rechained(jsonl: str, edit: str, into: str) -> str:
    """What an attacker does: change a text, then recompute every eventhash and prevhash
    and the manifest's head, so the file's own chain holds again."""
    out = []
    prev = GENESIS_HASH
    count = 0
    for line in jsonl.splitlines():
        obj: dict[str, Any] = json.loads(line.replace(edit, into))
        obj["prevhash"] = prev
        if obj["type"] == MANIFEST_TYPE:
            obj["data"]["head"] = prev
            obj["data"]["events"] = count
        else:
            count += 1
        obj["eventhash"] = prev = line_hash(obj)
        out.append(canonicalize(obj).decode("utf-8"))
    return "\n".join(out) + "\n"


def _tamper(path: Path, edit: str, into: str) -> None:
    text = path.read_text()
    if path.suffix == ".jsonl":
        path.write_text(_rechained(text, edit, into))
        return
    begin, end = (HTML_BEGIN, HTML_END) if path.suffix == ".html" else (MD_BEGIN, MD_END)
    head, rest = text.split(begin + "\n", 1)
    block, tail = rest.split("\n" + end, 1)
    lines = _rechained(_unpack(block.replace("\n", ""), 0, path), edit, into)
    path.write_text(head + begin + "\n" + export_block(lines) + "\n" + end + tail)


@pytest.mark.parametrize("fmt", ["jsonl", "md", "html"])
async def test_a_signed_export_names_its_signer_checked_against_allowed_signers(
    db_path: Path, run_cli: RunCli, tmp_path: Path, alice_key: Path, fmt: str
) -> None:
    allowed = allowed_file(tmp_path / "allowed_signers", ("alice", alice_key, ""))
    await _fill(db_path, 48)
    out = _export(run_cli, db_path, fmt, signing_config(tmp_path / "c.toml", alice_key))
    result = run_cli("verify", str(out), "--allowed-signers", str(allowed))
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.match(
        rf"ok: 48 events of {INCIDENT}, head [0-9a-f]{{64}}, signed by alice "
        rf"\(ED25519 {re.escape(fingerprint(alice_key))}\) \(from journal head seq 48 ",
        result.stdout,
    ), result.stdout
    # [signing] allowed_signers in the config does the same
    config = signing_config(tmp_path / "c2.toml", alice_key, allowed)
    same = run_cli("verify", str(out), "--config", str(config))
    assert same.returncode == 0 and "signed by alice (ED25519" in same.stdout
    assert UNCHECKED not in same.stdout

    # without one: the signer is shown, and said to be unchecked
    unchecked = run_cli("verify", str(out))
    assert unchecked.returncode == 0, unchecked.stderr
    assert f"signed by alice (ED25519 {fingerprint(alice_key)}), {UNCHECKED}" in unchecked.stdout

    # the edited file's own chain holds; its signature does not
    _tamper(out, "note 7", "note 8")
    tampered = run_cli("verify", str(out), "--allowed-signers", str(allowed))
    assert tampered.returncode == 1, tampered.stdout
    assert "the signature is not of this export" in tampered.stderr
    assert "lines changed after signing" in tampered.stderr
    assert run_cli("verify", str(out)).returncode == 1  # with no allowed_signers too


async def test_an_unsigned_export_says_so(db_path: Path, run_cli: RunCli, tmp_path: Path) -> None:
    await _fill(db_path, 3)
    made = run_cli("export", "--journal", str(db_path), "--format", "jsonl", "-o", "e.jsonl")
    assert made.returncode == 0
    result = run_cli("verify", "e.jsonl")
    assert result.returncode == 0 and ", unsigned (from journal head" in result.stdout


async def test_a_signature_altered_after_signing_is_a_failure(
    db_path: Path, run_cli: RunCli, tmp_path: Path, alice_key: Path
) -> None:
    await _fill(db_path, 5)
    out = _export(run_cli, db_path, "jsonl", signing_config(tmp_path / "c.toml", alice_key))
    lines = out.read_text().splitlines()
    manifest = json.loads(lines[-1])
    # the note's time moved: it still names this export, the SSH signature no longer fits
    manifest["signature"] = re.sub(
        r"time \S+", "time 2026-01-01T00:00:00.000Z", manifest["signature"]
    )
    out.write_text("\n".join([*lines[:-1], canonicalize(manifest).decode()]) + "\n")
    result = run_cli("verify", str(out))
    assert result.returncode == 1
    assert result.stderr.startswith("export does not verify: line 6: signature of alice: bad")


async def test_a_wrong_signer_an_unknown_key_and_an_expired_entry_each_fail(
    db_path: Path, run_cli: RunCli, tmp_path: Path, alice_key: Path, mallory_key: Path
) -> None:
    await _fill(db_path, 5)
    by_alice = _export(run_cli, db_path, "jsonl", signing_config(tmp_path / "a.toml", alice_key))
    # mallory's key, signing as "alice" (run_cli's operator; no allowed_signers to say else)
    by_mallory = _export(
        run_cli, db_path, "jsonl", signing_config(tmp_path / "m.toml", mallory_key), "m.jsonl"
    )
    cases = [
        (by_alice, ("bob", alice_key, ""), f"wrong signer: the key {fingerprint(alice_key)}"),
        (by_mallory, ("alice", alice_key, ""), f"unknown key {fingerprint(mallory_key)}: not in"),
        (
            by_alice,
            ("alice", alice_key, 'valid-before="20200101"'),
            f"expired key {fingerprint(alice_key)}: ",
        ),
        (
            by_alice,
            ("alice", alice_key, 'namespaces="git"'),
            'not permitted for use in signature namespace "cockpit-journal@v1"',
        ),
    ]
    for n, (export, entry, said) in enumerate(cases):
        allowed = allowed_file(tmp_path / f"allowed{n}", entry)
        result = run_cli("verify", str(export), "--allowed-signers", str(allowed))
        assert result.returncode == 1, (entry, result.stdout)
        assert result.stderr.count("\n") == 1, result.stderr
        assert said in result.stderr, (entry, result.stderr)


async def test_signed_through_a_real_ssh_agent(
    db_path: Path, run_cli: RunCli, tmp_path: Path, agent_key: Path, env: dict[str, str]
) -> None:
    alice_key = agent_key  # in the agent only
    allowed = allowed_file(tmp_path / "allowed_signers", ("alice", alice_key, ""))
    await _fill(db_path, 5)
    out = _export(run_cli, db_path, "html", signing_config(tmp_path / "c.toml", alice_key))
    result = run_cli("verify", str(out), "--allowed-signers", str(allowed))
    assert result.returncode == 0, result.stderr
    assert f"signed by alice (ED25519 {fingerprint(alice_key)})" in result.stdout

    # the agent gone: exported all the same, unsigned, said in one line
    env["SSH_AUTH_SOCK"] = str(tmp_path / "no-agent.sock")
    made = run_cli(
        "export", "--journal", str(db_path), "--format", "jsonl", "-o", "late.jsonl",
        "--config", str(tmp_path / "c.toml"),
    )  # fmt: skip
    assert made.returncode == 0
    assert made.stderr.count("\n") == 1 and "the export unsigned too" in made.stderr
    late = run_cli("verify", "late.jsonl", "--allowed-signers", str(allowed))
    assert late.returncode == 0 and ", unsigned (from journal head" in late.stdout
