"""Canonical JSON, and the one codec of observation bodies (replay and the exports read them).

An observation body is zlib-compressed canonical JSON; its digest is the SHA-256 of that JSON,
so an unchanged snapshot is recognised without storing it again.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from typing import Any

# inflate limit: the journal file is untrusted input, no honest snapshot comes near this
MAX_BODY_BYTES = 16 * 1024 * 1024


def canonical_json(value: Any) -> str:
    """Sorted keys, compact, raw unicode: the text that is hashed and stored."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def encode(payload: Any) -> tuple[str, bytes]:
    """(sha256 of the canonical JSON, zlib of it)."""
    raw = canonical_json(payload).encode("utf-8")
    return hashlib.sha256(raw).hexdigest(), zlib.compress(raw, 6)


def decode(body: bytes | str, *, limit: int = MAX_BODY_BYTES) -> Any | None:
    """Inflate and parse one body; junk or a body over `limit` once inflated gives None.

    An uncompressed JSON body is accepted too (the exports always took one).
    """
    raw = body.encode("utf-8") if isinstance(body, str) else bytes(body)
    try:
        inflater = zlib.decompressobj()
        text = inflater.decompress(raw, limit)
        if inflater.unconsumed_tail:
            return None  # larger than any honest snapshot: refuse rather than inflate
    except zlib.error:
        text = raw
    try:
        return json.loads(text)
    except (ValueError, UnicodeDecodeError, RecursionError):  # junk, or nested past the stack
        return None
