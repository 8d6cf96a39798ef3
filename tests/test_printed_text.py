"""What cockpit prints is inert too (issue 16, item 4): no control character from the journal
reaches the reader's terminal through `cat` of an md export, `cockpit incidents` or an error."""

from __future__ import annotations

from cockpit.journal.store import Journal
from cockpit.model import Draft
from cockpit.paths import journal_path
from cockpit.plaintext import clean

from .conftest import RunCli

HOSTILE = "APPROVED\x08\x08\x08\x08\x08\x08\x08\x08REJECTED \x1bc \x1b]0;pwned\x07 \x9b31m"


def test_controls_are_shown_not_obeyed() -> None:
    """Printed text goes through the same clean() as what the cockpit shows."""
    shown = clean(f"line one\nline two {HOSTILE} \u202eevil", limit=None, multiline=True)
    assert _controls(shown) == [] and "\u202e" not in shown
    assert shown.startswith("line one\nline two APPROVED␈")
    assert "␛c" in shown and "␛]0;pwned␇" in shown and "\\x9b31m" in shown
    assert clean("plain ünïcode — fine", limit=None) == "plain ünïcode — fine"
    assert clean("a\nb\tc", limit=None) == "a⏎b c"


def _controls(text: str) -> list[str]:
    return [c for c in text if (ord(c) < 32 and c not in "\n\t") or 127 <= ord(c) < 160]


async def test_md_export_incidents_and_errors_carry_no_controls(
    run_cli: RunCli, env: dict[str, str]
) -> None:
    incident = "INC-\x1b]0;title\x07-1"
    # the door refuses such an id now (cockpit/identifiers.py), and says so inertly ...
    refused = run_cli("note", HOSTILE, "--incident", incident)
    assert refused.returncode == 2 and _controls(refused.stderr) == []
    # ... but a journal written before the policy, or by hand, may still hold one
    async with await Journal.open(journal_path(None)) as journal:
        await journal.append(
            Draft(incident, "note.added", "alice", {"type": "note", "text": HOSTILE})
        )
    md = run_cli("export", incident, "--format", "md")
    assert md.returncode == 0 and "APPROVED" in md.stdout and "REJECTED" in md.stdout
    assert _controls(md.stdout) == []
    listing = run_cli("incidents")
    assert listing.returncode == 0 and "INC-" in listing.stdout
    assert _controls(listing.stdout) == []
    missing = run_cli("export", "INC-\x1bc-missing", "--format", "md")
    assert missing.returncode == 2 and _controls(missing.stderr) == []
    assert "\\x1bc" in missing.stderr  # the id is quoted with repr()
    assert "INC-␛]0;title␇-1" in missing.stderr  # the known ids are cleaned
