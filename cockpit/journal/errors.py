"""What the journal port raises, importable without loading a backend (SQLite or other)."""

from __future__ import annotations


class JournalError(Exception):
    """The journal cannot be opened or written; the message says what to do."""


class VersionConflict(JournalError):
    """An append expected a different incident version (someone else appended first)."""
