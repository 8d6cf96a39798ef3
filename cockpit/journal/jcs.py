"""RFC 8785 JSON Canonicalization Scheme (JCS): the text new hashes are taken over.

A third party recomputes these hashes with any RFC 8785 library (Python: `rfc8785`, Go:
`github.com/cyberphone/json-canonicalization`, JS: `canonicalize`). The reference is the
`rfc8785` package (Trail of Bits, pure Python); this module only adds a fast path.

JCS and `json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)` write the
same text unless the value holds a float (JCS writes numbers as ECMAScript does: 1.0 -> 1,
1e21 -> 1e+21), an integer beyond 2**53 (JCS numbers are IEEE doubles), or an object key
beyond U+FFFF (JCS sorts keys by UTF-16 code units, Python by code points). Nearly every
journal payload has none of these, so the C encoder does the work and rfc8785 takes the rest.
"""

from __future__ import annotations

import json
import re
from typing import Any

# the versioned hash schemes: 1 is the journal's row chain (json.dumps canonical form, kept so
# every existing journal verifies as it always did), 2 the per-incident export chain (JCS)
ROW_SCHEME = 1
EXPORT_SCHEME = 2
EXPORT_SCHEME_NAME = "cockpit-incident-chain/2: sha256 over RFC 8785 JCS"

_MAX_SAFE = 2**53
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_dumps = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
).encode


class NotCanonicalizable(ValueError):
    """A value JCS has no text for: NaN, Infinity, a lone surrogate, a non-JSON type."""


def canonicalize(value: Any) -> bytes:
    """The RFC 8785 canonical UTF-8 bytes of a JSON value."""
    if _plain(value):
        try:
            return _dumps(value).encode("utf-8")
        except UnicodeEncodeError:
            raise NotCanonicalizable("a string holds a lone surrogate: not Unicode") from None
        except ValueError as exc:
            raise NotCanonicalizable(str(exc)) from None
    import rfc8785  # here: the common case never needs it

    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, ValueError, TypeError) as exc:
        raise NotCanonicalizable(str(exc)) from None


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
