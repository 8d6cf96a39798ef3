"""An export verifies on its own (issue 14, items 4-7): one incident of a journal where three
interleave, checked without the journal; each edited, removed or moved line named; a
redacted export still verifies and holds none of the texts it dropped; the jsonl is
CloudEvents 1.0 (the spec's JSON schema, vendored from
https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/formats/cloudevents.json, and the
`cloudevents` SDK both read it) and round-trips through `cockpit import`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import jsonschema
import pytest
from cloudevents.v1.http import from_json

from cockpit.journal.jcs import canonicalize
from cockpit.journal.store import Journal
from cockpit.model import GENESIS_HASH, Draft

from .conftest import RunCli, legacy_export, rows

INCIDENTS = ["INC-20261128-1905", "INC-20261128-1906", "INC-20261128-1907"]
A = INCIDENTS[0]
SCHEMA = Path(__file__).parent.parent / "export" / "cloudevents-1.0-schema.json"
SECRET_NOTES = [f"db-7 lost quorum at step {i}; paged vendor" for i in range(4)]


async def _three_interleaved(path: Path) -> None:
    """Four rounds of one event per incident, A's notes among them: no two of A's rows are
    neighbours in the journal's chain."""
    async with await Journal.open(path) as journal:
        for i in range(4):
            for inc in INCIDENTS:
                if i == 0:
                    draft = Draft(inc, "incident.declared", "alice", {"title": f"{inc} down"})
                elif inc == A:
                    text = SECRET_NOTES[i]
                    draft = Draft(inc, "note.added", "bob", {"type": "finding", "text": text})
                else:
                    draft = Draft(inc, "severity.changed", "carol", {"severity": f"SEV{i}"})
                await journal.append(draft)
        await journal.append(
            Draft(A, "note.added", "bob", {"type": "note", "text": SECRET_NOTES[0]}, {"n": 1.5})
        )


@pytest.fixture
async def exported(tmp_path: Path, run_cli: RunCli) -> Path:
    src, out = tmp_path / "src.sqlite", tmp_path / "a.jsonl"
    await _three_interleaved(src)
    result = run_cli("export", A, "--journal", str(src), "--format", "jsonl", "-o", str(out))
    assert result.returncode == 0, result.stderr
    src.rename(tmp_path / "gone.sqlite")  # verified without the journal
    return out


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")[:-1]


def _verify(run_cli: RunCli, path: Path, *extra: str) -> tuple[int, list[str]]:
    result = run_cli("verify", str(path), *extra)
    assert "Traceback" not in result.stderr
    return result.returncode, (result.stdout + result.stderr).strip().splitlines()


def test_one_incident_of_three_verifies_on_its_own(run_cli: RunCli, exported: Path) -> None:
    lines = [json.loads(line) for line in _lines(exported)]
    events, manifest = lines[:-1], lines[-1]
    assert [e["version"] for e in events] == [1, 2, 3, 4, 5]
    # the journal's own chain: each row links to another incident's row, not to the line before
    assert [e["rowprevhash"] for e in events[1:]] != [e["rowhash"] for e in events[:-1]]
    assert events[0]["prevhash"] == GENESIS_HASH
    assert manifest["data"]["events"] == 5 and manifest["data"]["head"] == events[-1]["eventhash"]
    assert manifest["data"]["journal"]["seq"] == 13

    code, out = _verify(run_cli, exported)
    assert code == 0, out
    assert out == [
        f"ok: 5 events of {A}, head {events[-1]['eventhash']}, unsigned (from journal head"
        f" seq 13 {manifest['data']['journal']['hash']})"
    ]


def test_each_line_hash_is_sha256_of_its_jcs_without_eventhash(exported: Path) -> None:
    """What the README tells a third party to do, with the rfc8785 package alone."""
    import rfc8785

    prev = GENESIS_HASH
    for line in _lines(exported):
        event = json.loads(line)
        assert line.encode() == canonicalize(event)  # written as JCS
        stated = event.pop("eventhash")
        for where in ("seq", "rowprevhash", "rowhash"):  # the row's place in its journal
            event.pop(where, None)
        assert hashlib.sha256(rfc8785.dumps(event)).hexdigest() == stated
        assert event["prevhash"] == prev
        prev = stated


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_an_edited_line_is_named(run_cli: RunCli, exported: Path) -> None:
    lines = _lines(exported)
    lines[2] = lines[2].replace("step 2", "step 9")
    code, out = _verify(run_cli, _write(exported, lines))
    assert code == 1
    assert out[0] == "line 3: edited (its eventhash does not match its content)"
    assert out[-1] == "export does not verify: 1 problem(s)"


def test_an_edit_with_its_hash_recomputed_is_named_by_the_next_line(
    run_cli: RunCli, exported: Path
) -> None:
    lines = _lines(exported)
    event = json.loads(lines[2])
    event["data"]["text"] = "nothing happened"
    hashed = {
        k: v for k, v in event.items() if k not in ("eventhash", "seq", "rowhash", "rowprevhash")
    }
    event["eventhash"] = hashlib.sha256(canonicalize(hashed)).hexdigest()
    lines[2] = canonicalize(event).decode()
    code, out = _verify(run_cli, _write(exported, lines))
    assert code == 1
    assert out[0] == "line 4: prevhash is not the eventhash of line 3"


def test_a_removed_line_is_named(run_cli: RunCli, exported: Path) -> None:
    lines = _lines(exported)
    del lines[2]
    code, out = _verify(run_cli, _write(exported, lines))
    assert code == 1
    assert out[0] == ("line 3: version 4 where 3 was expected: event 3 missing (removed?)")
    assert "line 5: the manifest covers 5 events, the file has 4" in out


def test_reordered_lines_are_named(run_cli: RunCli, exported: Path) -> None:
    lines = _lines(exported)
    lines[2], lines[3] = lines[3], lines[2]
    code, out = _verify(run_cli, _write(exported, lines))
    assert code == 1
    assert out[:2] == [
        "line 3: version 4 before version 3 (line 4): lines moved",
        "line 4: version 3 after version 4 (line moved?)",
    ]


def test_a_cut_tail_is_named(run_cli: RunCli, exported: Path) -> None:
    lines = _lines(exported)
    code, out = _verify(run_cli, _write(exported, lines[:3]))
    assert code == 1
    assert out[0].startswith("line 4: the manifest line is missing: the file was cut after line 3")
    code, out = _verify(run_cli, _write(exported, [*lines[:4], lines[5]]))
    assert code == 1
    assert out[0] == "line 5: the manifest does not follow line 4 (lines after it removed?)"


async def test_md_and_html_exports_verify_and_name_tampering(
    tmp_path: Path, run_cli: RunCli
) -> None:
    src = tmp_path / "src.sqlite"
    await _three_interleaved(src)
    for fmt in ("md", "html"):
        out = tmp_path / f"a.{fmt}"
        result = run_cli("export", A, "--journal", str(src), "--format", fmt, "-o", str(out))
        assert result.returncode == 0, result.stderr
        code, said = _verify(run_cli, out)
        assert code == 0 and said[0].startswith(f"ok: 5 events of {A}, head "), said
        # the block swapped for that of another incident's export
        other = tmp_path / f"b.{fmt}"
        run_cli("export", INCIDENTS[1], "--journal", str(src), "--format", fmt, "-o", str(other))
        code, said = _verify(run_cli, other)
        assert code == 0 and INCIDENTS[1] in said[0]
        text = out.read_text()
        damaged = tmp_path / f"c.{fmt}"
        damaged.write_text(text.replace(text.split("\n")[-8], "A" * 76), encoding="utf-8")
        code, said = _verify(run_cli, damaged)
        assert code == 1 and "the export block" in said[0], said


async def test_a_file_without_an_export_is_one_line(tmp_path: Path, run_cli: RunCli) -> None:
    plain = tmp_path / "notes.md"
    plain.write_text("# just notes\n")
    code, out = _verify(run_cli, plain)
    assert code == 1 and len(out) == 1 and "holds no cockpit export block" in out[0]
    code, out = _verify(run_cli, Path("/dev/zero"))  # read for ever, were it read
    assert code == 1 and len(out) == 1
    assert out[0].startswith("cockpit: /dev/zero is not a regular file")
    src = tmp_path / "src.sqlite"
    await _three_interleaved(src)
    older = tmp_path / "older.jsonl"
    legacy_export(src, A, older)
    code, out = _verify(run_cli, older)
    assert code == 1 and len(out) == 1, out
    assert "format of cockpits before CloudEvents" in out[0]
    assert "export the incident again" in out[0]


async def test_a_redacted_export_verifies_without_the_texts(
    tmp_path: Path, run_cli: RunCli
) -> None:
    src = tmp_path / "src.sqlite"
    await _three_interleaved(src)
    for fmt in ("jsonl", "md", "html"):
        out = tmp_path / f"shared.{fmt}"
        result = run_cli(
            "export", A, "--journal", str(src), "--format", fmt, "--redact-notes", "-o", str(out)
        )
        assert result.returncode == 0, result.stderr
        code, said = _verify(run_cli, out)
        assert code == 0, said
        assert said[0].startswith(f"ok: 5 events of {A}, head ")
        assert "note texts redacted" in said[0]
        raw = out.read_bytes()
        for text in SECRET_NOTES[1:]:
            assert text.encode() not in raw
            assert b"lost quorum" not in raw
    # the openings file proves a note later: salt + the text give the committed hash
    lines = [json.loads(line) for line in _lines(tmp_path / "shared.jsonl")]
    openings = {
        o["id"]: bytes.fromhex(o["salt"])
        for o in map(json.loads, _lines(tmp_path / "shared.jsonl.openings"))
    }
    notes = [e for e in lines if e["type"] == "io.cockpit.note.added"]
    assert len(notes) == 4 and all("text" not in e["data"] for e in notes)
    assert "rowhash" not in notes[0]  # the row hash covers the text: it could test guesses
    committed = {e["id"]: e["data"]["textsha256"] for e in notes}
    texts = [*SECRET_NOTES[1:], SECRET_NOTES[0]]
    for event, text in zip(notes, texts, strict=True):
        salt = openings[event["id"]]
        assert hashlib.sha256(salt + text.encode()).hexdigest() == committed[event["id"]]
    assert len(set(openings.values())) == 4  # one salt per note: equal texts do not show
    # everything else is still covered: the severity of another line changed is named
    damaged = _lines(tmp_path / "shared.jsonl")
    damaged[0] = damaged[0].replace("down", "fine")
    code, said = _verify(run_cli, _write(tmp_path / "x.jsonl", damaged))
    assert code == 1 and said[0] == "line 1: edited (its eventhash does not match its content)"
    # and it is no source of events: its notes have no text
    refused = run_cli("import", str(tmp_path / "shared.jsonl"), "--journal", str(tmp_path / "n"))
    assert refused.returncode == 2
    assert "redacted export" in refused.stderr and len(refused.stderr.splitlines()) == 1


def test_every_line_is_a_cloudevent(exported: Path) -> None:
    schema = json.loads(SCHEMA.read_text())
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    for line in _lines(exported):
        obj = json.loads(line)
        validator.validate(obj)
        # extension names: lowercase letters and digits only (CloudEvents 1.0, "Attribute Naming")
        assert all(re.fullmatch(r"[a-z0-9]{1,20}", name) for name in obj)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", obj["time"])
        event = from_json(line.encode())  # the SDK reads it: required attributes and all
        assert event["specversion"] == "1.0" and event["subject"] == A
        assert event["type"].startswith("io.cockpit.")
        if event["type"] != "io.cockpit.export.manifest":
            assert event["seq"] >= 1 and event["actor"] in ("alice", "bob")
            assert re.fullmatch(r"\d{4}-.*Z", event["recordedtime"])
            assert event.data == obj["data"]


async def test_cloudevents_export_round_trips_through_import(
    tmp_path: Path, run_cli: RunCli
) -> None:
    src, dst, out = tmp_path / "src.sqlite", tmp_path / "dst.sqlite", tmp_path / "a.jsonl"
    await _three_interleaved(src)
    exported = run_cli("export", A, "--journal", str(src), "--format", "jsonl", "-o", str(out))
    assert exported.returncode == 0, exported.stderr
    assert all(json.loads(line)["specversion"] == "1.0" for line in _lines(out))
    result = run_cli("import", str(out), "--journal", str(dst))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("imported 5 new events")
    source = [r for r in rows(src) if r[2] == A]
    imported = rows(dst)
    # every content column of every event as it was (seq and chain are the new journal's)
    assert [r[1:3] + r[4:10] for r in imported] == [r[1:3] + r[4:10] for r in source]
    assert run_cli("verify", "--journal", str(dst)).returncode == 0
    # twice: nothing new; two exports one after the other: an overlap, not tampering
    both = _write(tmp_path / "both.jsonl", _lines(out) + _lines(out))
    again = run_cli("import", str(both), "--journal", str(dst))
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("imported 0 new events (10 known)")


async def test_importing_keeps_the_proofs(tmp_path: Path, run_cli: RunCli) -> None:
    """Imported into a journal of other incidents (other seqs, another row chain) and exported
    again, the incident gives the same chain and head: what the first export proved (a head
    pasted in the channel, a signature over it) holds for the imported copy."""
    src, dst = tmp_path / "src.sqlite", tmp_path / "dst.sqlite"
    first, again = tmp_path / "first.jsonl", tmp_path / "again.jsonl"
    await _three_interleaved(src)
    async with await Journal.open(dst) as journal:
        for i in range(3):
            await journal.append(
                Draft("INC-OTHER", "note.added", "z", {"type": "note", "text": f"{i}"})
            )
    assert (
        run_cli(
            "export", A, "--journal", str(src), "--format", "jsonl", "-o", str(first)
        ).returncode
        == 0
    )
    assert run_cli("import", str(first), "--journal", str(dst)).returncode == 0
    assert (
        run_cli(
            "export", A, "--journal", str(dst), "--format", "jsonl", "-o", str(again)
        ).returncode
        == 0
    )
    before = [json.loads(line) for line in _lines(first)]
    after = [json.loads(line) for line in _lines(again)]
    assert [e["seq"] for e in after[:-1]] != [e["seq"] for e in before[:-1]]  # other places
    assert [e["eventhash"] for e in after[:-1]] == [e["eventhash"] for e in before[:-1]]
    assert after[-1]["data"]["head"] == before[-1]["data"]["head"]
    assert _verify(run_cli, again)[0] == 0


def test_import_refuses_a_cloudevent_it_would_not_keep_whole(
    tmp_path: Path, run_cli: RunCli, exported: Path
) -> None:
    lines = _lines(exported)
    event = json.loads(lines[1])
    event["traceparent"] = "00-abc"
    lines[1] = json.dumps(event)
    result = run_cli("import", str(_write(exported, lines)), "--journal", str(tmp_path / "n"))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "cockpit: line 2: unknown attribute 'traceparent', which this cockpit would drop"
    )
    assert not (tmp_path / "n").exists() or rows(tmp_path / "n") == []


README = Path(__file__).parent.parent.parent / "README.md"


def _readme_block(lang: str, marker: str) -> str:
    blocks = re.findall(rf"```{lang}\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    (block,) = [b for b in blocks if marker in b]
    return block


def test_readme_python_recomputes_the_hashes(exported: Path) -> None:
    import subprocess
    import sys

    code = _readme_block("python", "rfc8785.dumps").replace("INC.jsonl", str(exported))
    ok = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    head = json.loads(_lines(exported)[-1])["data"]["head"]
    # the manifest closes the chain too: the snippet's head is the manifest's eventhash
    assert ok.stdout == f"ok, head {json.loads(_lines(exported)[-1])['eventhash']}\n"
    assert head == json.loads(_lines(exported)[-2])["eventhash"]
    lines = _lines(exported)
    lines[1] = lines[1].replace("step 1", "step 8")
    bad = subprocess.run(
        [sys.executable, "-c", code.replace(str(exported), str(_write(exported, lines)))],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1 and "line 2: edited" in bad.stderr


def test_readme_jq_lists_the_notes(exported: Path) -> None:
    import shutil
    import subprocess

    if shutil.which("jq") is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI: jq is not installed (.ci/run installs it)")
        pytest.skip("jq is not installed (.ci/run installs it)")
    command = _readme_block("sh", "jq ").strip().splitlines()[-1]
    out = subprocess.run(
        ["sh", "-c", command.replace("INC.jsonl", str(exported))],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert [line.split("\t")[1:] for line in out] == [
        ["bob", "finding", SECRET_NOTES[1]],
        ["bob", "finding", SECRET_NOTES[2]],
        ["bob", "finding", SECRET_NOTES[3]],
        ["bob", "note", SECRET_NOTES[0]],
    ]
