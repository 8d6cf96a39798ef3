"""RFC 8785 JSON Canonicalization Scheme (JCS): the text new hashes are taken over.

A third party recomputes these hashes with any RFC 8785 library (Python: `rfc8785`, Go:
`github.com/cyberphone/json-canonicalization`, JS: `canonicalize`). Numbers are written by the
`rfc8785` package (Trail of Bits, pure Python, the reference the tests compare with); this
module adds a fast path and keeps integers beyond 2**53 whole.

JCS and `json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)` write the
same text unless the value holds a float (JCS writes numbers as ECMAScript does: 1.0 -> 1,
1e21 -> 1e+21), an integer beyond 2**53 (JCS numbers are IEEE doubles), or an object key
beyond U+FFFF (JCS sorts keys by UTF-16 code units, Python by code points). Nearly every
journal payload has none of these, so the C encoder does the work.
"""

from __future__ import annotations

import json
import json.scanner
import re
from typing import Any

# the versioned hash schemes: 1 is the journal's row chain (json.dumps canonical form, kept so
# every existing journal verifies as it always did), 2 the per-incident export chain (JCS)
ROW_SCHEME = 1
EXPORT_SCHEME = 2
EXPORT_SCHEME_NAME = "cockpit-incident-chain/2: sha256 over RFC 8785 JCS"

_MAX_SAFE = 2**53
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
# what may make json.dumps' text differ from JCS: a float, a long integer, an astral character
_MAYBE_NOT_JCS = re.compile(r"[0-9][.eE]|[0-9]{16}|[\U00010000-\U0010ffff]")
_dumps = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
).encode


class NotCanonicalizable(ValueError):
    """A value JCS has no text for: NaN, Infinity, a lone surrogate, a non-JSON type."""


def canonicalize(value: Any) -> bytes:
    """The RFC 8785 canonical UTF-8 bytes of a JSON value.

    One liberty: an integer beyond 2**53, which JCS cannot write without rounding it (the
    journal keeps 64-bit integers), is written with all its digits, so nothing is lost.
    """
    try:
        if _plain(value):
            return _dumps(value).encode("utf-8")
        return _slow(value).encode("utf-8")
    except UnicodeEncodeError:
        raise NotCanonicalizable("a string holds a lone surrogate: not Unicode") from None
    except (ValueError, TypeError, RecursionError) as exc:
        raise NotCanonicalizable(str(exc)) from None


def _slow(value: Any) -> str:
    """JCS by hand, numbers written by rfc8785 (ECMAScript's Number.prototype.toString)."""
    import rfc8785  # here: the common case never needs it

    kind = type(value)
    if kind is dict:
        # keys sorted by UTF-16 code units (RFC 8785 3.2.3)
        items = sorted(value.items(), key=lambda kv: _utf16(kv[0]))
        return "{" + ",".join(_dumps(k) + ":" + _slow(v) for k, v in items) + "}"
    if kind is list:
        return "[" + ",".join(_slow(v) for v in value) + "]"
    if kind is float:
        try:
            return rfc8785.dumps(value).decode("ascii")
        except rfc8785.CanonicalizationError as exc:
            raise ValueError(str(exc)) from None
    if kind is int:
        return str(value)
    if kind is str or kind is bool or value is None:
        return _dumps(value)
    raise TypeError(f"{kind.__name__} is not a JSON value")


def _utf16(key: Any) -> bytes:
    if type(key) is not str:
        raise TypeError("an object key is not a string")
    return key.encode("utf-16-be", "surrogatepass")


def _plain(value: Any) -> bool:
    """No float, no integer beyond 2**53, no key beyond U+FFFF: json.dumps writes JCS."""
    stack = [value]
    pop, push = stack.pop, stack.append
    while stack:
        item = pop()
        kind = type(item)
        if kind is dict:
            for key, child in item.items():
                if type(key) is not str or (key > "\uffff" and _ASTRAL.search(key)):
                    return False
                push(child)
        elif kind is list:
            stack.extend(item)
        elif kind is float or (kind is int and not -_MAX_SAFE <= item <= _MAX_SAFE):
            return False
        elif kind is not str and kind is not bool and kind is not int and item is not None:
            return False  # a type JSON has no text for: rfc8785 names it
    return True


class NotPlain(Exception):
    """A float or a long integer: json.dumps may write it differently from JCS."""


def _no_float(text: str) -> float:
    raise NotPlain


def _short_int(text: str) -> int:
    if len(text) > 15:
        raise NotPlain
    return int(text)


# the C scanner with hooks that give up on anything json.dumps may not write as JCS does:
# plain_scan(text, 0) -> (value, end), or NotPlain
plain_scan = json.scanner.make_scanner(  # type: ignore[attr-defined]
    json.JSONDecoder(parse_float=_no_float, parse_int=_short_int, parse_constant=_no_float)
)


def stored_is_jcs(text: str) -> bool:
    """Is this canonical JSON text (json.dumps, sorted keys, compact) also its JCS? Yes
    unless it holds a float, an integer beyond 15 digits or a character beyond U+FFFF;
    a digit before "." or "e" inside a string ("rev 42.") is no float."""
    if not _MAYBE_NOT_JCS.search(text):
        return True
    if _ASTRAL.search(text):
        return False
    try:
        _, end = plain_scan(text, 0)
    except (NotPlain, StopIteration, ValueError, RecursionError):
        return False
    return end == len(text)
