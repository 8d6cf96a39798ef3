"""Checkpoints catch a journal cut at its end; SSH signatures say who stated them.

Real pieces only: the journal file cut through raw sqlite3 (triggers dropped, as anyone with
the file can), `cockpit` run as a process, keys made by ssh-keygen, a real ssh-agent.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from cockpit.journal import checkpoints
from cockpit.journal.checkpointing import Signing, due, write_checkpoint
from cockpit.journal.store import Journal
from cockpit.model import Draft

from .conftest import RunCli
from .sshkeys import allowed_file, fingerprint, signing_config

INCIDENT = "INC-20261202-0122-cp"
NS = ("-n", "cockpit-journal@v1", "-s")


async def _fill(path: Path, count: int, start: int = 0) -> None:
    async with await Journal.open(path) as journal:
        await journal.append_many(
            Draft(
                incident=INCIDENT,
                kind="note.added",
                actor="alice",
                data={"type": "note", "text": f"note {i}"},
            )
            for i in range(start, start + count)
        )


def _cut(path: Path, keep: int, *, checkpoints_too: bool = False) -> None:
    """What someone with the file does to make the record say less: drop the triggers,
    delete the newest rows (and, to hide it, the checkpoints kept beside them)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("DROP TRIGGER events_no_delete")
        conn.execute("DELETE FROM events WHERE seq > ?", (keep,))
        if checkpoints_too:
            conn.execute("DROP TRIGGER checkpoints_no_delete")
            conn.execute("DELETE FROM checkpoints")
    finally:
        conn.close()


def _stored_notes(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT note FROM checkpoints ORDER BY id")]
    finally:
        conn.close()


# -- the text form ----------------------------------------------------------------------------


def test_checkpoint_note_round_trips_and_embeds() -> None:
    head = "ab" * 32
    made = checkpoints.make(
        "0193d5f0-6c1e-7a41-9b8e-1f2a3b4c5d6e", 212, head, "2026-12-02T01:22:10.000Z"
    )
    text = made.text()
    assert text.splitlines()[:4] == [
        "cockpit-journal/0193d5f0-6c1e-7a41-9b8e-1f2a3b4c5d6e",
        "212",
        "q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=",
        "time 2026-12-02T01:22:10.000Z",
    ]
    assert text.endswith("\n\n")  # C2SP: body, blank line, (no) signature lines
    assert checkpoints.parse(text) == made
    pasted = f"from the incident channel:\n{made.embed()}thanks\n"
    assert checkpoints.find_all(pasted) == [made]
    with pytest.raises(checkpoints.CheckpointError, match="size line"):
        checkpoints.parse(text.replace("\n212\n", "\n2x2\n"))


def test_due_on_the_listed_kinds_and_every_hundred_events() -> None:
    assert due(["status.changed"], 5, 5) and due(["operator.handoff"], 7, 7)
    assert not due(["note.added"], 99, 99)
    assert due(["note.added"], 100, 100)
    assert due(["note.added"], 95, 130)  # an import passing 100
    assert not due(["note.added"], 101, 199)


# -- truncation -------------------------------------------------------------------------------


async def test_journal_cut_after_a_checkpoint_is_caught(db_path: Path, run_cli: RunCli) -> None:
    await _fill(db_path, 212)
    exported = run_cli("export", "--journal", str(db_path), "--format", "md", "-o", "t.md")
    assert exported.returncode == 0, exported.stderr
    assert len(_stored_notes(db_path)) == 1  # an export writes one
    ok = run_cli("verify", "--journal", str(db_path))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "ok: 1 checkpoints on the chain (0 signed)" in ok.stdout
    assert "covers 212 events, unsigned" in ok.stdout

    _cut(db_path, 197)
    result = run_cli("verify", "--journal", str(db_path))
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.startswith("ok: 197 events")  # the chain alone still holds
    assert re.search(
        r"journal truncated: checkpoint of \d\d:\d\d:\d\d \(unsigned\) covers 212 events, "
        r"the journal has 197",
        result.stderr,
    ), result.stderr
    assert "Traceback" not in result.stderr


async def test_checkpoint_kept_only_in_a_file_catches_the_cut(
    db_path: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    await _fill(db_path, 212)
    async with await Journal.open(db_path) as journal:
        checkpoint, _ = await write_checkpoint(journal, None)
    assert checkpoint is not None
    kept = tmp_path / "pasted.txt"
    kept.write_text("as pasted in #inc-checkout:\n" + checkpoint.embed())

    _cut(db_path, 197, checkpoints_too=True)
    alone = run_cli("verify", "--journal", str(db_path))
    assert alone.returncode == 0  # nothing in the file says anything is missing
    result = run_cli("verify", "--journal", str(db_path), "--checkpoint", str(kept))
    assert result.returncode == 1
    assert "covers 212 events, the journal has 197" in result.stderr

    # cut and written again to the same length: the head is not on the chain any more
    await _fill(db_path, 15, start=1000)
    rewritten = run_cli("verify", "--journal", str(db_path), "--checkpoint", str(kept))
    assert rewritten.returncode == 1
    assert rewritten.stdout.startswith("ok: 212 events")
    assert "journal rewritten: checkpoint of" in rewritten.stderr
    assert f"ending at {checkpoint.head}, not on the chain" in rewritten.stderr


async def test_checkpoint_of_another_journal_or_unreadable_is_said(
    db_path: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    await _fill(db_path, 3)
    other = checkpoints.make("0193d5f0-0000-7000-8000-000000000000", 3, "cd" * 32)
    (tmp_path / "other.txt").write_text(other.text())
    result = run_cli("verify", "--journal", str(db_path), "--checkpoint", "other.txt")
    assert result.returncode == 1
    assert "is of another journal (cockpit-journal/0193d5f0-0000" in result.stderr
    (tmp_path / "junk.txt").write_text("hello\n")
    junk = run_cli("verify", "--journal", str(db_path), "--checkpoint", "junk.txt")
    assert junk.returncode == 2
    assert junk.stderr.startswith("cockpit: --checkpoint junk.txt: not a cockpit checkpoint")


# -- signatures -------------------------------------------------------------------------------


async def test_signed_with_a_key_file_and_verified_against_allowed_signers(
    db_path: Path, run_cli: RunCli, tmp_path: Path, alice_key: Path
) -> None:
    allowed = allowed_file(tmp_path / "allowed_signers", ("alice", alice_key, ""))
    config = signing_config(tmp_path / "config.toml", alice_key, allowed)
    await _fill(db_path, 212)
    result = run_cli(
        "export", "--journal", str(db_path), "--format", "md", "-o", "t.md", "--config", str(config)
    )
    assert result.returncode == 0 and result.stderr == "", result.stderr
    (note,) = _stored_notes(db_path)
    assert re.search(r"^\u2014 alice [A-Za-z0-9+/=]+$", note, re.M), note
    # any SRE's OpenSSH checks it, without cockpit
    parsed = checkpoints.parse(note)
    sig = tmp_path / "cp.sig"
    sig.write_text(parsed.signatures[0].armored())
    (tmp_path / "cp.body").write_text(parsed.body())
    with (tmp_path / "cp.body").open("rb") as body:
        plain = subprocess.run(
            ["ssh-keygen", "-Y", "verify", "-f", str(allowed), "-I", "alice", *NS, str(sig)],
            stdin=body,
            capture_output=True,
            text=True,
        )
    assert plain.returncode == 0, plain.stderr

    ok = run_cli("verify", "--journal", str(db_path), "--config", str(config))
    assert ok.returncode == 0, ok.stderr
    assert f"signed by alice (ED25519 {fingerprint(alice_key)})" in ok.stdout

    _cut(db_path, 197)
    cut = run_cli("verify", "--journal", str(db_path), "--allowed-signers", str(allowed))
    assert cut.returncode == 1
    assert re.search(
        r"journal truncated: checkpoint of \S+ \(signed by alice\) covers 212 events, "
        "the journal has 197",
        cut.stderr,
    ), cut.stderr


async def test_signed_through_a_real_ssh_agent_and_unsigned_without_one(
    db_path: Path, run_cli: RunCli, tmp_path: Path, agent_key: Path, env: dict[str, str]
) -> None:
    alice_key = agent_key
    allowed = allowed_file(tmp_path / "allowed_signers", ("alice", alice_key, ""))
    config = signing_config(tmp_path / "config.toml", alice_key)
    await _fill(db_path, 5)

    signed = run_cli("note", "--journal", str(db_path), "--config", str(config), "x" * 3)
    exported = run_cli(
        "export", "--journal", str(db_path), "--format", "md", "-o", "t.md", "--config", str(config)
    )
    assert signed.returncode == 0 and exported.returncode == 0 and exported.stderr == ""
    (note,) = _stored_notes(db_path)
    assert checkpoints.parse(note).signed

    # the agent is gone: the export still happens, the checkpoint is kept unsigned, said once
    env["SSH_AUTH_SOCK"] = str(tmp_path / "no-agent.sock")
    again = run_cli(
        "export", "--journal", str(db_path), "--format", "md", "-o", "t.md", "--config", str(config)
    )
    assert again.returncode == 0
    assert again.stderr.startswith("cockpit: checkpoint stored unsigned: ")
    assert again.stderr.count("\n") == 1
    notes = _stored_notes(db_path)
    assert len(notes) == 2 and not checkpoints.parse(notes[1]).signed
    ok = run_cli("verify", "--journal", str(db_path), "--allowed-signers", str(allowed))
    assert ok.returncode == 0, ok.stderr
    assert "ok: 2 checkpoints on the chain (1 signed)" in ok.stdout


async def _signed_checkpoint(path: Path, key: Path, name: str) -> checkpoints.Checkpoint:
    await _fill(path, 4)
    async with await Journal.open(path) as journal:
        checkpoint, problem = await write_checkpoint(journal, Signing(str(key), None, name))
    assert problem is None and checkpoint is not None and checkpoint.signed
    return checkpoint


async def test_wrong_signer_is_a_failure(
    db_path: Path, run_cli: RunCli, tmp_path: Path, alice_key: Path
) -> None:
    await _signed_checkpoint(db_path, alice_key, "alice")
    # alice's key, but the file grants it to bob: the checkpoint's "alice" is a lie
    allowed = allowed_file(tmp_path / "allowed_signers", ("bob", alice_key, ""))
    result = run_cli("verify", "--journal", str(db_path), "--allowed-signers", str(allowed))
    assert result.returncode == 1
    assert f"wrong signer: the key {fingerprint(alice_key)} is bob's" in result.stderr


async def test_unknown_key_is_a_failure(
    db_path: Path, run_cli: RunCli, tmp_path: Path, alice_key: Path, mallory_key: Path
) -> None:
    await _signed_checkpoint(db_path, mallory_key, "alice")  # mallory signs as alice
    allowed = allowed_file(tmp_path / "allowed_signers", ("alice", alice_key, ""))
    result = run_cli("verify", "--journal", str(db_path), "--allowed-signers", str(allowed))
    assert result.returncode == 1
    assert f"unknown key {fingerprint(mallory_key)}: not in" in result.stderr


async def test_expired_key_is_a_failure(
    db_path: Path, run_cli: RunCli, tmp_path: Path, alice_key: Path
) -> None:
    await _signed_checkpoint(db_path, alice_key, "alice")
    allowed = allowed_file(
        tmp_path / "allowed_signers", ("alice", alice_key, 'valid-before="20200101"')
    )
    result = run_cli("verify", "--journal", str(db_path), "--allowed-signers", str(allowed))
    assert result.returncode == 1
    assert f"alice: expired key {fingerprint(alice_key)}: " in result.stderr
    assert "key has expired: verify time" in result.stderr and "> valid-before" in result.stderr


async def test_tampered_checkpoint_is_a_failure(
    db_path: Path, run_cli: RunCli, tmp_path: Path, alice_key: Path
) -> None:
    checkpoint = await _signed_checkpoint(db_path, alice_key, "alice")
    allowed = allowed_file(tmp_path / "allowed_signers", ("alice", alice_key, ""))
    # its time moved: the size and head still match the journal, the signature does not
    forged = checkpoint.text().replace(f"time {checkpoint.time}", "time 2026-01-01T00:00:00.000Z")
    (tmp_path / "kept.txt").write_text(forged)
    for extra in (["--allowed-signers", str(allowed)], []):
        result = run_cli("verify", "--journal", str(db_path), "--checkpoint", "kept.txt", *extra)
        assert result.returncode == 1, extra
        assert "bad signature (the checkpoint was altered after signing)" in result.stderr
    good = tmp_path / "good.txt"
    good.write_text(checkpoint.text())
    result = run_cli(
        "verify",
        "--journal",
        str(db_path),
        "--checkpoint",
        str(good),
        "--allowed-signers",
        str(allowed),
    )
    assert result.returncode == 0, result.stderr
    assert "ok: 2 checkpoints on the chain (2 signed)" in result.stdout


def test_signing_never_prompts_for_a_passphrase(
    keys: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A key with a passphrase and no agent: unsigned, at once, nothing asked on a tty."""
    key = keys / "locked"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "secret", "-f", str(key)], check=True
    )
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    started = time.monotonic()
    with pytest.raises(checkpoints.SigningUnavailable):
        checkpoints.sign(
            checkpoints.make("x", 1, "00" * 32), f"{key}.pub", name="a", allowed_signers=None
        )
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("fmt", ["jsonl", "md", "html"])
async def test_checkpoint_kept_only_in_an_export_catches_the_cut(
    db_path: Path, run_cli: RunCli, tmp_path: Path, alice_key: Path, fmt: str
) -> None:
    allowed = allowed_file(tmp_path / "allowed_signers", ("alice", alice_key, ""))
    config = signing_config(tmp_path / "config.toml", alice_key, allowed)
    await _fill(db_path, 212)
    out = f"inc.{fmt}"
    made = run_cli(
        "export", "--journal", str(db_path), "--format", fmt, "-o", out, "--config", str(config)
    )
    assert made.returncode == 0, made.stderr
    alone = run_cli("verify", out)  # the export on its own still verifies, signer named
    assert alone.returncode == 0, alone.stdout + alone.stderr
    assert "signed by alice" in alone.stdout and "from journal head seq 212" in alone.stdout

    _cut(db_path, 197, checkpoints_too=True)
    result = run_cli(
        "verify", "--journal", str(db_path), "--checkpoint", out, "--allowed-signers", str(allowed)
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert re.search(
        r"journal truncated: checkpoint of \S+ \(signed by alice\) covers 212 events, "
        "the journal has 197",
        result.stderr,
    ), result.stderr
