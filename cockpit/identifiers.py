"""The one policy for incident ids and operator names, applied where they enter the cockpit.

An incident id names files (`e` writes <id>.md), shows in every listing and is pasted into
chat; an operator name is printed beside every action. Both come from outside (the command
line, COCKPIT_OPERATOR, an imported file), so they are checked at the door, once, here:

- incident id: 1 to 64 ASCII letters, digits, `.`, `_`, `:` or `-`, starting with a letter or
  digit (INC-20261128-1905, INC-20261202-110512-ab12, demo and test ids all fit);
- operator name: 1 to 64 printable characters once trimmed: no control, bidi, zero-width or
  line-separator character (str.isprintable), so a name cannot move the terminal or reorder
  the text around it.

Pure functions, no imports from the rest of the cockpit: the journal's importer and the CLI
both use them.
"""

from __future__ import annotations

import re

MAX_LENGTH = 64

INCIDENT_RULE = (
    f"an incident id is 1 to {MAX_LENGTH} letters, digits, '.', '_', ':' or '-',"
    " starting with a letter or digit (e.g. INC-20261128-1905)"
)
OPERATOR_RULE = (
    f"an operator name is 1 to {MAX_LENGTH} printable characters"
    " (no control, bidi or zero-width characters)"
)

_INCIDENT_RE = re.compile(rf"[A-Za-z0-9][A-Za-z0-9._:-]{{0,{MAX_LENGTH - 1}}}")
_SHOWN_MAX = 80  # a quoted value is cut here: the rule, not a megabyte of input, is the news


class IdentifierError(ValueError):
    """An incident id or operator name that breaks the policy; the message names the value
    (escaped) and the rule."""


def is_incident_id(value: object) -> bool:
    return isinstance(value, str) and _INCIDENT_RE.fullmatch(value) is not None


def is_operator_name(value: object) -> bool:
    """Exactly as stored: already trimmed, 1..64 printable characters."""
    return (
        isinstance(value, str)
        and 0 < len(value) <= MAX_LENGTH
        and value.isprintable()
        and value == value.strip()
    )


def incident_id(value: str, *, what: str = "incident id") -> str:
    """`value` trimmed, if it is a valid incident id; else IdentifierError naming `what`."""
    trimmed = value.strip()
    if not is_incident_id(trimmed):
        raise IdentifierError(f"{what} {shown(value)} refused: {INCIDENT_RULE}")
    return trimmed


def operator_name(value: str, *, what: str = "operator name") -> str:
    """`value` trimmed, if it is a valid operator name; else IdentifierError naming `what`."""
    trimmed = value.strip()
    if not is_operator_name(trimmed):
        raise IdentifierError(f"{what} {shown(value)} refused: {OPERATOR_RULE}")
    return trimmed


def tidy_operator(value: str) -> str:
    """A name the cockpit found on its own (git user.name, $USER@host), made to fit the rule
    rather than refused: the responder did not type it and must not be stopped by it.
    "" when nothing printable is left."""
    kept = "".join(c if c.isprintable() else " " for c in value)
    return " ".join(kept.split())[:MAX_LENGTH].strip()


def shown(value: str) -> str:
    """`value` quoted for an error line: every unprintable character as an escape, cut."""
    cut = value[:_SHOWN_MAX]
    body = "".join(c if c.isprintable() and c not in "'\\" else _escape(c) for c in cut)
    more = f"... ({len(value)} characters)" if len(value) > _SHOWN_MAX else ""
    return f"'{body}'{more}"


def _escape(c: str) -> str:
    if c in "'\\":
        return "\\" + c
    code = ord(c)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"
