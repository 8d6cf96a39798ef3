"""Read a jsonl export back into drafts: every line checked before anything is appended."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cockpit.journal import events as kinds
from cockpit.model import Draft


class ImportError_(Exception):
    """The file cannot be imported; the message names the line."""


_REQUIRED: dict[str, type | tuple[type, ...]] = {
    "id": str,
    "incident": str,
    "ts": str,
    "actor": str,
    "kind": str,
    "schema": int,
    "data": dict,
    "context": dict,
}


def parse_line(number: int, line: str) -> Draft:
    try:
        obj: Any = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ImportError_(f"line {number}: not JSON ({exc.msg}, column {exc.colno})") from None
    if not isinstance(obj, dict):
        raise ImportError_(f"line {number}: expected a JSON object, got {type(obj).__name__}")
    for name, kind in _REQUIRED.items():
        if name not in obj:
            raise ImportError_(f"line {number}: missing field {name!r}")
        if not isinstance(obj[name], kind) or isinstance(obj[name], bool):
            raise ImportError_(f"line {number}: field {name!r} has the wrong type")
    if obj["schema"] == kinds.current_schema(obj["kind"]):
        # the store would refuse it mid-import; name the line before anything is appended
        try:
            kinds.validate(obj["kind"], obj["data"])
        except kinds.PayloadError as exc:
            raise ImportError_(f"line {number}: {exc}") from None
    return Draft(
        incident=obj["incident"],
        kind=obj["kind"],
        actor=obj["actor"],
        data=obj["data"],
        context=obj["context"],
        id=obj["id"],
        ts=obj["ts"],
        schema=obj["schema"],
    )


def read_jsonl(path: Path) -> list[Draft]:
    """All drafts of the file in order, or ImportError_ naming the first bad line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ImportError_(f"no such file: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportError_(f"cannot read {path}: {exc}") from None
    drafts = [
        parse_line(number, line)
        # split on \n only: exports keep U+2028 and friends raw inside JSON strings, and
        # str.splitlines() would break a line there
        for number, line in enumerate(text.split("\n"), start=1)
        if line.strip()
    ]
    # exports are ordered by seq; keep each incident's own order when re-appending
    return drafts
