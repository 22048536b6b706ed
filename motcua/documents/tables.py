"""A plain table as an xlsx workbook or an HTTP download: the registers' exports (oversight apps)."""
from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

import xlsxwriter
from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_xlsx(title: str, headers: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """A title on row 1, the headers on row 3, then one line per row."""
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    sheet = book.add_worksheet("Du lieu")
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    sheet.write(0, 0, title, bold)
    for col, header in enumerate(headers):
        sheet.write(2, col, header, bold)
    for r, row in enumerate(rows, start=3):
        for col, value in enumerate(row):
            if value is None:
                continue  # an empty cell
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                sheet.write_number(r, col, value)
            else:
                sheet.write_string(r, col, str(value))
    sheet.set_column(0, len(headers) - 1, 22)
    book.close()
    return buf.getvalue()


def response(data: bytes, name: str) -> HttpResponse:
    out = HttpResponse(data, content_type=XLSX)
    out["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return out
