"""Plain text that is safe to put on a terminal: what cockpit prints or writes as text.

Journal content comes from outside (notes, alert labels, an imported file): a backspace, an
ESC or an OSC sequence in it must not rewrite what a reader sees when they `cat` an export or
read `cockpit incidents`. Control characters are shown as visible `\\xNN` escapes instead.
"""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, and C1 controls (U+0080..U+009F: CSI, OSC, ...)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _visible(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()):02x}"


def printable(text: str) -> str:
    """`text` with every control character but tab and newline made visible and inert."""
    return _CONTROLS.sub(_visible, text)


def one_line_printable(text: str) -> str:
    """For a single line (an error): newlines and tabs are made visible too."""
    return printable(text).replace("\n", "\\n").replace("\t", " ")
