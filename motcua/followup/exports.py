"""The register as an xlsx workbook (one row per recommendation, the state at the instant of export)."""
from __future__ import annotations

import datetime as dt
import io

import xlsxwriter
from django.http import HttpResponse

from motcua.followup.models import Recommendation, State
from motcua.workdays import TZ

HEADERS = ("Mã", "Tiêu đề", "Nội dung", "Nguồn", "Cơ quan kiến nghị", "Đơn vị được kiến nghị", "Cơ quan",
           "Hạn thực hiện", "Tình trạng", "Ngày đóng")


def _local(instant: dt.datetime | None) -> str:
    return f"{instant.astimezone(TZ):%H:%M %d/%m/%Y}" if instant else ""


def register_xlsx(recs: list[Recommendation], at: dt.datetime) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    sheet = book.add_worksheet("Kien nghi")
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    sheet.write(0, 0, f"Sổ theo dõi kiến nghị — tình trạng lúc {_local(at)}", bold)
    for col, header in enumerate(HEADERS):
        sheet.write(2, col, header, bold)
    for row, rec in enumerate(recs, start=3):
        state = State(getattr(rec, "state", None) or rec.state_at(at))
        values = (rec.code, rec.title, rec.text, rec.get_source_kind_display() + (f": {rec.source_label}" if
                  rec.source_label else ""), rec.issuer_name, rec.addressee_unit.name,
                  rec.addressee_agency.name if rec.addressee_agency_id else "", _local(rec.deadline), str(state.label),
                  _local(rec.closed_at))
        for col, value in enumerate(values):
            sheet.write_string(row, col, value)
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, 2, 40)
    sheet.set_column(3, 9, 22)
    book.close()
    return buf.getvalue()


def register_response(recs: list[Recommendation], at: dt.datetime) -> HttpResponse:
    response = HttpResponse(register_xlsx(recs, at),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="kien-nghi-{at.astimezone(TZ):%Y%m%d}.xlsx"'
    return response
