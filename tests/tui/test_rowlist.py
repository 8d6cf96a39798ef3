"""RowList: the cursor stays on its row, the view follows new rows, few strips are kept."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult

from cockpit.panes.rowlist import CACHED_PAGES, RowList

from .screen import screen_text


class ListApp(App[None]):
    def compose(self) -> ComposeResult:
        yield RowList()


def rows(*names: str) -> list[tuple[str, Text]]:
    return [(name, Text(f"row {name}")) for name in names]


async def test_sync_keeps_the_cursor_on_its_key_when_rows_move() -> None:
    app = ListApp()
    async with app.run_test(size=(40, 10)) as pilot:
        rl = app.query_one(RowList)
        rl.sync_lines(rows("a", "b", "c"))
        rl.move_to(1)  # on b
        rl.sync_lines(rows("z", "c", "b", "a"))  # a new row on top, order changed
        await pilot.pause()
        assert rl.keys[rl.cursor] == "b"
        rl.sync_lines(rows("z", "a"))  # b is gone: the cursor stays in range
        assert 0 <= rl.cursor < 2


async def test_new_rows_scroll_into_view_only_when_the_cursor_is_at_the_end() -> None:
    app = ListApp()
    async with app.run_test(size=(40, 5)) as pilot:
        rl = app.query_one(RowList)
        for i in range(20):
            rl.append(Text(f"entry {i}"))
        await pilot.pause()
        assert "entry 19" in screen_text(app) and "entry 0" not in screen_text(app)
        rl.move_to(2)  # reading back: new rows must not yank the view away
        rl.append(Text("entry 20"))
        await pilot.pause()
        assert "entry 2" in screen_text(app) and "entry 20" not in screen_text(app)
        rl.action_jump(-1)
        await pilot.pause()
        assert "entry 20" in screen_text(app)


async def test_rendered_strips_are_bounded_to_a_few_pages() -> None:
    app = ListApp()
    async with app.run_test(size=(40, 5)) as pilot:
        rl = app.query_one(RowList)
        for i in range(300):
            rl.append(Text(f"entry {i}"))
            if i % 25 == 0:
                await pilot.pause()
        for _ in range(30):  # page back through the history
            rl.action_page(-1)
            await pilot.pause()
        assert 0 < len(rl._strips) <= CACHED_PAGES * max(rl.page_height, 10)
        assert len(rl.lines) == 300


async def test_rows_are_drawn_as_text_not_markup() -> None:
    app = ListApp()
    async with app.run_test(size=(60, 5)) as pilot:
        rl = app.query_one(RowList)
        rl.sync_lines([("x", Text("[bold]not markup[/bold]"))])
        await pilot.pause()
        assert "[bold]not markup[/bold]" in screen_text(app)


class BorderedListApp(App[None]):
    CSS = "RowList { border: round white; }"

    def compose(self) -> ComposeResult:
        yield RowList(columns=Text("Name"))


async def test_a_click_picks_the_row_under_it_below_the_border_and_titles() -> None:
    app = BorderedListApp()
    async with app.run_test(size=(40, 10)) as pilot:
        rl = app.query_one(RowList)
        rl.sync_lines(rows("a", "b", "c", "d"))
        rl.set_summary(Text("summary line"))
        await pilot.pause()
        # screen rows: 0 border, 1 summary, 2 column titles, 3 "a", 4 "b", 5 "c"
        await pilot.click(RowList, offset=(3, 5))
        assert rl.keys[rl.cursor] == "c"
        await pilot.click(RowList, offset=(3, 2))  # the titles: no row there
        assert rl.keys[rl.cursor] == "c"
        text = screen_text(app)
        assert text.index("summary line") < text.index("Name") < text.index("row a")
