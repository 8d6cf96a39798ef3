"""RFC 8785 (JCS): the test vectors of the RFC itself, and the fast path against rfc8785.

Vectors: https://www.rfc-editor.org/rfc/rfc8785 section 3.2.2 (the example object), 3.2.3
(key sorting by UTF-16 code units) and Appendix B (number serialization, IEEE-754 bits).
"""

from __future__ import annotations

import json
import struct

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from cockpit.journal.jcs import NotCanonicalizable, canonicalize

# RFC 8785 section 3.2.2, as it is printed there (the input keeps its JSON escapes)
RFC_INPUT = r"""{
  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
  "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
}"""
RFC_OUTPUT = (
    '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
    '"string":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
)

# RFC 8785 section 3.2.3: keys sort by their UTF-16 code units
RFC_SORT_INPUT = r"""{
  "\u20ac": "Euro Sign",
  "\r": "Carriage Return",
  "\ufb33": "Hebrew Letter Dalet With Dagesh",
  "1": "One",
  "\ud83d\ude00": "Emoji: Grinning Face",
  "\u0080": "Control",
  "\u00f6": "Latin Small Letter O With Diaeresis"
}"""
RFC_SORT_KEYS = ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]

# RFC 8785 Appendix B: IEEE-754 bits -> the JCS text
NUMBERS = [
    ("0000000000000000", "0"),
    ("8000000000000000", "0"),  # minus zero
    ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]
NOT_NUMBERS = ["7fffffffffffffff", "7ff0000000000000"]  # NaN, Infinity: no JCS text


def _double(bits: str) -> float:
    return float(struct.unpack(">d", bytes.fromhex(bits))[0])


def test_rfc_example_object() -> None:
    assert canonicalize(json.loads(RFC_INPUT)).decode("utf-8") == RFC_OUTPUT


def test_rfc_key_order_is_by_utf16_code_units() -> None:
    text = canonicalize(json.loads(RFC_SORT_INPUT)).decode("utf-8")
    assert list(json.loads(text)) == RFC_SORT_KEYS
    # Python sorts by code point and puts U+FB33 before the emoji: JCS does not
    assert sorted(RFC_SORT_KEYS) != RFC_SORT_KEYS


@pytest.mark.parametrize(("bits", "text"), NUMBERS)
def test_rfc_numbers(bits: str, text: str) -> None:
    assert canonicalize(_double(bits)).decode() == text
    assert canonicalize({"n": [_double(bits)]}).decode() == f'{{"n":[{text}]}}'


@pytest.mark.parametrize("bits", NOT_NUMBERS)
def test_nan_and_infinity_have_no_canonical_form(bits: str) -> None:
    with pytest.raises(NotCanonicalizable):
        canonicalize({"n": _double(bits)})


def test_lone_surrogate_is_refused() -> None:
    with pytest.raises(NotCanonicalizable):
        canonicalize({"text": "\udcff"})


def test_integers_beyond_2_53_keep_their_digits() -> None:
    # JCS has no text for them (I-JSON); the journal keeps 64-bit integers, so all digits stay
    assert canonicalize([2**53 + 1, 1.5]) == b"[9007199254740993,1.5]"
    assert canonicalize({"b": 2**63 - 1, "a": 1}) == b'{"a":1,"b":9223372036854775807}'


_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)  # rfc8785 refuses the rest (above: all digits)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(_json)
def test_fast_path_writes_what_rfc8785_writes(value: object) -> None:
    try:
        expected = rfc8785.dumps(value)
    except rfc8785.CanonicalizationError:
        with pytest.raises(NotCanonicalizable):
            canonicalize(value)
        return
    assert canonicalize(value) == expected
