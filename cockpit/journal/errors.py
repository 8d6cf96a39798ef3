"""What the journal port raises, importable without loading a backend (SQLite or other)."""

from __future__ import annotations


class JournalError(Exception):
    """The journal cannot be opened or written; the message says what to do."""


class VersionConflict(JournalError):
    """An append expected a different incident version (someone else appended first)."""


class IdConflict(JournalError):
    """An imported event's id is already in the journal with other content: the journal never
    replaces what it recorded, nor hides that someone tried."""

    def __init__(self, index: int, event_id: str, fields: list[str]) -> None:
        super().__init__(
            f"event {event_id} is already in the journal with different {', '.join(fields)}"
        )
        self.index = index  # of the draft in the append
        self.event_id = event_id
        self.fields = fields


class JournalDamaged(JournalError):
    """The file is an SQLite journal whose pages or schema are damaged: a failure found (exit
    1), not a usage error. Nothing is appended to it."""


class JournalEmpty(JournalError):
    """The journal file has no bytes at all: a reading command found nothing to read."""
