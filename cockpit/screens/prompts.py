"""Prompts: pick one of a few choices, type a line, a note with its type, confirm.

A prompt opens over the panes of the cockpit's own screen rather than as a screen of its
own: the panes stay live and undimmed while the operator types (they may be writing about
the graph they are looking at), and nothing under the prompt is re-blended on every update.
A pushed modal screen cost a full repaint of the screen below it on every journal entry
while it was open, and another full restyle and repaint when it closed.

While a prompt is open it holds the keyboard: the host app keeps focus inside it and
refuses its own action keys (see `prompt_host.PromptHost`). This module is loaded after the
first frame, not before it: its widget classes cost a few ms to create.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Input, Label, OptionList, Static, TextArea
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
    Prompt .problem {{ color: $warning; }}
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

    def __init__(
        self,
        title: str,
        choices: Sequence[str],
        current: str | None = None,
        *,
        labels: Sequence[Text] | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.choices = list(choices)
        self.current = current
        # what each choice shows, when it says more than its value (inert Text: no markup)
        self.labels = list(labels) if labels is not None else None

    def compose(self) -> ComposeResult:
        yield Label(self.title_text, markup=False)
        shown = self.labels or [Text(c) for c in self.choices]
        options = [
            Option(Text.assemble(f"{i}  ", label), id=c)
            for i, (c, label) in enumerate(zip(self.choices, shown, strict=True), start=1)
        ]
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

    def __init__(
        self, title: str, *, value: str = "", placeholder: str = "", problem: str = ""
    ) -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.placeholder = placeholder
        self.problem = problem  # why this text is back (a refused attempt): shown, inert

    def compose(self) -> ComposeResult:
        yield Label(self.title_text)
        if self.problem:
            yield Static(inert(f"not journaled: {self.problem}", limit=300), classes="problem")
        # a prefilled value is selected (typing replaces it), but text brought back is kept
        yield Input(
            value=self.value, placeholder=self.placeholder, select_on_focus=not self.problem
        )
        yield Static("enter save · esc cancel", classes="hint")

    def focus_target(self) -> Widget:
        return self.query_one(Input)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)


class NoteText(TextArea):
    """A note's text: one line that grows with what is typed or pasted (up to a few lines,
    then it scrolls). A multi-line paste keeps every line; ctrl+j types a line break; enter is
    the prompt's (save), not a new line."""

    DEFAULT_CSS = """
    NoteText { height: auto; min-height: 1; max-height: 8; width: 1fr; padding: 0; }
    """
    BINDINGS = [Binding("ctrl+j,alt+enter", "newline", "New line", show=False)]

    def __init__(self, text: str = "", placeholder: str = "") -> None:
        super().__init__(
            text,
            soft_wrap=True,
            tab_behavior="focus",
            compact=True,
            highlight_cursor_line=False,
            placeholder=placeholder,
        )

    def on_mount(self) -> None:
        # an amendment edits the old text: the cursor after it, nothing selected
        self.move_cursor(self.document.end)

    def action_newline(self) -> None:
        self.insert("\n")

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            # the prompt saves, in this widget's queue: after every key typed before enter.
            # A priority binding runs ahead of the keys still queued here and saved half
            # the text when a terminal sent "text\r" in one read (seen in tmux)
            event.stop()
            event.prevent_default()
            prompt = next(a for a in self.ancestors if isinstance(a, NotePrompt))
            prompt.action_save()
            return
        await super()._on_key(event)


class NoteType(Static, can_focus=True):
    """The note's type, changed in place: left/right (or up/down, space) step through the
    types, a type's first letter picks it. No dropdown, so enter still saves."""

    DEFAULT_CSS = """
    NoteType { width: 16; height: 1; margin-right: 1; background: $boost; }
    NoteType:focus { background: $accent; color: $text; }
    """
    BINDINGS = [
        Binding("right,down,space", "step(1)", "Next type", show=False),
        Binding("left,up", "step(-1)", "Previous type", show=False),
    ]

    def __init__(self, types: Sequence[str], value: str) -> None:
        super().__init__()
        self.types = list(types)
        self.index = self.types.index(value) if value in self.types else 0

    @property
    def value(self) -> str:
        return self.types[self.index]

    def on_mount(self) -> None:
        self.show()

    def show(self) -> None:
        self.update(Text(f"‹ {self.value} ›"))

    def action_step(self, delta: int) -> None:
        self.index = (self.index + delta) % len(self.types)
        self.show()

    def on_key(self, event: events.Key) -> None:
        key = event.character
        picked = [i for i, t in enumerate(self.types) if key and t.startswith(key)]
        if picked:
            event.stop()
            self.index = picked[0]
            self.show()


class NotePrompt(Prompt[tuple[str, str] | None]):
    """A note with its type (note, hypothesis, decision or finding), or the text of a note
    being amended (no type). Enter saves wherever the cursor is; tab moves between the text
    and the type, as the hint says."""

    BINDINGS = [
        ("escape", "cancel", "Cancel"),
        # from the type; in the text, NoteText takes enter (a line break otherwise)
        Binding("enter", "save", "Save", show=False),
        Binding("tab,shift+tab", "switch", "Type", show=False),
    ]

    def __init__(
        self,
        types: Sequence[str] = (),
        *,
        title: str = "Add to the journal",
        text: str = "",
        note_type: str = "",
        problem: str = "",
    ) -> None:
        super().__init__()
        self.types = list(types)
        self.title_text = title
        self.text = text
        self.note_type = note_type
        self.problem = problem  # why this text is back (a refused attempt): shown, inert

    def compose(self) -> ComposeResult:
        yield Label(self.title_text)
        if self.problem:
            yield Static(inert(f"not journaled: {self.problem}", limit=300), classes="problem")
        with Horizontal():
            if self.types:
                yield NoteType(self.types, self.note_type)
            yield NoteText(self.text, placeholder="what you saw, think or decided")
        keys = "enter save · tab type · ctrl+j new line · esc cancel"
        if not self.types:
            keys = "enter save · ctrl+j new line · esc cancel"
        yield Static(keys, classes="hint")

    def focus_target(self) -> Widget:
        return self.query_one(NoteText)

    def action_switch(self) -> None:
        if not self.types:
            return
        text, kind = self.query_one(NoteText), self.query_one(NoteType)
        self.screen.set_focus(kind if self.screen.focused is text else text)

    def action_save(self) -> None:
        note_type = self.query_one(NoteType).value if self.types else ""
        self.dismiss((note_type, self.query_one(NoteText).text))

    def on_paste(self, event: events.Paste) -> None:
        # pasted while on the type: it is text all the same
        text = self.query_one(NoteText)
        if event.text and self.screen.focused is not text:
            event.stop()
            text.focus()
            text.insert(event.text)


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
