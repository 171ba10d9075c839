#!/usr/bin/env python3
"""The usual alternative to jixiao: copy a workbook with openpyxl.

Loads every sheet, resolves the merged areas (the first cell's value belongs to every
cell the area covers), and writes the cells and the merges to a new workbook.

    python3 benches/openpyxl_copy.py IN.xlsx OUT.xlsx

Prints `secs=…`, `cells=…` and `merges=…` lines (read by `cargo bench --bench convert`).
"""

import sys
import time


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    src, dst = sys.argv[1], sys.argv[2]
    start = time.perf_counter()
    import openpyxl

    book = openpyxl.load_workbook(src)
    out = openpyxl.Workbook()
    out.remove(out.active)
    cells = merges = 0
    for ws in book.worksheets:
        values = {}
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    values[(cell.row, cell.column)] = cell.value
        ranges = list(ws.merged_cells.ranges)
        # Resolve merges: every covered cell takes the value of the area's first cell.
        resolved = dict(values)
        for rng in ranges:
            value = values.get((rng.min_row, rng.min_col))
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    resolved[(r, c)] = value
        target = out.create_sheet(ws.title)
        for (r, c), value in values.items():
            target.cell(row=r, column=c, value=value)
            cells += 1
        for rng in ranges:
            target.merge_cells(
                start_row=rng.min_row,
                start_column=rng.min_col,
                end_row=rng.max_row,
                end_column=rng.max_col,
            )
            merges += 1
    out.save(dst)
    print(f"secs={time.perf_counter() - start}")
    print(f"cells={cells}")
    print(f"merges={merges}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
