"""The cockpit screen, shared by the live cockpit and replay: status line, five panes in a
grid (one at a time with tabs when narrow), banner, filter and which pane has the keyboard.

What fills the panes is the subclass's job (live sources, or a replay frame); this screen
only lays them out and moves between them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import ComposeResult
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input

from cockpit.panes.layout import activate_pane, pane_grid, pane_of, pane_tabs
from cockpit.panes.lines import TextLine
from cockpit.panes.status import StatusBar
from cockpit.text import inert

# the apps load it as their CSS_PATH: a screen's own CSS would re-parse every stylesheet when
# the screen is installed, a cost paid on the first frame
COCKPIT_CSS = Path(__file__).with_name("cockpit.tcss")
WIDE_AT = 120  # columns: from here all panes show at once, below it one pane and tabs

# Banner and PaneTabs are mounted the first time they have something to show: most sessions
# need neither, and each widget on the first frame costs its style passes and layout.


class Banner(TextLine):
    """A loud line: the journal cannot be written, or this is a read-only session."""

    DEFAULT_CSS = """
    Banner { height: auto; display: none; padding: 0 1; text-style: bold; }
    Banner.-error { display: block; background: $error; color: $text; }
    Banner.-info { display: block; background: $warning; color: $background; }
    """


class PaneTabs(TextLine):
    """In a narrow terminal only one pane shows at a time: this line says which."""

    DEFAULT_CSS = "PaneTabs { height: 1; display: none; padding: 0 1; }"


class CockpitScreen(Screen[None]):
    """Status line, optional bars, the pane grid and a footer; one active pane."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (WIDE_AT, "-wide")]

    def __init__(self) -> None:
        super().__init__()
        self.active_pane = "alerts"
        self.filters: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        yield from self.compose_bars()
        yield pane_grid(self.active_pane)
        yield from self.compose_footer()

    def compose_bars(self) -> ComposeResult:
        """Lines between the status line and the panes (replay's position bar)."""
        yield from ()

    def compose_footer(self) -> ComposeResult:
        yield from ()

    # -- panes -------------------------------------------------------------------------------

    def pane(self, pane_id: str) -> Any:
        return self.query_one(f"#{pane_id}")

    def show_pane(self, pane: str, *, breadcrumb: bool = True) -> None:
        """Give `pane` the keyboard (and, when narrow, the screen)."""
        self.active_pane = pane
        activate_pane(self, pane)
        self.show_tabs()
        self.pane_shown(pane, breadcrumb=breadcrumb)

    def pane_shown(self, pane: str, *, breadcrumb: bool) -> None:
        """The active pane changed: subclasses refresh their bars and, when `breadcrumb`
        (the operator moved), may journal it."""

    def selected_item(self) -> Any | None:
        try:
            pane = self.pane(self.active_pane)
        except (NoMatches, IndexError):  # shutting down: the panes are already gone
            return None
        return pane.selected() if hasattr(pane, "selected") else None

    def on_descendant_focus(self, event: Any) -> None:
        host: Any = self.app
        if hasattr(host, "keep_focus_in_prompt") and host.keep_focus_in_prompt(event.widget):
            return
        pane = pane_of(event.widget)
        if pane is not None and pane != self.active_pane:
            self.show_pane(pane)

    # -- tabs and banner, mounted when first needed ------------------------------------------

    def show_tabs(self) -> None:
        """The pane switcher, shown (by the CSS) only in a narrow terminal."""
        if not self.is_attached:
            return
        tabs = self.query(PaneTabs)
        if tabs:
            tabs.first().show(pane_tabs(self.active_pane))
        elif self.app.size.width < WIDE_AT:
            self.mount(PaneTabs(pane_tabs(self.active_pane), id="tabs"), before="#main")

    def on_resize(self, event: Any) -> None:
        self.show_tabs()  # narrowed for the first time: the tabs now have a job

    def set_banner(self, text: str, kind: str) -> None:
        """Show `text` loudly (kind -error or -info), or hide the banner (empty text)."""
        if not self.is_attached:  # closing down: nothing left to show it on
            return
        banners = self.query(Banner)
        if banners:
            banner = banners.first()
        elif text:
            banner = Banner(id="banner")
            self.mount(banner, after="#status")
        else:
            return
        banner.remove_class("-error", "-info")
        if kind and text:
            banner.add_class(kind)
            banner.show(inert(text, limit=300))

    # -- filter --------------------------------------------------------------------------------

    async def filter_box(self) -> Input:
        """The filter line, mounted the first time it is needed (not every session filters)."""
        try:
            return self.query_one("#filter", Input)
        except NoMatches:
            box = Input(placeholder="filter the focused pane (esc clears)", id="filter")
            await self.mount(box, before="#main")
            return box

    async def open_filter(self) -> None:
        box = await self.filter_box()
        box.value = self.filters.get(self.active_pane, "")
        box.add_class("-shown")
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        """The filter applies while typing, as in k9s: enter keeps it, escape clears it."""
        if event.input.id != "filter" or not event.input.has_class("-shown"):
            return
        event.stop()
        self.filters[self.active_pane] = event.value
        self.apply_filter(self.active_pane)

    def submit_filter(self, box: Widget, text: str) -> None:
        self.filters[self.active_pane] = text
        box.remove_class("-shown")
        self.apply_filter(self.active_pane)
        self.show_pane(self.active_pane, breadcrumb=False)

    def clear_filter(self) -> bool:
        """Close the filter line and clear the active pane's filter; False if neither was on."""
        shown = self.query("#filter.-shown")
        if not (shown or self.filters.get(self.active_pane)):
            return False
        shown.remove_class("-shown")
        self.filters[self.active_pane] = ""
        self.apply_filter(self.active_pane)
        self.show_pane(self.active_pane, breadcrumb=False)
        return True

    def apply_filter(self, pane_id: str) -> None:
        pane = self.pane(pane_id)
        if hasattr(pane, "set_filter"):
            pane.set_filter(self.filters.get(pane_id, ""))
