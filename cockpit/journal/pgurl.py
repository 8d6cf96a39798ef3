"""Team-store URLs: recognise them, show them without their password, add timeouts.

libpq reads everything else itself (PGPASSFILE, ~/.pgpass, PGPASSWORD, PGSSLMODE,
PGSSLROOTCERT, sslmode=verify-full in the URL): cockpit passes the URL on untouched.
"""

from __future__ import annotations

import re

CONNECT_TIMEOUT_S = 5
STATEMENT_TIMEOUT_MS = 10_000

_SCHEMES = ("postgresql://", "postgres://")
# scheme://user:password@ -> the password part, up to the last @ before the host
# anywhere in a text: libpq quotes the URI in some of its own error messages
_PASSWORD = re.compile(r"(postgres(?:ql)?://[^:@/\s\"']*:)([^@/\s\"']*)(@)", re.IGNORECASE)
_PASSWORD_PARAM = re.compile(r"([?&]password=)[^&]*", re.IGNORECASE)


def is_pg_url(value: object) -> bool:
    return isinstance(value, str) and value.lower().startswith(_SCHEMES)


def masked(url: str) -> str:
    """The URL (or a message quoting it) as it may be printed, logged or journaled: any
    password replaced by ***."""
    url = _PASSWORD.sub(r"\1***\3", url)
    return _PASSWORD_PARAM.sub(r"\1***", url)


def connect_kwargs(statement_timeout_ms: int = STATEMENT_TIMEOUT_MS) -> dict[str, object]:
    """Keyword parameters merged into the URL's own: a hung server is an error, not a freeze.
    A connect_timeout in the URL wins (libpq gives keywords precedence, so it is only set
    when the caller did not)."""
    return {
        "application_name": "cockpit",
        "options": (
            f"-c statement_timeout={statement_timeout_ms} -c lock_timeout={statement_timeout_ms}"
        ),
    }
