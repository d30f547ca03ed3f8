"""Read a spreadsheet (.xlsx or .csv) into plain grids of cell values.

Bureau sheets merge cells: a title across the whole table, a header over two sub-headers, a
sector name down a column. Here every cell of a merged range takes the range's value, and
each grid remembers which cells were merged together, so the column reader can tell a title
row from a header. CSV files come from Excel as UTF-8 or, on Chinese Windows, GB18030.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.utils import get_column_letter


class SheetError(Exception):
    """The file cannot be read as a spreadsheet; the message says what to do."""


@dataclass
class Grid:
    name: str                                   # the sheet's name, or the CSV file's name
    rows: list[list]                            # row-major values, None for empty cells
    origin: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)  # merged cell → top-left

    def cell(self, row: int, col: int):
        if row < len(self.rows) and col < len(self.rows[row]):
            return self.rows[row][col]
        return None

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def where(self, row: int, col: int) -> str:
        """How messages name a cell: 项目表!E7 (1-based row, Excel column letters)."""
        return f"{self.name}!{get_column_letter(col + 1)}{row + 1}"

    def is_banner(self, row: int) -> bool:
        """A row whose text is one value across it: a title, a section name or a note."""
        cells = [(c, v) for c, v in enumerate(self.rows[row]) if not blank(v)]
        if not cells:
            return False
        origins = {self.origin.get((row, c), (row, c)) for c, _ in cells}
        return len(origins) == 1 and (len(cells) > 1 or self.width > 1)


def blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_grids(path: Path) -> list[Grid]:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if suffix in (".csv", ".txt"):
        return [_read_csv(path)]
    if suffix in (".xls", ".et", ".wps"):
        raise SheetError(f"{path.name} is an old Excel or WPS file; save it as .xlsx "
                         "(File → Save As → Excel Workbook) and import that")
    raise SheetError(f"{path.name}: give an .xlsx or .csv file")


def _read_xlsx(path: Path) -> list[Grid]:
    import zipfile

    from openpyxl import load_workbook
    try:
        # data_only: the values Excel last calculated, not the formulas
        book = load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise SheetError(f"{path.name} cannot be read as an Excel workbook ({exc}); "
                         "open it in Excel or WPS and save it again as .xlsx") from None
    grids = []
    for sheet in book.worksheets:
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        grid = Grid(sheet.title, rows)
        for merged in sheet.merged_cells.ranges:
            top, left = merged.min_row - 1, merged.min_col - 1
            value = grid.cell(top, left)
            for r in range(top, merged.max_row):
                for c in range(left, merged.max_col):
                    while len(grid.rows) <= r:
                        grid.rows.append([])
                    while len(grid.rows[r]) <= c:
                        grid.rows[r].append(None)
                    grid.rows[r][c] = value
                    grid.origin[(r, c)] = (top, left)
        grids.append(_trim(grid))
    return grids


def _read_csv(path: Path) -> Grid:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SheetError(f"{path.name} is neither UTF-8 nor GB18030 text; save it from Excel as "
                         "\"CSV UTF-8\"")
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows = [[cell if cell.strip() else None for cell in row] for row in csv.reader(io.StringIO(text), dialect)]
    return _trim(Grid(path.name, rows))


def _trim(grid: Grid) -> Grid:
    """Drop empty rows at the end and empty columns at the right (Excel keeps formatted ones)."""
    while grid.rows and all(blank(v) for v in grid.rows[-1]):
        grid.rows.pop()
    width = 0
    for row in grid.rows:
        for c, value in enumerate(row):
            if not blank(value):
                width = max(width, c + 1)
    grid.rows = [(row + [None] * width)[:width] for row in grid.rows]
    return grid
