"""The one observation codec: what the recorder writes, replay and the exports read back."""

from __future__ import annotations

import json
import zlib

from cockpit.journal.codec import canonical_json, decode, encode


def test_round_trip_and_digest_of_the_canonical_json() -> None:
    payload = {"b": [1, 2.5, None], "a": "ü \u2028"}
    digest, body = encode(payload)
    assert decode(body) == decode(memoryview(body).tobytes()) == payload
    assert (
        zlib.decompress(body).decode()
        == canonical_json(payload)
        == '{"a":"ü \u2028","b":[1,2.5,null]}'
    )
    assert digest == encode({"a": "ü \u2028", "b": [1, 2.5, None]})[0]  # key order is not content


def test_junk_gives_none_and_uncompressed_json_is_read() -> None:
    assert decode(b"not zlib") is None
    assert decode(zlib.compress(b"\xff\xfe")) is None
    assert decode(json.dumps({"panels": []}).encode()) == {"panels": []}
    assert decode('{"panels": []}') == {"panels": []}


def test_a_body_inflating_past_the_limit_is_refused() -> None:
    body = zlib.compress(b"[" + b"0," * 5000 + b"0]")
    assert decode(body, limit=1000) is None
    assert decode(body) == [0] * 5001
