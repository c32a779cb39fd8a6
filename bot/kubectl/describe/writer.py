"""kubectl's describe layout: a PrefixWriter over Go's text/tabwriter.

kubectl's `tabbedString` builds `tabwriter.NewWriter(buf, minwidth=0, tabwidth=8, padding=2, ' ', 0)`
and every describer writes through `prefixWriter.Write(level, format)`, which prepends two spaces per
level and escapes terminal control characters (`printers.WriteEscaped`). The whole description is
aligned in one pass: `PrefixWriter.Flush()` is a no-op there, because `*tabwriter.Writer.Flush`
returns an error and so does not satisfy kubectl's `flusher` interface.
"""

from __future__ import annotations

from bot.messages.text import neutralise

LEVEL_0, LEVEL_1, LEVEL_2, LEVEL_3, LEVEL_4 = range(5)

_PADDING = 2
_MIN_WIDTH = 0


def escape_terminal(text: str) -> str:
    """`printers.EscapeTerminal` (ESC becomes `^[`, CR `\\r`), and the other controls and bidi
    overrides made visible the same way as everywhere in Podium (bot/messages/text.py)."""
    return neutralise(text)


class PrefixWriter:
    """Collects text like kubectl's prefixWriter; `text()` aligns it like its tabwriter."""

    def __init__(self) -> None:
        self._parts: list[str] = []

    def write(self, level: int, text: str) -> None:
        self._parts.append(escape_terminal("  " * level + text))

    def write_line(self, *items: str) -> None:
        """`WriteLine(a...)`: fmt.Sprintln, i.e. operands joined by spaces plus a newline."""
        self._parts.append(escape_terminal(" ".join(items) + "\n"))

    def text(self) -> str:
        return tabwrite("".join(self._parts))


def tabwrite(text: str, padding: int = _PADDING, min_width: int = _MIN_WIDTH) -> str:
    """Go's text/tabwriter (flags 0, pad char ' '): tab-terminated cells aligned per column block.

    A column block is a run of consecutive lines that all have a tab-terminated cell in that
    column; its width is the widest cell plus `padding`. The text after a line's last tab is not
    part of any column.
    """
    lines = [line.split("\t") for line in text.split("\n")]
    out: list[str] = []
    _format(lines, [], 0, len(lines), out, padding, min_width)
    return "".join(out)


def _format(
    lines: list[list[str]],
    widths: list[int],
    line0: int,
    line1: int,
    out: list[str],
    padding: int,
    min_width: int,
) -> None:
    column = len(widths)
    this = line0
    while this < line1:
        if column >= len(lines[this]) - 1:
            this += 1
            continue
        # A cell exists in this column: print the lines before the block, then size the block.
        _write_lines(lines, widths, line0, this, out)
        line0 = this
        width = min_width
        while this < line1 and column < len(lines[this]) - 1:
            width = max(width, len(lines[this][column]) + padding)
            this += 1
        widths.append(width)
        _format(lines, widths, line0, this, out, padding, min_width)
        widths.pop()
        line0 = this
    _write_lines(lines, widths, line0, line1, out)


def _write_lines(
    lines: list[list[str]], widths: list[int], line0: int, line1: int, out: list[str]
) -> None:
    for i in range(line0, line1):
        for j, cell in enumerate(lines[i]):
            out.append(cell)
            if j < len(widths):
                out.append(" " * (widths[j] - len(cell)))
        if i + 1 != len(lines):
            out.append("\n")
