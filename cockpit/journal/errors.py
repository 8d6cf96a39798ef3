"""What the journal port raises, importable without loading a backend (SQLite or other)."""

from __future__ import annotations


class JournalError(Exception):
    """The journal cannot be opened or written; the message says what to do."""


class VersionConflict(JournalError):
    """An append expected a different incident version (someone else appended first)."""


class JournalDamaged(JournalError):
    """The file is an SQLite journal whose pages or schema are damaged: a failure found (exit
    1), not a usage error. Nothing is appended to it."""


class JournalEmpty(JournalError):
    """The journal file has no bytes at all: a reading command found nothing to read."""
