"""Prompts: pick one of a few choices, type a line, a note with its type, confirm.

A prompt opens over the panes of the cockpit's own screen rather than as a screen of its
own: the panes stay live and undimmed while the operator types (they may be writing about
the graph they are looking at), and nothing under the prompt is re-blended on every update.
A pushed modal screen cost a full repaint of the screen below it on every journal entry
while it was open, and another full restyle and repaint when it closed.

While a prompt is open it holds the keyboard: the host app keeps focus inside it and
refuses its own action keys (see `prompt_host.PromptHost`). This module is loaded after the
first frame, not before it: its six widget classes cost ~2 ms to create.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from cockpit.text import inert

ResultType = TypeVar("ResultType")
Callback = Callable[[Any], Awaitable[None] | None]  # what runs with a prompt's answer

PROMPT_WIDTH = 72
PROMPT_TOP = 2  # under the status bar: the newest timeline rows at the bottom stay in view


class Prompt(Vertical, Generic[ResultType]):
    """A boxed prompt on the screen's `prompt` layer; `dismiss(result)` closes it."""

    DEFAULT_CSS = f"""
    Prompt {{ layer: prompt; position: absolute; width: {PROMPT_WIDTH}; max-width: 100%;
        height: auto; max-height: 100%; border: round $accent; background: $surface;
        padding: 0 1; }}
    Prompt OptionList {{ height: auto; max-height: 12; }}
    Prompt .hint {{ color: $text-muted; }}
    Prompt Horizontal {{ height: auto; }}
    """

    class Closed(Message):
        """Sent to the host app once the prompt has a result (None: cancelled)."""

        def __init__(self, prompt: Prompt[Any], result: Any) -> None:
            super().__init__()
            self.prompt = prompt
            self.result = result

    def __init__(self) -> None:
        super().__init__()
        self.callback: Callback | None = None
        self.closed = False

    def on_mount(self) -> None:
        self.place(self.screen.size.width)

    def place(self, screen_width: int) -> None:
        """Centred horizontally near the top; called again when the terminal is resized."""
        width = min(PROMPT_WIDTH, screen_width)
        self.styles.offset = (max(0, (screen_width - width) // 2), PROMPT_TOP)

    def focus_first(self) -> None:
        """Put the keyboard where typing starts, now (Widget.focus() waits a message turn)."""
        self.screen.set_focus(self.focus_target())

    def focus_target(self) -> Widget:
        return self

    def dismiss(self, result: ResultType) -> None:
        if not self.closed:
            self.closed = True
            self.post_message(self.Closed(self, result))

    def action_cancel(self) -> None:
        self.dismiss(self.cancelled())

    def cancelled(self) -> Any:
        return None


class ChoicePrompt(Prompt[str | None]):
    """Pick one value; digits pick by position, escape cancels."""

    BINDINGS = [
        ("escape", "cancel", "Cancel"),
        *((str(n), f"pick({n})", str(n)) for n in range(1, 10)),
    ]

    def __init__(self, title: str, choices: Sequence[str], current: str | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.choices = list(choices)
        self.current = current

    def compose(self) -> ComposeResult:
        yield Label(self.title_text)
        options = [Option(f"{i}  {c}", id=c) for i, c in enumerate(self.choices, start=1)]
        yield OptionList(*options)
        yield Static("enter pick · 1-9 pick by number · esc cancel", classes="hint")

    def on_mount(self) -> None:
        # (Prompt.on_mount runs too: Textual calls each class's handler)
        if self.current in self.choices:
            self.query_one(OptionList).highlighted = self.choices.index(self.current)

    def focus_target(self) -> Widget:
        return self.query_one(OptionList)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_pick(self, number: int) -> None:
        if 1 <= number <= len(self.choices):
            self.dismiss(self.choices[number - 1])


class TextPrompt(Prompt[str | None]):
    """Type one line (a title, an operator name, a number of replicas)."""

    BINDINGS = [("escape", "cancel", "Cancel")]

    def __init__(self, title: str, *, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        yield Label(self.title_text)
        yield Input(value=self.value, placeholder=self.placeholder)
        yield Static("enter save · esc cancel", classes="hint")

    def focus_target(self) -> Widget:
        return self.query_one(Input)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)


class NotePrompt(Prompt[tuple[str, str] | None]):
    """A note with its type: note, hypothesis, decision or finding."""

    DEFAULT_CSS = "NotePrompt Select { width: 24; }"
    BINDINGS = [("escape", "cancel", "Cancel")]

    def __init__(self, types: Sequence[str]) -> None:
        super().__init__()
        self.types = list(types)

    def compose(self) -> ComposeResult:
        yield Label("Add to the journal")
        with Horizontal():
            yield Select([(t, t) for t in self.types], value=self.types[0], allow_blank=False)
            yield Input(placeholder="what you saw, think or decided")
        yield Static("enter save · tab type · esc cancel", classes="hint")

    def focus_target(self) -> Widget:
        return self.query_one(Input)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        note_type = self.query_one(Select).value
        self.dismiss((str(note_type), event.value))


class ConfirmPrompt(Prompt[bool]):
    """Show exactly what will change; y confirms, anything else cancels."""

    BINDINGS = [("y", "confirm", "Yes"), ("n,escape", "cancel", "No")]

    def __init__(self, title: str, body: str) -> None:
        super().__init__()
        self.title_text = title
        self.body = body

    def compose(self) -> ComposeResult:
        yield Label(self.title_text)
        yield Static(inert(self.body, limit=2000, multiline=True))
        with Horizontal():
            yield Button("y  Yes, do it", variant="error", id="yes")
            yield Button("n  Cancel", id="no")

    def focus_target(self) -> Widget:
        return self.query_one("#no", Button)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_confirm(self) -> None:
        self.dismiss(True)

    def cancelled(self) -> bool:
        return False
