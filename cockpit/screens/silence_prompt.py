"""The silence prompt: duration, comment and the matchers the silence will use.

Laid out as amtool and the Alertmanager UI make a silence: every label of the alert as an
exact matcher by default, any of them dropped before confirming (space), a comment that
starts with the incident id and the operator, and a duration (amtool's default is 1h).
Enter silences from any field; a duration that does not parse keeps the prompt open with
the reason, so nothing typed is lost.
"""

from __future__ import annotations

from collections.abc import Callable

import msgspec
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Input, Label, SelectionList, Static

from cockpit.model import Alert
from cockpit.screens.prompts import Prompt
from cockpit.text import inert

DEFAULT_DURATION = "1h"  # amtool silence add's default
HINT = "enter silence · tab next field · space keep/drop label · esc cancel"


class SilenceAnswer(msgspec.Struct, frozen=True):
    duration: str
    comment: str
    drop: frozenset[str] = frozenset()


class SilencePrompt(Prompt[SilenceAnswer | None]):
    """Silence one alert: what, for how long, and why."""

    DEFAULT_CSS = """
    SilencePrompt SelectionList { height: auto; max-height: 10; }
    SilencePrompt .field { color: $text-muted; }
    SilencePrompt .error { color: $error; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("enter", "save", "Silence", priority=True),
        Binding("tab", "field(1)", "Next field", priority=True),
        Binding("shift+tab", "field(-1)", "Previous field", priority=True),
    ]

    def __init__(self, alert: Alert, comment: str, check_duration: Callable[[str], object]) -> None:
        super().__init__()
        self.alert = alert
        self.comment = comment
        self.check_duration = check_duration  # raises with the reason if it does not parse

    def compose(self) -> ComposeResult:
        yield Label(inert(f"Silence {self.alert.name}", limit=70, style="bold"))
        yield Static("for (e.g. 30m, 2h, 1d)", classes="field")
        yield Input(value=DEFAULT_DURATION, id="duration")
        yield Static("comment", classes="field")
        yield Input(value=self.comment, id="comment")
        yield Static("matchers, all exact (space drops a label)", classes="field")
        yield SelectionList[str](
            *(
                (inert(f'{name}="{value}"', limit=120), name, True)
                for name, value in sorted(self.alert.labels.items())
            ),
            id="matchers",
        )
        yield Static(HINT, classes="hint", id="hint")

    def focus_target(self) -> Widget:
        return self.query_one("#duration", Input)

    def fields(self) -> list[Widget]:
        return [
            self.query_one("#duration"),
            self.query_one("#comment"),
            self.query_one("#matchers"),
        ]

    def action_field(self, step: int) -> None:
        fields = self.fields()
        focused = self.screen.focused
        index = fields.index(focused) if focused in fields else 0
        self.screen.set_focus(fields[(index + step) % len(fields)])

    def answer(self) -> SilenceAnswer:
        kept = set(self.query_one("#matchers", SelectionList).selected)
        return SilenceAnswer(
            duration=self.query_one("#duration", Input).value.strip(),
            comment=self.query_one("#comment", Input).value,
            drop=frozenset(set(self.alert.labels) - kept),
        )

    def action_save(self) -> None:
        answer = self.answer()
        problem = ""
        try:
            self.check_duration(answer.duration)
        except Exception as exc:  # the action's own refusal: its message says why
            problem = str(exc)
        if not problem and len(answer.drop) == len(self.alert.labels):
            problem = "keep at least one label: a silence without matchers mutes all"
        if not problem and not answer.comment.strip():
            problem = "a silence needs a comment: say why (the incident id will do)"
        if problem:
            self.query_one("#hint", Static).update(inert(problem, limit=200, style="red"))
            return
        self.dismiss(answer)
