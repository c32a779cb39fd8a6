"""kubectl's table layout for ``get``, reproduced without I/O.

kubectl prints a ``meta.k8s.io/v1`` Table (cli-runtime ``printers.printTable``) through
``printers.GetNewTabWriter``, i.e. ``tabwriter.NewWriter(out, 6, 4, 3, ' ',
tabwriter.RememberWidths)``: minwidth 6, padding 3, space padding. Each line is the
cells joined by tabs, so with Go's tabwriter semantics:

* every column except the last is padded with spaces to
  ``max(min_width, widest cell in the column + padding)``;
* the last cell of a line is not a tab-terminated cell, so it is written as-is
  (no trailing spaces -- unless the last cell is empty, in which case the previous
  column's padding is all that remains, exactly as kubectl prints it);
* cell width is the number of Unicode code points (Go's tabwriter counts runes and
  ``len`` matches it). Slack's monospace font draws East Asian wide characters two
  cells wide; pass ``cell_width=display_width`` if you prefer visual alignment over
  byte-for-byte kubectl fidelity.

Recent kubectl (present in 1.37; older releases lack it) adds one quirk: ``printTable``
pre-scans "maxCellWidths" so periodic flushes keep alignment, and before the tabwriter
sees them it pads each header except the last with spaces up to the widest *raw* data
cell of its column measured in UTF-8 **bytes** (with ``--no-headers`` the first data row
is padded instead). For ASCII this
changes nothing; a cell like ``"日本"`` (2 runes, 6 bytes) widens its column to 6 + 3.
``kubectl_priming=True`` (the default) reproduces it; verified against kubectl 1.37.1.

Tabs inside cell values are not special here (kubectl would split them into extra
tabwriter cells and misalign the row); the API's printed fields never contain them.

Before layout, kubectl sanitises every data cell (not headers): it cuts the value at
the first ``\\n``, ``\\r`` or ``\\f`` and appends ``...``, and it escapes ESC as ``^[``
(``printers.WriteEscaped``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

__all__ = [
    "KUBECTL_MIN_WIDTH",
    "KUBECTL_PADDING",
    "Table",
    "display_width",
    "format_labels",
    "render_table",
    "sanitize_cell",
]

KUBECTL_PADDING = 3  # cli-runtime printers: tabwriterPadding
KUBECTL_MIN_WIDTH = 6  # cli-runtime printers: tabwriterMinWidth

# tabwriter treats \f as a line break too, so kubectl truncates at any of these.
_CELL_BREAK_CHARS = "\f\n\r"


@dataclass
class Table:
    """Column headers (already upper-cased, as kubectl prints them) and string cells.

    Every row must have exactly ``len(headers)`` cells.
    """

    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)


def sanitize_cell(value: str) -> str:
    """kubectl's per-cell treatment: truncate at a line break (+ ``...``), escape ESC."""
    cut = min((i for i in (value.find(c) for c in _CELL_BREAK_CHARS) if i >= 0), default=-1)
    if cut >= 0:
        value = value[:cut] + "..."
    # printers.terminalEscaper: "\x1b" -> "^[", "\r" -> "\\r" (no \r survives the cut).
    return value.replace("\x1b", "^[")


def display_width(text: str) -> int:
    """Terminal display width: East Asian Wide/Fullwidth count 2, combining marks 0."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def format_labels(labels: dict[str, str] | None) -> str:
    """apimachinery ``labels.FormatLabels``: ``k=v`` sorted by key, comma-joined, or ``<none>``."""
    if not labels:
        return "<none>"
    return ",".join(f"{key}={labels[key]}" for key in sorted(labels))


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def render_table(
    table: Table,
    padding: int = KUBECTL_PADDING,
    *,
    min_width: int = KUBECTL_MIN_WIDTH,
    show_headers: bool = True,
    cell_width: Callable[[str], int] = len,
    kubectl_priming: bool = True,
) -> str:
    """Lay out ``table`` like kubectl's tabwriter; lines joined by ``\\n``, no final newline.

    With no rows the result is the header line alone (kubectl itself prints nothing and
    says "No resources found in NS namespace." -- that message is the caller's job).
    ``show_headers=False`` is ``--no-headers``.
    """
    ncols = len(table.headers)
    for index, row in enumerate(table.rows):
        if len(row) != ncols:
            raise ValueError(f"row {index} has {len(row)} cells, expected {ncols}")

    lines: list[Sequence[str]] = []
    if show_headers:
        lines.append(table.headers)
    lines.extend([sanitize_cell(cell) for cell in row] for row in table.rows)
    if not lines:
        return ""

    # Only tab-terminated cells (all but the last column) form aligned columns:
    # width = max(minwidth, widest cell + padding).
    widths: list[int] = []
    for col in range(ncols - 1):
        widest = max(cell_width(line[col]) for line in lines)
        if kubectl_priming and table.rows:
            # The primed line (header, or first row with --no-headers) carries extra
            # spaces up to the widest raw cell's byte length.
            primed_raw = table.headers[col] if show_headers else table.rows[0][col]
            extra = max(0, max(_utf8_len(row[col]) for row in table.rows) - _utf8_len(primed_raw))
            widest = max(widest, cell_width(lines[0][col]) + extra)
        widths.append(max(min_width, widest + padding))

    out: list[str] = []
    for line in lines:
        parts = [
            cell + " " * (widths[col] - cell_width(cell)) for col, cell in enumerate(line[:-1])
        ]
        parts.append(line[-1] if line else "")
        out.append("".join(parts))
    return "\n".join(out)
