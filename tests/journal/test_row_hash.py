"""next_row hashes the text it builds from the stored data and context columns: that text must
be exactly canonical_json of the row's content, the definition verify recomputes, for any
payload an append may carry."""

from __future__ import annotations

from typing import Any

import pytest

from cockpit.journal.rows import hashed_content, next_row, row_hash, verify_rows
from cockpit.model import GENESIS_HASH, Draft

PAYLOADS: list[dict[str, Any]] = [
    {},
    {"type": "note", "text": "checkout p99 is 900 ms after rev 42"},
    {"text": 'quotes " and \\ backslash, tab\t newline\n bell\x07 nul\x00 del\x7f'},
    {"text": "non-ASCII: é ü ß 日本語, beyond the BMP: 🔥𝄞, separators \u2028\u2029"},
    {"floats": [0.1, 1e16, 1e-7, -0.0, 1.5e300, 3.0], "ints": [0, -1, 2**63, 10**30]},
    {"nested": {"z": [1, {"b": None, "a": True}], "a": {"y": False, "x": []}}},
    {"é": 1, "e": 2, "🔥": 3, "E": 4, "": 5},
]


def _drafts() -> list[Draft]:
    drafts = []
    for i, data in enumerate(PAYLOADS):
        drafts.append(
            Draft(
                incident="INC-ü-1",
                kind="note.added",
                actor='Zoë "the pager" <z@example.com>',
                data=data,
                context=PAYLOADS[-1 - i],
                schema=2,
            )
        )
    return drafts


@pytest.mark.parametrize("draft", _drafts())
def test_the_hash_is_the_one_verify_recomputes(draft: Draft) -> None:
    _, row = next_row(draft, 6, "ab" * 32, 4)
    assert row.hash == row_hash("ab" * 32, hashed_content(draft, 7, 5))


@pytest.mark.parametrize(
    "odd",
    [
        {"actor": 7},  # not a str: the long way, same text
        {"schema": True},  # a bool is no int in JSON
        {"ts": None},
    ],
)
def test_odd_columns_hash_like_canonical_json_too(odd: dict[str, Any]) -> None:
    fields = {"incident": "INC-1", "kind": "x.y", "actor": "a", "schema": 1, "ts": "t"}
    draft = Draft(**{**fields, **odd}, data={"k": "v"})
    _, row = next_row(draft, 0, GENESIS_HASH, 0)
    assert row.hash == row_hash(GENESIS_HASH, hashed_content(draft, 1, 1))


def test_a_chain_built_by_next_row_verifies() -> None:
    rows = []
    seq, head = 0, GENESIS_HASH
    for draft in _drafts():
        _, row = next_row(draft, seq, head, seq)
        rows.append(row)
        seq, head = row.seq, row.hash
    result = verify_rows(rows)
    assert result.ok and result.count == len(PAYLOADS), result.line()
