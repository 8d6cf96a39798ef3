"""Immutable value types shared by the journal, the sources and the panes."""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64


def utc_now_iso() -> str:
    """UTC wall clock with milliseconds, e.g. 2026-11-28T19:05:00.123Z."""
    return format_ts(datetime.now(UTC))


def format_ts(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_ts(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


_last_uuid7 = 0


def uuid7() -> str:
    """A time-ordered UUID (RFC 9562 version 7); the stdlib has it only from 3.14.

    Monotonic within one process: ids minted in the same millisecond still sort in order.
    """
    global _last_uuid7
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (millis & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= (rand >> 68 & 0xFFF) << 64
    value |= 0b10 << 62
    value |= rand & ((1 << 62) - 1)
    if value <= _last_uuid7:
        # same millisecond: step the random bits of the previous id instead
        value = _last_uuid7 + 1
    _last_uuid7 = value
    return str(uuid.UUID(int=value))


@dataclass(frozen=True, slots=True)
class Draft:
    """An event before it is appended: the journal assigns seq, version and hashes."""

    incident: str
    kind: str
    actor: str
    data: dict[str, Any] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)
    id: str = field(default_factory=uuid7)
    ts: str = field(default_factory=utc_now_iso)
    schema: int | None = None  # None: the current schema of the kind


@dataclass(frozen=True, slots=True)
class Event:
    """One committed journal row."""

    seq: int
    id: str
    incident: str
    version: int
    ts: str
    actor: str
    kind: str
    schema: int
    data: dict[str, Any]
    context: dict[str, Any]
    prev_hash: str
    hash: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "id": self.id,
            "incident": self.incident,
            "version": self.version,
            "ts": self.ts,
            "actor": self.actor,
            "kind": self.kind,
            "schema": self.schema,
            "data": self.data,
            "context": self.context,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }

    @property
    def moment(self) -> datetime:
        return parse_ts(self.ts)
