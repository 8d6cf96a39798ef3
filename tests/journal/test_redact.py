"""Secrets never reach the file: an append-only log cannot be scrubbed later."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from cockpit.journal.store import Journal
from cockpit.model import Draft

# split so that secret scanners do not flag this file; joined at import time
_PEM_BODY = "MIIEowIBAAKCAQEA" + "x7Qz" * 16
SECRETS: dict[str, tuple[str, str]] = {
    # kind: (text with the secret, the secret itself)
    "aws_access_key": ("key AKIA" + "IOSFODNN7EXAMPLE used", "AKIA" + "IOSFODNN7EXAMPLE"),
    "jwt": (
        "cookie eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0",
    ),
    "bearer_token": ("curl -H 'Authorization: Bearer s3cr3tT0kenValue42'", "s3cr3tT0kenValue42"),
    "github_token": ("remote ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8", "a1B2c3D4e5F6g7H8"),
    "slack_token": ("hook xoxb-" + "123456789012-abcdefghijKL", "123456789012-abcdefghij"),
    "pem_private_key": (
        "-----BEGIN RSA PRIVATE KEY-----\n" + _PEM_BODY + "\n-----END RSA PRIVATE KEY-----",
        _PEM_BODY,
    ),
}
CREDENTIALS = [
    ("db password=hunter2 now", "hunter2"),
    ("curl ?token=abc123xyz&x=1", "abc123xyz"),
    ("secret: 'open sesame'", "open sesame"),
    ("access_token=tok987654", "tok987654"),
    ("export DB_PASSWORD=pw-from-env", "pw-from-env"),
    ("client-secret: cs_live_55", "cs_live_55"),
]


def _stored(path: Path, event_id: str) -> tuple[str, str]:
    conn = sqlite3.connect(path)
    try:
        row = conn.execute("SELECT data, context FROM events WHERE id = ?", (event_id,)).fetchone()
    finally:
        conn.close()
    assert row is not None
    return row[0], row[1]


def _note(text: str, **context: str) -> Draft:
    return Draft(
        incident="INC-R",
        kind="note.added",
        actor="alice",
        data={"type": "finding", "text": text},
        context=dict(context),
    )


@pytest.mark.parametrize("kind", sorted(SECRETS))
async def test_each_secret_kind_is_redacted_before_write(
    journal: Journal, db_path: Path, kind: str
) -> None:
    text, secret = SECRETS[kind]
    event = await journal.append(_note(text))
    data_text, _ = _stored(db_path, event.id)
    assert secret not in data_text
    assert f"[REDACTED:{kind}]" in data_text
    assert json.loads(data_text)["_redacted"] == [kind]
    # what the caller gets back is what was written
    assert secret not in json.dumps(event.data)


@pytest.mark.parametrize(("text", "secret"), CREDENTIALS)
async def test_credential_pairs_are_redacted(
    journal: Journal, db_path: Path, text: str, secret: str
) -> None:
    event = await journal.append(_note(text))
    data_text, _ = _stored(db_path, event.id)
    assert secret not in data_text
    assert "[REDACTED:credential]" in data_text
    assert json.loads(data_text)["_redacted"] == ["credential"]


async def test_secrets_in_context_and_several_kinds_are_listed(
    journal: Journal, db_path: Path
) -> None:
    aws_text, aws = SECRETS["aws_access_key"]
    event = await journal.append(_note(aws_text, selection="password=hunter2"))
    data_text, context_text = _stored(db_path, event.id)
    assert aws not in data_text
    assert "hunter2" not in context_text
    assert json.loads(data_text)["_redacted"] == ["aws_access_key", "credential"]


async def test_plain_text_is_left_alone(journal: Journal, db_path: Path) -> None:
    text = "p99 latency of checkout rose to 2.3s after deploy rev 42; tokenizer=v2"
    event = await journal.append(_note(text))
    data = json.loads(_stored(db_path, event.id)[0])
    assert data == {"type": "finding", "text": text}


async def test_redaction_can_be_turned_off(db_path: Path) -> None:
    text, secret = SECRETS["github_token"]
    async with await Journal.open(db_path, redact_secrets=False) as journal:
        event = await journal.append(_note(text))
    data = json.loads(_stored(db_path, event.id)[0])
    assert data["text"] == text
    assert secret in data["text"]
    assert "_redacted" not in data


async def test_values_under_secret_named_keys_are_redacted(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    from cockpit.journal.store import Journal
    from cockpit.model import Draft

    async with await Journal.open(tmp_path / "j.sqlite") as journal:
        await journal.append(
            Draft(
                incident="INC-K",
                kind="evidence.pinned",
                actor="alice",
                data={
                    "what": "config",
                    "item": "db",
                    "password": "hunter2",
                    "DB_API_KEY": 12345,
                    "tokenizer": "bpe",
                },
                context={"headers": {"Authorization": "Basic YWxhZGRpbjpvcGVu"}},
            )
        )
    raw = sqlite3.connect(tmp_path / "j.sqlite")
    data, context = raw.execute("SELECT data, context FROM events").fetchone()
    raw.close()
    assert "hunter2" not in data and "12345" not in data and "YWxhZGRp" not in context
    assert '"password":"[REDACTED:credential]"' in data
    assert '"tokenizer":"bpe"' in data  # a key that merely starts like one stays


# -- everything written, not only payloads (issue 16, item 2) --------------------------------

_ANNOTATION = "rotate: password=hunter2-obs and postgres://app:pg-obs-pw@db:5432/orders"
_LABEL_TOKEN = "xoxb-" + "998877665544-obsLabelTokenAB"


def _raw_bytes(path: Path) -> bytes:
    """The journal's bytes as they are on disk: the main file and its WAL."""
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


async def test_observations_are_redacted_before_write(journal: Journal, db_path: Path) -> None:
    from cockpit.journal.codec import decode, encode

    payload = {
        "alerts": [
            {
                "name": "DBDown",
                "labels": {"team": "sre", "slack": _LABEL_TOKEN},
                "annotations": {"runbook": _ANNOTATION},
            }
        ]
    }
    digest, body = encode(payload)
    await journal.add_observation(
        "INC-R", "2026-11-28T19:05:00.000Z", "alerts", "alerts", digest, body
    )
    clean_digest, clean_body = encode({"panels": []})
    await journal.add_observation(
        "INC-R", "2026-11-28T19:05:01.000Z", "prometheus", "panels", clean_digest, clean_body
    )
    rows = await journal.observations("INC-R")
    (_, _, _, _, stored_digest, stored_body), (_, _, _, _, digest2, body2) = rows
    stored = decode(stored_body)
    text = json.dumps(stored)
    for secret in ("hunter2-obs", "pg-obs-pw", "obsLabelTokenAB"):
        assert secret not in text
    assert stored["alerts"][0]["labels"]["team"] == "sre"
    assert "[REDACTED:url_credentials]" in text and "[REDACTED:slack_token]" in text
    # the digest is of what is stored, not of the secret
    assert stored_digest != digest and stored_digest == encode(stored)[0]
    # a clean body is stored exactly as given
    assert (digest2, body2) == (clean_digest, clean_body)


async def test_actor_snapshot_and_incident_id_hold_no_secret(
    journal: Journal, db_path: Path
) -> None:
    from cockpit.journal.codec import encode
    from cockpit.journal.events import PayloadError

    token = "ghp_" + "z9Y8x7W6v5U4t3S2r1Q0p9O8n7M6l5K4j3I2"
    draft = _note("pairing")
    event = await journal.append(
        Draft(
            incident=draft.incident,
            kind=draft.kind,
            actor=f"alice {token}",
            data=draft.data,
            context=draft.context,
        )
    )
    assert event.actor == "alice [REDACTED:github_token]"
    assert event.data["_redacted"] == ["github_token"]
    await journal.save_snapshot("INC-R", 1, {"id": "INC-R", "title": "db password=snap-pw"})
    (_, state) = await journal.latest_snapshot("INC-R")  # type: ignore[misc]
    assert state["title"] == "db password=[REDACTED:credential]"
    # an incident id keys every row: one holding a secret is refused, never stored
    with pytest.raises(PayloadError, match="secret"):
        await journal.append(Draft(incident=token, kind="note.added", actor="a", data=draft.data))
    digest, body = encode({"alerts": []})
    with pytest.raises(PayloadError):
        await journal.add_observation(
            token, "2026-11-28T19:05:00.000Z", "a", "alerts", digest, body
        )
    raw = _raw_bytes(db_path)
    assert token.encode() not in raw and b"snap-pw" not in raw


async def test_turned_off_nothing_is_rewritten(db_path: Path) -> None:
    """redact = false: a lab journal keeps payloads, actors and observations verbatim."""
    from cockpit.journal.codec import decode, encode

    token = "ghp_" + "z9Y8x7W6v5U4t3S2r1Q0p9O8n7M6l5K4j3I2"
    async with await Journal.open(db_path, redact_secrets=False) as journal:
        draft = _note(f"pushed with {token}")
        event = await journal.append(
            Draft(incident="INC-R", kind=draft.kind, actor=f"bot {token}", data=draft.data)
        )
        digest, body = encode({"alerts": [{"annotations": {"hint": token}}]})
        await journal.add_observation(
            "INC-R", "2026-11-28T19:05:00.000Z", "a", "alerts", digest, body
        )
        (row,) = await journal.observations("INC-R")
    assert event.actor == f"bot {token}" and "_redacted" not in event.data
    assert row[4] == digest and decode(row[5]) == {"alerts": [{"annotations": {"hint": token}}]}


def test_an_observation_body_that_is_not_json_is_redacted_as_text() -> None:
    import zlib

    from cockpit.journal.redact import redact_body

    for body in (b"raw dump password=rawPw1 end", zlib.compress(b"raw dump password=rawPw1 end")):
        clean, digest, found = redact_body(body, "d0")
        text = zlib.decompress(clean) if clean[:1] == b"x" else clean
        assert b"rawPw1" not in text and b"[REDACTED:credential]" in text
        assert found == {"credential"} and digest != "d0"
