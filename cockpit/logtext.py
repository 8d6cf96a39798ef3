"""How a log line reads in the log view: plain text for search, error-looking or not, JSON
lines compacted to level and message, and a stable colour per pod (as stern does)."""

from __future__ import annotations

import re
import zlib
from typing import Any

import msgspec

from cockpit.plaintext import strip_escapes

# stern's palette idea: distinct, readable on dark and light themes; never red (errors)
POD_COLOURS = (
    "cyan",
    "green",
    "magenta",
    "yellow",
    "bright_blue",
    "bright_cyan",
    "bright_green",
    "bright_magenta",
    "dark_orange",
    "medium_purple",
    "spring_green2",
    "deep_sky_blue1",
)
_ERROR_WORDS = re.compile(
    r"\b(?:ERROR|ERR|FATAL|CRIT(?:ICAL)?|WARN(?:ING)?|[Pp]anic|PANIC|Traceback|"
    r"\w*Exception|\w*Error:|OutOfMemoryError|OOMKilled|SIGSEGV|SIGKILL)\b"
)
_ERROR_LEVELS = frozenset(
    {"error", "err", "fatal", "panic", "critical", "crit", "warn", "warning", "alert", "emerg"}
)
LEVEL_KEYS = ("level", "lvl", "severity", "log.level", "loglevel")
MESSAGE_KEYS = ("msg", "message", "event", "text")
TIME_KEYS = ("ts", "time", "timestamp", "@timestamp", "t")
_decoder = msgspec.json.Decoder()


def pod_colour(pod: str) -> str:
    """The same pod always gets the same colour (crc32: stable across runs, unlike hash())."""
    return POD_COLOURS[zlib.crc32(pod.encode()) % len(POD_COLOURS)]


def search_plain(text: str) -> str:
    """The line as the view shows its characters: escape sequences gone."""
    return "".join(strip_escapes(text)[0])


def json_object(text: str) -> dict[str, Any] | None:
    if not text.startswith("{"):
        return None
    try:
        value = _decoder.decode(text)
    except (msgspec.DecodeError, UnicodeError):
        return None
    return value if isinstance(value, dict) else None


def _first(obj: dict[str, Any], keys: tuple[str, ...]) -> str:
    for key in keys:
        if key in obj and obj[key] is not None:
            return str(obj[key])
    return ""


def json_level(text: str) -> str | None:
    obj = json_object(text)
    return None if obj is None else _first(obj, LEVEL_KEYS).lower()


def compact_json(text: str) -> str | None:
    """`WARN  slow  ms=5` for a JSON log line (time left out: the view shows the line's
    stamp), None for anything else; the full object is in the detail view."""
    obj = json_object(text)
    if obj is None:
        return None
    level = _first(obj, LEVEL_KEYS).upper()
    message = _first(obj, MESSAGE_KEYS)
    skip = {*LEVEL_KEYS, *MESSAGE_KEYS, *TIME_KEYS}
    rest = " ".join(
        f"{k}={v if not isinstance(v, (dict, list)) else msgspec.json.encode(v).decode()}"
        for k, v in obj.items()
        if k not in skip
    )
    head = f"{level:<5} {message}" if level else message
    return "  ".join(p for p in (head, rest) if p)


def is_errorish(text: str) -> bool:
    """An error-looking line: a JSON level field when there is one, else the usual words."""
    obj = json_object(text)
    if obj is not None:
        level = _first(obj, LEVEL_KEYS).lower()
        if level:
            return level in _ERROR_LEVELS
    return _ERROR_WORDS.search(text) is not None
