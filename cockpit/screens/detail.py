"""`enter`: the full text of the selected item, every field, scrollable."""

from __future__ import annotations

import json
from typing import Any

import msgspec
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from cockpit.model import Alert
from cockpit.text import inert

DETAIL_LIMIT = 2_000_000  # the full text of a 1 MB event message still fits


def describe_alert(alert: Alert) -> str:
    """An alert laid out as a responder reads it: what it says, where to look, what matches."""
    notes = dict(alert.annotations)
    lines = [f"{alert.name}  {alert.severity or 'no severity'}  {alert.state}"]
    lines.append(f"since:        {alert.starts_at or 'unknown'}")
    if alert.silenced_by:
        until = f" until {alert.silence_ends}" if alert.silence_ends else ""
        lines.append(f"silenced by:  {', '.join(alert.silenced_by)}{until}")
    if alert.correlated_deploy:
        lines.append(f"suspect:      {alert.correlated_deploy}")
    lines.append("")
    for key, label in (("summary", "summary"), ("description", "description")):
        if notes.get(key):
            lines.append(f"{label + ':':<13} {notes.pop(key)}")
    runbook = notes.pop("runbook_url", "") or notes.pop("runbook", "")
    lines.append(f"runbook:      {runbook or '(none given)'}")
    lines.append(f"source:       {alert.generator_url or '(not given)'}")
    for key, value in sorted(notes.items()):
        lines.append(f"{key + ':':<13} {value}")
    lines += ["", "labels:"]
    lines += [f"  {k} = {v}" for k, v in sorted(alert.labels.items())]
    return "\n".join(lines)


def describe_item(item: Any) -> str:
    """Every field of a model object, pretty-printed; strings in full."""
    if isinstance(item, Alert):
        return describe_alert(item)
    if isinstance(item, msgspec.Struct):
        data = msgspec.structs.asdict(item)
    elif hasattr(item, "as_dict"):
        data = item.as_dict()
    else:
        return str(item)
    return "\n".join(_field(key, value) for key, value in data.items())


def _field(key: str, value: Any, indent: str = "") -> str:
    """One field; a multi-line string (a pasted note) as an indented block of its lines,
    not as one JSON string full of \\n."""
    if isinstance(value, str) and "\n" in value:
        block = "\n".join(f"{indent}  {line}" for line in value.split("\n"))
        return f"{indent}{key}: |\n{block}"
    if isinstance(value, dict) and any(isinstance(v, str) and "\n" in v for v in value.values()):
        inner = "\n".join(_field(str(k), v, indent + "  ") for k, v in value.items())
        return f"{indent}{key}:\n{inner}"
    if isinstance(value, dict | list | tuple):
        value = json.dumps(value, indent=2, ensure_ascii=False, default=str)
    return f"{indent}{key}: {value}"


class DetailScreen(ModalScreen[None]):
    BINDINGS = [("escape,q,enter", "dismiss", "Close")]
    DEFAULT_CSS = """
    DetailScreen { align: center middle; }
    DetailScreen > VerticalScroll { width: 90%; height: 80%; border: round $accent;
        background: $surface; padding: 0 1; }
    """

    def __init__(self, title: str, item: Any, *, extra: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.item = item
        self.extra = extra  # what others say of the item (an event's team receipt)

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Label(inert(self.title_text, limit=100, style="bold"))
            if self.extra:  # role names come from a server: inert like the rest
                yield Static(inert(self.extra, limit=DETAIL_LIMIT, multiline=True))
            yield Static(inert(describe_item(self.item), limit=DETAIL_LIMIT, multiline=True))
