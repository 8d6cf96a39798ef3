"""Every operator key in one table: the app's bindings, the help screen and the palette use it."""

from __future__ import annotations

import msgspec


class KeyAction(msgspec.Struct, frozen=True):
    key: str
    action: str  # Textual action name (app.action_<action>)
    label: str  # short, for the footer
    description: str  # for help and the command palette
    journal: str = ""  # the journal kind it records


KEYMAP: tuple[KeyAction, ...] = (
    KeyAction(
        "i",
        "declare",
        "Declare",
        "Declare the incident or change its title",
        "incident.declared / incident.retitled",
    ),
    KeyAction("s", "severity", "Severity", "Set severity (SEV1..SEV5)", "severity.changed"),
    KeyAction("t", "status", "Status", "Set status (investigating .. resolved)", "status.changed"),
    KeyAction("n", "note", "Note", "Add a note, hypothesis, decision or finding", "note.added"),
    KeyAction(
        "m",
        "amend",
        "Amend",
        "Amend the note selected in the timeline (keeps the original)",
        "note.amended",
    ),
    KeyAction("c", "role", "Role", "Assign a role (commander, scribe, comms)", "role.assigned"),
    KeyAction("a", "ack", "Ack", "Acknowledge the selected alert", "alert.acknowledged"),
    KeyAction(
        "x",
        "silence",
        "Silence",
        "Silence the selected alert: duration, comment and matchers (amtool's defaults)",
        "alert.silenced",
    ),
    KeyAction(
        "E",
        "extend_silence",
        "",
        "Extend the silence muting the selected alert",
        "alert.silence.extended",
    ),
    KeyAction(
        "X",
        "expire_silence",
        "",
        "Expire the silence muting the selected alert now",
        "alert.silence.expired",
    ),
    KeyAction(
        "r",
        "rollback",
        "Rollback",
        "Roll back the selected deploy (confirm first)",
        "remediation.requested / .succeeded / .failed",
    ),
    KeyAction(
        "R",
        "restart",
        "",
        "Rolling restart of the selected deploy (confirm first)",
        "remediation.requested / .succeeded / .failed",
    ),
    KeyAction(
        "Z",
        "scale",
        "",
        "Scale the selected deploy (confirm first)",
        "remediation.requested / .succeeded / .failed",
    ),
    KeyAction(
        "p",
        "pin",
        "Pin",
        "Pin the selected alert, event, deploy or metric as evidence",
        "evidence.pinned",
    ),
    KeyAction(
        "o", "handoff", "Handoff", "Hand the keyboard to another operator", "operator.handoff"
    ),
    KeyAction(
        "l",
        "logs",
        "Logs",
        "Logs of the selected pod's event, deploy (its pods) or alert (the pods it names)",
        "view.logs",
    ),
    KeyAction("e", "export", "Export", "Export the timeline (md, jsonl)", "export.created"),
    KeyAction(
        "enter",
        "detail",
        "Detail",
        "Open the selected item (metric chart, full text)",
        "view.detail",
    ),
    KeyAction("slash", "filter", "Filter", "Filter the focused pane", "view.filter"),
    KeyAction("v", "toggle_views", "Views", "Show or hide view.* entries in the timeline", ""),
    KeyAction("1", "focus_pane('alerts')", "", "Focus the alerts pane", "view.focus"),
    KeyAction("2", "focus_pane('metrics')", "", "Focus the metrics pane", "view.focus"),
    KeyAction("3", "focus_pane('kubernetes')", "", "Focus the Kubernetes pane", "view.focus"),
    KeyAction("4", "focus_pane('deploys')", "", "Focus the deploys pane", "view.focus"),
    KeyAction("5", "focus_pane('timeline')", "", "Focus the timeline pane", "view.focus"),
    KeyAction("tab", "focus_next", "", "Move focus to the next pane", "view.focus"),
    KeyAction("question_mark", "help", "Help", "Show every key", ""),
    KeyAction("ctrl+p", "command_palette", "Palette", "Command palette: every action, themes", ""),
    KeyAction("q", "quit", "Quit", "Quit (journals session.ended)", "session.ended"),
)


def display_key(key: str) -> str:
    return {"question_mark": "?", "slash": "/", "enter": "enter"}.get(key, key)


class LogKey(msgspec.Struct, frozen=True):
    key: str
    action: str  # LogScreen.action_<action>
    label: str
    description: str
    journal: str = ""

    @property
    def display(self) -> str:
        return display_key(self.key)


# Keys of the log view (l). Its own table: there n/N move between matches, p pins a line.
LOG_KEYS: tuple[LogKey, ...] = (
    LogKey("slash", "search", "Search", "Search: every match highlighted while typing"),
    LogKey("n", "next_match", "Next", "Next match (wraps)"),
    LogKey("N", "previous_match", "Prev", "Previous match"),
    LogKey("f", "toggle_filter", "Filter", "Filter mode: only the lines that match the search"),
    LogKey("e", "toggle_errors", "Errors", "Only error-looking lines (level, ERROR, panic, ...)"),
    LogKey("w", "toggle_wrap", "Wrap", "Wrap long lines (or cut them at the edge)"),
    LogKey("P", "toggle_previous", "Prev.ctr", "Current / previous (terminated) containers"),
    LogKey(
        "c",
        "container",
        "",
        "Pick the container: all, or one (init containers marked, with state)",
    ),
    LogKey("s", "since", "", "Since: 15m, 1h, all, 5m"),
    LogKey("space", "pause", "Pause", "Pause / resume following"),
    LogKey("m", "mark", "", "Mark the start of a range to pin (m again: unmark)"),
    LogKey(
        "p", "pin", "Pin", "Pin the selected line (or marked range) as evidence", "evidence.pinned"
    ),
    LogKey("enter", "detail", "", "The whole line, JSON pretty-printed"),
    LogKey("question_mark", "help", "", "The keys of the log view"),
    LogKey("escape", "close", "Close", "Clear the search or the mark; else close the logs"),
)


# Keys that move around rather than act (beside 1-5, tab, enter and / above), listed by `?`;
# short keys: the help's key column is as wide as its longest one
NAVIGATION_KEYS: tuple[tuple[str, str], ...] = (
    ("↑ / ↓", "move the cursor in the focused pane"),
    ("PgUp / PgDn", "a page up / down"),
    ("Home / End", "first / last row"),
    ("shift+tab", "previous pane (tab: next)"),
    ("esc", "clear the filter (after /); close this help, a detail or a chart"),
)

# Keys inside the note prompt, where letters are text (and in the amend prompt, but tab)
PROMPT_KEYS: tuple[tuple[str, str], ...] = (
    ("enter", "save the note, wherever the cursor is"),
    ("tab", "between the note's text and its type (shift+tab too)"),
    ("← / →", "change the type, or type its first letter: n h d f"),
    ("ctrl+j", "a line break in a note (a multi-line paste keeps its lines)"),
    ("esc", "cancel; a note the journal refused is kept: n brings it back"),
)
