"""The one error vocabulary: the same fault reads the same in every source."""

from __future__ import annotations

import errno
import socket
import ssl

from cockpit.sources.errors import http_reason, one_line, server_message, short_reason


class Wrapper(Exception):
    """Like urllib3's MaxRetryError: the cause is kept in `.reason`, not __cause__."""

    def __init__(self, text: str, reason: BaseException) -> None:
        super().__init__(text)
        self.reason = reason


def test_causes_are_found_through_wrappers() -> None:
    refused = ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")
    assert short_reason(Wrapper("Max retries exceeded", refused)) == "connection refused"
    dns = socket.gaierror(-2, "Name or service not known")
    try:
        raise RuntimeError("connect failed") from dns
    except RuntimeError as exc:
        assert short_reason(exc) == "host name not found (DNS)"
    tls = ssl.SSLCertVerificationError("certificate verify failed")
    assert short_reason(tls) == "TLS certificate not trusted: set ca_file"
    assert short_reason(tls, tls_fix="fix it here") == "TLS certificate not trusted: fix it here"


def test_causes_known_only_by_text() -> None:
    assert short_reason(OSError("All connection attempts failed")) == "connection refused"
    assert short_reason(OSError("(connect timeout=5)")) == "connect timed out"
    assert short_reason(OSError("Read timed out.")) == "timed out"
    closed = OSError("RemoteDisconnected('closed')")
    assert short_reason(closed) == "connection closed by the server"
    assert short_reason(ValueError("something\n  else")) == "something else"
    assert short_reason(ValueError()) == "ValueError"


def test_one_line_collapses_and_cuts() -> None:
    assert one_line("a\n\tb  c") == "a b c"
    assert one_line("x" * 10, limit=5) == "xxxx…"


def test_http_reason_keeps_the_phrase_only() -> None:
    assert http_reason(403, "Forbidden") == "Forbidden"
    assert http_reason(410, "Gone: too old resource version") == "Gone"
    assert http_reason(404) == "Not Found"
    assert http_reason(799, "Odd: thing") == "Odd"


def test_server_message_in_the_servers_words() -> None:
    assert server_message(b'{"message": "deployments.apps \\"x\\" not found"}') == (
        'deployments.apps "x" not found'
    )
    assert server_message('"bad matcher"') == "bad matcher"
    assert server_message(b"<html>gateway</html>", status=502, content_type="text/html") == (
        "unreachable (502 from proxy)"
    )
    assert server_message(b"", status=500) == "HTTP 500"
    assert server_message(None, status=409, fallback="Conflict") == "Conflict"
    assert server_message(b"plain\ntext", status=500) == "plain text"
