"""Remove secrets from payloads before they are written: an append-only log cannot be scrubbed."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

# Patterns are compiled on first use, not at import: compiling them was ~2.5 ms of every
# start, and the first append comes after the first frame.

# (kind, pattern, group to keep before the secret). Order matters: the most specific first.
_PATTERN_SOURCES: tuple[tuple[str, str, re.RegexFlag, int], ...] = (
    (
        "pem_private_key",
        r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----.*?"
        r"(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----|\Z)",
        re.S,
        0,
    ),
    (
        "jwt",
        r"\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}",
        re.NOFLAG,
        0,
    ),
    ("bearer_token", r"(?i)(\bbearer\s+)[A-Za-z0-9._~+/=-]{8,}", re.NOFLAG, 1),
    ("aws_access_key", r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[A-Z0-9]{16}\b", re.NOFLAG, 0),
    (
        "github_token",
        r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})",
        re.NOFLAG,
        0,
    ),
    ("slack_token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}", re.NOFLAG, 0),
    (
        "credential",
        # prefixed names count too: DB_PASSWORD=, access_token=, client-secret:
        r"(?i)(\b(?:[a-z0-9]+[_-])*(?:password|passwd|pwd|token|secret|api[_-]?key"
        r"|access[_-]?key)"
        r"\s*[=:]\s*)(\"[^\"]*\"|'[^']*'|[^\s,;&]+)",
        re.NOFLAG,
        1,
    ),
)


# Every pattern above needs one of these literals: text without any is clean, and one search
# for them is much cheaper than seven substitutions on each string of each append.
_MAYBE_SECRET = (
    r"(?i:bearer|password|passwd|pwd|token|secret|api[_-]?key|access[_-]?key)"
    r"|PRIVATE KEY|eyJ|AKIA|ASIA|AGPA|AIDA|AROA|gh[pousr]_|github_pat_|xox"
)


@cache
def _patterns() -> tuple[re.Pattern[str], tuple[tuple[str, re.Pattern[str], int], ...]]:
    """(the cheap pre-check, the secret patterns), compiled once."""
    secrets = tuple(
        (kind, re.compile(src, flags), keep) for kind, src, flags, keep in _PATTERN_SOURCES
    )
    return re.compile(_MAYBE_SECRET), secrets


def redact_text(text: str) -> tuple[str, set[str]]:
    """Return `text` with every secret replaced by [REDACTED:<kind>], and the kinds found."""
    found: set[str] = set()
    maybe_secret, patterns = _patterns()
    if not maybe_secret.search(text):
        return text, found
    for kind, pattern, keep in patterns:

        def _sub(m: re.Match[str], kind: str = kind, keep: int = keep) -> str:
            if "[REDACTED:" in m.group(0):
                return m.group(0)
            found.add(kind)
            prefix = m.group(keep) if keep else ""
            return f"{prefix}[REDACTED:{kind}]"

        text = pattern.sub(_sub, text)
    return text, found


# a payload key that names a secret: its whole value goes, whatever it looks like
_SECRET_KEY = (
    r"(?i)^(?:.*[_-])?(?:password|passwd|pwd|token|secret|api[_-]?key|access[_-]?key"
    r"|private[_-]?key|authorization|credentials?)$"
)


@cache
def _secret_key() -> re.Pattern[str]:
    return re.compile(_SECRET_KEY)


def _names_secret(key: object) -> bool:
    return isinstance(key, str) and _secret_key().match(key) is not None


def _has_secret(item: object) -> bool:
    if item is None or item == "":
        return False
    return not (isinstance(item, str) and item.startswith("[REDACTED:"))


def redact(value: Any) -> tuple[Any, set[str]]:
    """Redact every string inside a JSON-like value (dict keys stay as they are)."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        found: set[str] = set()
        out: dict[str, Any] = {}
        for key, item in value.items():
            if _names_secret(key) and _has_secret(item):
                out[key] = "[REDACTED:credential]"
                found.add("credential")
                continue
            out[key], kinds = redact(item)
            found |= kinds
        return out, found
    if isinstance(value, list | tuple):
        found = set()
        items = []
        for item in value:
            clean, kinds = redact(item)
            items.append(clean)
            found |= kinds
        return items, found
    return value, set()
