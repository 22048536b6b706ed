"""A plain table as an xlsx workbook or an HTTP download: the registers' exports (oversight apps)."""
from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence

import xlsxwriter
from django.http import HttpResponse

from motcua.documents.templatetags.vndates import XLSX_DATE, XLSX_DATETIME, xlsx_naive

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_xlsx(title: str, headers: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """A title on row 1, the headers on row 3, then one line per row. An instant or a day is a real date
    cell shown as Vietnamese readers write it (dd/mm/yyyy hh:mm, local time), never an ISO string."""
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    sheet = book.add_worksheet("Du lieu")
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    when = book.add_format({"num_format": XLSX_DATETIME, "align": "left"})
    day = book.add_format({"num_format": XLSX_DATE, "align": "left"})
    sheet.write(0, 0, title, bold)
    for col, header in enumerate(headers):
        sheet.write(2, col, header, bold)
    for r, row in enumerate(rows, start=3):
        for col, value in enumerate(row):
            if value is None:
                continue  # an empty cell
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                sheet.write_number(r, col, value)
            elif isinstance(value, dt.datetime):
                sheet.write_datetime(r, col, xlsx_naive(value), when)
            elif isinstance(value, dt.date):
                sheet.write_datetime(r, col, dt.datetime.combine(value, dt.time()), day)
            else:
                sheet.write_string(r, col, str(value))
    sheet.set_column(0, len(headers) - 1, 22)
    book.close()
    return buf.getvalue()


def response(data: bytes, name: str) -> HttpResponse:
    out = HttpResponse(data, content_type=XLSX)
    out["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return out
