"""One vocabulary for transport problems: what went wrong, in a few words, on one line.

Every source (Prometheus, Alertmanager, Kubernetes, gitops, the demo) turns its exceptions
and its servers' error bodies into pane text through these helpers, so the same fault reads
the same everywhere ("connection refused", "host name not found (DNS)", ...). No client
library is imported here: exceptions are read by their standard causes and their text.
"""

from __future__ import annotations

import errno
import json
import socket
import ssl
from collections.abc import Iterator
from http import HTTPStatus

TLS_FIX = "set ca_file"

# Text markers for causes that only survive as text (urllib3 and httpx wrap the OSError).
# Order matters: the more specific phrase first.
_MARKERS: tuple[tuple[str, str], ...] = (
    ("Connection refused", "connection refused"),
    ("All connection attempts failed", "connection refused"),
    ("Name or service not known", "host name not found (DNS)"),
    ("nodename nor servname", "host name not found (DNS)"),
    ("name resolution", "host name not found (DNS)"),
    ("CERTIFICATE_VERIFY_FAILED", "TLS certificate not trusted"),
    ("certificate verify failed", "TLS certificate not trusted"),
    ("connect timeout", "connect timed out"),
    ("timed out", "timed out"),
    ("RemoteDisconnected", "connection closed by the server"),
    ("Connection reset", "connection reset"),
)


def one_line(text: str, limit: int = 300) -> str:
    """Collapse whitespace and cut: an error message is shown on one line of a pane."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and its causes; urllib3 keeps the cause in `.reason`, not __cause__."""
    seen: BaseException | None = exc
    visited: set[int] = set()
    while seen is not None and id(seen) not in visited:
        visited.add(id(seen))
        yield seen
        nested = getattr(seen, "reason", None)
        seen = nested if isinstance(nested, BaseException) else (seen.__cause__ or seen.__context__)


def short_reason(exc: BaseException, *, tls_fix: str = TLS_FIX) -> str:
    """Why a request got no answer, in a few words (connection refused, DNS, TLS, ...).

    `tls_fix` says how to trust the server's certificate in this source's configuration."""
    chain = list(_chain(exc))
    reason = ""
    for seen in chain:
        if isinstance(seen, socket.gaierror):
            reason = "host name not found (DNS)"
        elif isinstance(seen, ssl.SSLCertVerificationError):
            reason = "TLS certificate not trusted"
        elif isinstance(seen, OSError) and seen.errno == errno.ECONNREFUSED:
            reason = "connection refused"
        if reason:
            break
    if not reason:
        text = " ".join(str(seen) for seen in chain)
        reason = next((short for marker, short in _MARKERS if marker in text), "")
    if reason == "TLS certificate not trusted":
        return f"{reason}: {tls_fix}"
    if reason:
        return reason
    return one_line(str(exc) or type(exc).__name__, 200)


def http_reason(status: int, reason: str = "") -> str:
    """The reason phrase of an HTTP status ("403 Forbidden"'s second word), never a sentence.

    Some clients put "Reason: message" in the reason; only the standard phrase is kept."""
    if reason and ":" not in reason:
        return reason
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return reason.split(":")[0]


def server_message(
    body: bytes | str | None, *, status: int = 0, content_type: str = "", fallback: str = ""
) -> str:
    """What the server said about an error, in its words, on one line.

    A JSON string, or the error/message/msg of a JSON object (Alertmanager, Kubernetes
    Status), else the plain text. A proxy's non-JSON 502/503/504 is "unreachable"; an HTML
    page or an empty body says only the status (or `fallback` when given)."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else (body or "")
    try:
        doc = json.loads(text) if text.strip() else None
    except ValueError:
        doc = None
    if isinstance(doc, str) and doc.strip():
        return one_line(doc)
    if isinstance(doc, dict):
        for key in ("error", "message", "msg"):
            if doc.get(key):
                return one_line(str(doc[key]))
    if status in (502, 503, 504) and "json" not in content_type:
        return f"unreachable ({status} from proxy)"
    if not text.strip() or "html" in content_type:
        return fallback or f"HTTP {status}"
    return one_line(text, 200)


def unreachable(service: str, url: str, reason: str) -> str:
    """The source is down because its server gave no usable answer."""
    return f"{service} unreachable at {url}: {reason}"


def timed_out(service: str, url: str, timeout_s: float) -> str:
    return f"{service} timed out after {timeout_s:g}s at {url}"


def ca_file_problem(service: str, path: str | None) -> str | None:
    """Why `path` cannot be the CA bundle a source trusts (missing, unreadable, not PEM), as
    one line, or None when it can (or none is set). Checked before a request, so the fault
    is named as the file, not as a TLS failure deep in a client library."""
    if not path:
        return None
    try:
        ssl.create_default_context(cafile=path)
    except (OSError, ssl.SSLError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        why = one_line(why, 120)
        return f"{service}: cannot use ca_file {path}: {why} (point ca_file at a PEM bundle)"
    return None
