#!/usr/bin/python3
"""Open an XLSX that Ponte wrote with an independent reader (openpyxl, Debian's
python3-openpyxl) and check what a spreadsheet user meets.

usage: xlsx_check.py FILE SHEET TYPES [MIN_ROWS [TEXT]]

SHEET is the title the sheet is named after: its name must be its first 31 characters, as
spreadsheets allow no more. Titles separated by | ask for a workbook of these sheets in this
order, one per table, each checked as below (MIN_ROWS counts the rows of all of them). TYPES gives, one letter per column, what every cell below the
header holds: n a number (or a withheld count such as "<5"), d a date, p a percentage (a
number formatted with %), s text, * anything; an empty cell is always allowed; a final + makes
the letter before it hold for every further column. A capital letter (N, D, P, S) asks for at
least one cell of that type in the column, besides allowing empty cells. MIN_ROWS is the least number of rows below
the header (default 1). TEXT, when given, must be the text of a cell.

Checked: the ZIP is whole and its entries deflated; the workbook opens without a warning (a
missing default style, bad UTF-8 or bad XML make openpyxl warn or fail); the sheets named
SHEET; in each, the header row is bold text and frozen (it stays in view when scrolling),
every column has a width, every cell has its type. Exits
0 when all holds, 1 with the reasons otherwise.
"""
import collections
import datetime
import re
import sys
import warnings
import zipfile

import openpyxl
from openpyxl.utils import get_column_letter

WITHHELD = re.compile(r"^<\d+$")


def check_sheet(ws, rows, types, every, typed):
    problems = []
    header = rows[0]
    for c in header:
        if c.value is None:
            continue
        if not isinstance(c.value, str):
            problems.append(f"{ws.title}: header {c.coordinate} is {type(c.value).__name__}, not text")
        if not c.font.b:
            problems.append(f"{ws.title}: header {c.coordinate} is not bold")
    if len(rows) > 1 and ws.freeze_panes != "A2":
        problems.append(f"{ws.title}: the header row is not kept in view ({ws.freeze_panes!r})")
    ncols = max(len(r) for r in rows)
    if every:
        types = types + types[-1] * max(0, ncols - len(types))
    widths = ws.column_dimensions
    for i in range(1, min(ncols, len(types)) + 1):
        letter = get_column_letter(i)
        if letter not in widths or not widths[letter].customWidth or not widths[letter].width:
            problems.append(f"{ws.title}: column {letter} has no width")
    for row in rows[1:]:
        for c in row:
            i = c.column - 1
            if c.value is None:
                continue
            if i >= len(types):
                problems.append(f"{ws.title}: {c.coordinate}: beyond the {len(types)} columns expected")
                continue
            want, v = types[i].lower(), c.value
            if want == "n":
                ok = (isinstance(v, (int, float)) and not isinstance(v, bool)) or (
                    isinstance(v, str) and WITHHELD.match(v))
            elif want == "d":
                ok = isinstance(v, datetime.datetime) and c.is_date
            elif want == "p":
                ok = isinstance(v, (int, float)) and "%" in c.number_format and 0 <= v <= 1
            elif want == "s":
                ok = isinstance(v, str) and "\ufffd" not in v
            else:
                ok = True
            if not ok:
                problems.append(f"{ws.title}: {c.coordinate}: {v!r} ({type(v).__name__}, format "
                                f"{c.number_format!r}) is not of type {want}")
            elif not isinstance(v, str) or want == "s":
                typed[i] += 1
    return problems, types


def check(path, title, types, min_rows, text=None):
    problems = []
    every = types.endswith("+")
    if every:
        types = types[:-1]
    with zipfile.ZipFile(path) as z:
        bad = z.testzip()
        if bad:
            problems.append(f"entry {bad} is corrupt")
        for info in z.infolist():
            if info.compress_type != zipfile.ZIP_DEFLATED:
                problems.append(f"entry {info.filename} is not deflated")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        wb = openpyxl.load_workbook(path)
    sheets = [t[:31] for t in title.split("|")]
    if wb.sheetnames != sheets:
        problems.append(f"sheets {wb.sheetnames!r}, expected {sheets!r}")
    typed = collections.defaultdict(int)
    every_type = types
    below = 0
    cells = []
    for ws in wb.worksheets:
        rows = list(ws.iter_rows())
        if not rows:
            problems.append(f"{ws.title}: no rows")
            continue
        below += len(rows) - 1
        cells += [c for r in rows for c in r]
        found, sheet_types = check_sheet(ws, rows, types, every, typed)
        problems += found
        every_type = max(every_type, sheet_types, key=len)
    if below < min_rows:
        problems.append(f"{below} rows below the header, expected at least {min_rows}")
    if text is not None and not any(c.value == text for c in cells):
        problems.append(f"no cell holds {text!r}")
    for i, t in enumerate(every_type):
        if t.isupper() and not typed[i]:
            problems.append(f"column {get_column_letter(i + 1)}: no cell of type {t.lower()}")
    return problems


def main():
    if len(sys.argv) not in (4, 5, 6):
        print(__doc__, file=sys.stderr)
        return 2
    path, sheet, types = sys.argv[1], sys.argv[2], sys.argv[3]
    min_rows = int(sys.argv[4]) if len(sys.argv) >= 5 else 1
    text = sys.argv[5] if len(sys.argv) == 6 else None
    try:
        problems = check(path, sheet, types, min_rows, text)
    except Exception as e:  # a reader that refuses the file is the finding
        problems = [f"{type(e).__name__}: {e}"]
    for p in problems[:20]:
        print(f"{path}: {p}")
    if len(problems) > 20:
        print(f"{path}: and {len(problems) - 20} more")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
