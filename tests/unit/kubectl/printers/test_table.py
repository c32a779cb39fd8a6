"""render_table against kubectl's tabwriter (minwidth 6, padding 3, spaces)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.kubectl.printers.table import (
    Table,
    display_width,
    format_labels,
    render_table,
    sanitize_cell,
)


def test_columns_padded_by_three_last_column_bare() -> None:
    table = Table(
        headers=["NAME", "DATA", "AGE"],
        rows=[["kube-root-ca.crt", "1", "26h"], ["settings", "12", "5m"]],
    )
    assert render_table(table) == (
        "NAME               DATA   AGE\nkube-root-ca.crt   1      26h\nsettings           12     5m"
    )


def test_min_width_six() -> None:
    # A column whose widest cell is 2 wide still takes 6 (tabwriterMinWidth), not 5.
    table = Table(headers=["NS", "X"], rows=[["a", "b"]])
    assert render_table(table) == "NS    X\na     b"
    assert render_table(table, min_width=0) == "NS   X\na    b"


def test_custom_padding() -> None:
    table = Table(headers=["NAME", "AGE"], rows=[["a", "1s"]])
    assert render_table(table, 2, min_width=0) == "NAME  AGE\na     1s"


def test_headers_only_when_no_rows() -> None:
    assert render_table(Table(headers=["NAME", "READY", "AGE"])) == "NAME   READY   AGE"


def test_no_headers() -> None:
    table = Table(headers=["NAME", "AGE"], rows=[["web", "5m"]])
    # widths come from the printed lines only (no header line to widen them)
    assert render_table(table, show_headers=False) == "web   5m"
    assert render_table(Table(headers=["NAME"]), show_headers=False) == ""


def test_single_column() -> None:
    assert render_table(Table(headers=["NAME"], rows=[["a"], ["bb"]])) == "NAME\na\nbb"


def test_empty_last_cell_keeps_padding_like_tabwriter() -> None:
    # "a\t\n": the tab-terminated cell is padded, the empty last cell adds nothing.
    table = Table(headers=["NAME", "LABELS"], rows=[["a", ""]])
    assert render_table(table) == "NAME   LABELS\na      "


def test_ragged_rows_rejected() -> None:
    with pytest.raises(ValueError, match="row 1 has 1 cells, expected 2"):
        render_table(Table(headers=["A", "B"], rows=[["1", "2"], ["3"]]))


def test_cells_sanitised_like_kubectl() -> None:
    table = Table(
        headers=["NAME", "MESSAGE"], rows=[["ev", "first line\nsecond"], ["x", "\x1b[31mred"]]
    )
    assert render_table(table) == ("NAME   MESSAGE\nev     first line...\nx      ^[[31mred")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("plain", "plain"),
        ("a\nb", "a..."),
        ("a\r\nb", "a..."),
        ("a\fb\nc", "a..."),
        ("\nleading", "..."),
        ("esc\x1b]0;title\x07", "esc^[]0;title\x07"),
    ],
)
def test_sanitize_cell(raw: str, expected: str) -> None:
    assert sanitize_cell(raw) == expected


def test_width_counts_code_points_plus_kubectl_byte_priming() -> None:
    table = Table(headers=["NAME", "X"], rows=[["日本", "1"], ["ab", "2"]])
    # Go's tabwriter counts runes ("日本" is 2 wide, like "ab") ...
    assert render_table(table, kubectl_priming=False) == "NAME   X\n日本     1\nab     2"
    # ... but kubectl 1.37 first pads the header to the widest cell in UTF-8 bytes (6),
    # so the column is 6 + 3 wide. Observed with kubectl 1.37.1.
    assert render_table(table) == "NAME     X\n日本       1\nab       2"
    # Visual alignment for wide glyphs is opt-in.
    assert (
        render_table(table, cell_width=display_width, kubectl_priming=False)
        == "NAME   X\n日本   1\nab     2"
    )


def test_priming_uses_raw_cell_bytes_before_sanitising() -> None:
    # "first line\nsecond line here" is 27 bytes raw although it prints as 13.
    table = Table(
        headers=["NAME", "MSG", "AGE"], rows=[["a", "first line\nsecond line here", "1s"]]
    )
    # column width 27 + 3 = 30
    assert render_table(table) == (
        "NAME   " + "MSG".ljust(30) + "AGE\na      " + "first line...".ljust(30) + "1s"
    )


def test_priming_with_no_headers_pads_the_first_row() -> None:
    table = Table(headers=["NAME", "X"], rows=[["ab", "1"], ["日本", "2"]])
    # first row "ab" is padded to 6 bytes -> width 6 + 3
    assert render_table(table, show_headers=False) == "ab       1\n日本       2"
    table = Table(headers=["NAME", "X"], rows=[["日本", "1"], ["ab", "2"]])
    # first row is itself the 6-byte cell: no extra padding, rune width 2 -> minwidth 6
    assert render_table(table, show_headers=False) == "日本    1\nab    2"


def test_display_width() -> None:
    assert display_width("abc") == 3
    assert display_width("日本") == 4
    assert display_width("e\u0301") == 1  # combining accent


def test_format_labels() -> None:
    assert format_labels(None) == "<none>"
    assert format_labels({}) == "<none>"
    assert format_labels({"tier": "web", "app": "shop"}) == "app=shop,tier=web"


# --- properties -----------------------------------------------------------------

# Printable cells without line breaks, ESC or tabs (sanitising is tested above).
_cell = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E) | st.sampled_from("é日ü"),
    max_size=12,
)


@st.composite
def _tables(draw: st.DrawFn) -> Table:
    ncols = draw(st.integers(min_value=1, max_value=6))
    headers = draw(st.lists(_cell, min_size=ncols, max_size=ncols))
    rows = draw(st.lists(st.lists(_cell, min_size=ncols, max_size=ncols), max_size=8))
    return Table(headers=headers, rows=rows)


def _col_width(grid: list[list[str]], col: int, padding: int, min_width: int) -> int:
    # tabwriter: a column is as wide as its widest cell plus padding, at least minwidth.
    return max(min_width, max(len(row[col]) for row in grid) + padding)


@given(_tables(), st.integers(min_value=1, max_value=4), st.integers(min_value=0, max_value=10))
def test_columns_start_at_the_same_offsets(table: Table, padding: int, min_width: int) -> None:
    lines = render_table(table, padding, min_width=min_width, kubectl_priming=False).split("\n")
    grid = [table.headers, *table.rows]
    assert len(lines) == len(grid)
    ncols = len(table.headers)
    widths = [_col_width(grid, col, padding, min_width) for col in range(ncols - 1)]
    starts = [sum(widths[:col]) for col in range(ncols)]
    for line, cells in zip(lines, grid):
        for col, cell in enumerate(cells):
            begin, end = starts[col], starts[col] + len(cell)
            assert line[begin:end] == cell
            if col < ncols - 1:
                # only spaces up to the next column, and at least `padding` of them
                assert line[end : starts[col + 1]] == " " * (starts[col + 1] - end)
                assert starts[col + 1] - end >= padding
            else:
                assert len(line) == end  # the last cell is not padded


_ascii_cell = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=12)


@given(st.lists(st.lists(_ascii_cell, min_size=3, max_size=3), max_size=6), st.booleans())
def test_priming_is_invisible_for_ascii(rows: list[list[str]], show_headers: bool) -> None:
    table = Table(headers=["NAME", "STATUS", "AGE"], rows=rows)
    assert render_table(table, show_headers=show_headers) == render_table(
        table, show_headers=show_headers, kubectl_priming=False
    )
