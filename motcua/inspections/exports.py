"""The inspections register and a plan's coverage as xlsx workbooks."""
from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

import xlsxwriter
from django.http import HttpResponse

from motcua.inspections.models import Inspection

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
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                sheet.write_number(r, col, value)
            else:
                sheet.write_string(r, col, "" if value is None else str(value))
    sheet.set_column(0, len(headers) - 1, 22)
    book.close()
    return buf.getvalue()


def response(data: bytes, name: str) -> HttpResponse:
    out = HttpResponse(data, content_type=XLSX)
    out["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return out


def register_rows(inspections: Iterable[Inspection]) -> list[list[object]]:
    return [[i.code, i.topic, i.target_label, i.unit.name, i.get_kind_display(), i.get_status_display(),
             f"{i.period_from:%d/%m/%Y} – {i.period_to:%d/%m/%Y}", f"{i.starts_on:%d/%m/%Y}", f"{i.ends_on:%d/%m/%Y}",
             i.plan.title if i.plan_id else ""] for i in inspections]


REGISTER_HEADERS = ("Mã", "Nội dung", "Đối tượng", "Đơn vị", "Loại", "Trạng thái", "Thời kỳ kiểm tra",
                    "Bắt đầu", "Kết thúc", "Kế hoạch")
COVERAGE_HEADERS = ("Nhóm đối tượng", "Theo kế hoạch", "Đã kiểm tra", "Tỷ lệ (%)")
