"""Untrusted text made safe for a terminal, as plain text (no Rich, no Textual).

`clean()` replaces every character a terminal could act on (C0/C1 controls, ESC and so every
CSI/OSC/DCS sequence, DEL, bidi overrides and other invisible format characters, lone
surrogates) with a visible stand-in, and bounds the length. The UI wraps its result in a Rich
Text (`cockpit.text.inert`); the exports and the command line print it as it is, so what a
reader `cat`s is as inert as what the cockpit shows.

Replacing the ESC character alone is enough to defuse a whole sequence: what follows it
(`[2J`, `]52;c;...`) is printable and is shown literally, which also tells the responder
that the source emitted escape codes.
"""

from __future__ import annotations

import re
import sys

DEFAULT_LIMIT = 500

# Everything a terminal (or the layout engine) could act on, as one character class:
# C0 controls, DEL, C1 controls, Arabic letter mark, zero-width and bidi marks/overrides,
# line/paragraph separators, word joiner and bidi isolates, BOM, interlinear annotations,
# lone surrogates (they would crash the UTF-8 encoder) and the invisible "tag" characters.
_INVISIBLE = (
    "\x7f-\x9f\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f"
    "\ufeff\ufff9-\ufffb\ud800-\udfff\U000e0000-\U000e007f"
)
_UNSAFE = re.compile(f"\r\n|[\x00-\x1f{_INVISIBLE}]")
# multiline text keeps its newlines as they are: not matching them spares a Python step per
# line (a 100k-event markdown export has ~200k lines)
_UNSAFE_MULTILINE = re.compile(f"\r\n|[\x00-\x09\x0b-\x1f{_INVISIBLE}]")

_NEWLINE_MARK = "⏎"


def _stand_in(char: str, multiline: bool) -> str:
    """The visible replacement of one unsafe character (or of a CRLF pair)."""
    if char in ("\n", "\r\n"):
        return "\n" if multiline else _NEWLINE_MARK
    if char == "\t":
        # tabs expand differently in Rich and in terminals: fixed spaces keep columns aligned
        return "    " if multiline else " "
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # Unicode "control pictures": ␛ ␇ ␍ ␈ ...
    if code == 0x7F:
        return "\u2421"  # ␡
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _suffix(dropped: int) -> str:
    return f"… (+{dropped:,} char{'s' if dropped != 1 else ''})"


def clean_spans(text: str, limit: int | None, multiline: bool) -> tuple[str, list[tuple[int, int]]]:
    """Cleaned text and the (start, end) spans of the stand-ins within it."""
    if not isinstance(text, str):
        text = str(text)
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be >= 0 or None, got {limit}")
    budget = sys.maxsize if limit is None else limit
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    size = 0  # characters emitted so far
    consumed = 0  # characters of `text` accounted for
    # Only a window of the input is scanned, so a 100 MB message costs no more than a short
    # one. Each input character yields at least one output character (CRLF: two yield one),
    # so 2 * budget + 2 input characters always exhaust the budget inside the window.
    window = len(text) if limit is None else min(len(text), 2 * limit + 2)
    unsafe = _UNSAFE_MULTILINE if multiline else _UNSAFE
    for match in unsafe.finditer(text, 0, window):
        plain = text[consumed : match.start()]
        if plain:
            take = min(len(plain), budget - size)
            parts.append(plain[:take])
            size += take
            consumed += take
            if take < len(plain):
                break
        stand_in = _stand_in(match.group(), multiline)
        if size + len(stand_in) > budget:
            break  # never cut a stand-in in half: "\x1" would be misleading
        if stand_in != "\n":
            spans.append((size, size + len(stand_in)))
        parts.append(stand_in)
        size += len(stand_in)
        consumed = match.end()
    else:
        rest = text[consumed:window]
        take = min(len(rest), budget - size)
        parts.append(rest[:take])
        consumed += take
    out = "".join(parts)
    if consumed < len(text):
        out += _suffix(len(text) - consumed)
    return out, spans


def clean(text: str, limit: int | None = DEFAULT_LIMIT, *, multiline: bool = False) -> str:
    """`text` with every control/format character made visible, at most `limit` long.

    One-line (default): newline -> "⏎", tab -> space. `multiline=True` keeps newlines
    (CRLF becomes LF) for detail views. C0 controls become control pictures ("␛", "␇",
    "␍"), C1 and invisible Unicode become escapes ("\\x9b", "\\u202e"). Past `limit`
    characters of output the rest is dropped and counted: "… (+999,500 chars)".

    Markup is NOT escaped here: show the result through `inert()` (a Text), never as a str
    in a widget that parses markup.
    """
    return clean_spans(text, limit, multiline)[0]


# Escape sequences as terminals parse them (ECMA-48): CSI (7- and 8-bit), the string
# sequences OSC/DCS/SOS/PM/APC up to their terminator (or the end: an unterminated one
# must not leak its payload), other two-character ESC sequences, a CSI cut at the end.
_ESCAPES = re.compile(
    "\x1b\\[[0-?]*[ -/]*[@-~]"
    "|\x9b[0-?]*[ -/]*[@-~]"
    "|(?:\x1b[\\]P^_X]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\\\|\x9c)?"
    "|\x1b\\[[0-?]*[ -/]*$|\x9b[0-?]*[ -/]*$"
    "|\x1b[ -/]*[0-~]"
)
_ANY_ESCAPE = re.compile("[\x1b\x90-\x9f]")
_SGR = re.compile("\x1b\\[[0-9;:]*m")


def strip_escapes(text: str, *, keep_sgr: bool = False) -> tuple[list[str], list[str]]:
    """`text` without escape sequences, as the pieces between them; with `keep_sgr` the SGR
    (colour) sequences that separated the pieces are returned too (len(pieces) - 1 of them
    at most). Other controls are left for clean()."""
    if _ANY_ESCAPE.search(text) is None:
        return [text], []
    pieces: list[str] = []
    sgr: list[str] = []
    pos = 0
    current = ""
    for match in _ESCAPES.finditer(text):
        current += text[pos : match.start()]
        pos = match.end()
        seq = match.group()
        if keep_sgr and _SGR.fullmatch(seq):
            pieces.append(current)
            sgr.append(seq)
            current = ""
    pieces.append(current + text[pos:])
    return pieces, sgr
