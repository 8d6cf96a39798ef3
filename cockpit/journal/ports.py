"""The journal port: what the cockpit asks of an event store, whatever stores it.

The local SQLite store (store.py) is one backend; the team journal on PostgreSQL will be
another. Both must pass the same contract suite (tests/journal/contract.py). Callers type
their journal argument with these protocols, never with a backend class, so this module
loads no backend: the first frame imports it without SQLite.

Errors: appends raise JournalError (VersionConflict when `expected_version` is stale); a
backend lists everything a failed write can raise in `write_errors`.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from cockpit.journal.errors import JournalError, VersionConflict

if TYPE_CHECKING:
    from cockpit.journal.rows import CheckedRow, VerifyResult
    from cockpit.model import Draft, Event

__all__ = [
    "EventLog",
    "JournalError",
    "JournalPort",
    "ObservationLog",
    "ObservationRow",
    "VersionConflict",
]

# (id, ts, source, kind, digest, body) of one observation, as stored
ObservationRow = tuple[int, str, str, str, str, bytes]


class EventLog(Protocol):
    """Append-only, hash-chained incident streams, plus snapshots of their folded state."""

    # what a failed write raises (actions turn these into a banner, not a crash)
    write_errors: tuple[type[Exception], ...]

    @property
    def path(self) -> str | os.PathLike[str]:
        """Where the journal lives, for messages (a file today, a URL for a server)."""
        ...

    # -- writing: redacted and validated before anything is stored

    async def append(self, draft: Draft, *, expected_version: int | None = None) -> Event:
        """Append one event durably; re-appending a known id returns the stored event."""
        ...

    async def append_many(
        self, drafts: Iterable[Draft], *, expected_version: int | None = None
    ) -> list[Event]:
        """Append several events in one transaction: all are committed, or none."""
        ...

    async def append_once(self, draft: Draft) -> Event | None:
        """Append unless the incident already holds an event with the same data["key"]."""
        ...

    # -- reading

    async def events(
        self,
        incident: str | None = None,
        *,
        after_seq: int = 0,
        until_seq: int | None = None,
        after_version: int = 0,
        upcast: bool = True,
    ) -> list[Event]:
        """Events in seq order; `after_version` (with an incident) reads only later ones."""
        ...

    def tail(
        self, after_seq: int = 0, incident: str | None = None, *, poll: float = ...
    ) -> AsyncIterator[Event]:
        """Events appended after `after_seq`, by this process or any other, forever."""
        ...

    async def head(self) -> tuple[int, str]:
        """(seq, hash) of the last event; (0, GENESIS_HASH) when empty."""
        ...

    async def incident_ids(self) -> list[str]:
        """Incident ids, the most recently active last."""
        ...

    async def latest_incident(self) -> str | None: ...

    async def has_incident(self, incident: str) -> bool: ...

    async def raw_rows(self, incident: str) -> list[CheckedRow]:
        """An incident's rows exactly as stored, in seq order (the jsonl export)."""
        ...

    async def verify(self) -> VerifyResult:
        """Recompute the whole chain; name the first bad row."""
        ...

    # -- snapshots: a cache of folded state, outside the chain

    async def save_snapshot(self, incident: str, version: int, state: dict[str, Any]) -> None: ...

    async def latest_snapshot(self, incident: str) -> tuple[int, dict[str, Any]] | None: ...

    async def close(self) -> None: ...

    async def __aenter__(self) -> EventLog: ...

    async def __aexit__(self, *exc: object) -> None: ...


class ObservationLog(Protocol):
    """Machine samples kept for replay and charts: outside the chain, best effort."""

    async def add_observation(
        self, incident: str, ts: str, source: str, kind: str, digest: str, body: bytes
    ) -> int:
        """Store one observation body (see journal/codec.py); returns its row id."""
        ...

    async def observations(
        self,
        incident: str,
        *,
        until_ts: str | None = None,
        source: str | None = None,
        kinds: Sequence[str] | None = None,
    ) -> list[ObservationRow]:
        """An incident's observations, oldest first."""
        ...

    async def observation_bytes(self, incident: str) -> int:
        """Bytes of bodies already stored for an incident (the recorder's budget)."""
        ...


class CheckpointLog(Protocol):
    """(size, head) checkpoint notes (journal/checkpoints.py): outside the chain, append-only.
    The local store keeps them; the team store does not yet (its chain is its own)."""

    async def checkpoint_state(self) -> tuple[str, int, str] | None:
        """(journal id = the first event's id, events, head hash); None without events."""
        ...

    async def hash_at(self, seq: int) -> str | None:
        """The stored hash of row `seq` (None if there is none)."""
        ...

    async def keep_checkpoint(self, size: int, note: str) -> None:
        """Store one checkpoint note; never waits behind or holds up an event append."""
        ...

    async def kept_checkpoints(self) -> list[str]:
        """Every note stored, oldest first."""
        ...


class JournalPort(EventLog, ObservationLog, Protocol):
    """A whole journal backend: what replay and the html export read."""
