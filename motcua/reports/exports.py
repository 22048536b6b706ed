"""Form 06 as CSV and as an XLSX sheet in the official layout (title, grouped headers, rows, totals)."""
from __future__ import annotations

import csv
import datetime as dt
import io

from django.utils.translation import gettext as _

from motcua.reports.form06 import COUNT_KEYS

CSV_COLUMNS = ("key", "label", *COUNT_KEYS, "on_time_rate")
TOTAL_KEY = "total"


def to_csv(report: dict) -> str:
    """Header row of column keys, one line per row, then a totals line (key ``total``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in [*report["rows"], {"key": TOTAL_KEY, "label": _("Tổng cộng"), **report["totals"]}]:
        writer.writerow([row[c] for c in CSV_COLUMNS])
    return out.getvalue()


# (group title, [(count key, column title)]) in the order of the printed form.
_GROUPS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("Tiếp nhận", (
        ("received_total", "Tổng số"),
        ("received_online", "Trực tuyến"),
        ("received_direct", "Trực tiếp"),
        ("received_postal", "Bưu chính công ích"),
        ("carried_over", "Từ kỳ trước chuyển sang"),
    )),
    ("Đã giải quyết", (
        ("resolved_total", "Tổng số"),
        ("resolved_early", "Trước hạn"),
        ("resolved_on_time", "Đúng hạn"),
        ("resolved_late", "Quá hạn"),
    )),
    ("Đang giải quyết", (
        ("in_progress_total", "Tổng số"),
        ("in_progress_within", "Trong hạn"),
        ("in_progress_overdue", "Quá hạn"),
    )),
)


def _vn_date(iso: str) -> str:
    return dt.date.fromisoformat(iso).strftime("%d/%m/%Y")


def to_xlsx(report: dict) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    sheet = book.add_worksheet(_("Mẫu 06"))
    base = {"font_name": "Times New Roman", "font_size": 12}
    title = book.add_format({**base, "bold": True, "font_size": 14, "align": "center", "valign": "vcenter"})
    centre = book.add_format({**base, "align": "center", "valign": "vcenter"})
    head = book.add_format({**base, "bold": True, "border": 1, "align": "center", "valign": "vcenter",
                            "text_wrap": True})
    cell = book.add_format({**base, "border": 1})
    number = book.add_format({**base, "border": 1, "num_format": "#,##0"})
    rate = book.add_format({**base, "border": 1, "num_format": "0.00%"})
    bold_cell = book.add_format({**base, "border": 1, "bold": True})
    bold_number = book.add_format({**base, "border": 1, "bold": True, "num_format": "#,##0"})
    bold_rate = book.add_format({**base, "border": 1, "bold": True, "num_format": "0.00%"})

    columns = [key for _group, cols in _GROUPS for key, _title in cols] + ["withdrawn", "on_time_rate"]
    last_col = 1 + len(columns)
    sheet.merge_range(0, 0, 0, last_col, _("TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"), title)
    sheet.merge_range(1, 0, 1, last_col, report["unit"]["name"], centre)
    period = _("Kỳ báo cáo: từ ngày %(f)s đến ngày %(t)s (số liệu tính đến %(a)s)") % {
        "f": _vn_date(report["from"]), "t": _vn_date(report["to"]), "a": report["as_of"],
    }
    sheet.merge_range(2, 0, 2, last_col, period, centre)

    top, sub = 4, 5
    sheet.merge_range(top, 0, sub, 0, _("STT"), head)
    sheet.merge_range(top, 1, sub, 1, _("Đơn vị / Lĩnh vực / Thủ tục"), head)
    col = 2
    for group, cols in _GROUPS:
        sheet.merge_range(top, col, top, col + len(cols) - 1, _(group), head)
        for _key, col_title in cols:
            sheet.write(sub, col, _(col_title), head)
            col += 1
    sheet.merge_range(top, col, sub, col, _("Rút hồ sơ"), head)
    sheet.merge_range(top, col + 1, sub, col + 1, _("Tỷ lệ đúng hạn"), head)
    sheet.set_row(sub, 45)
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 1, 36)
    sheet.set_column(2, last_col, 12)

    row_no = sub + 1
    for index, row in enumerate(report["rows"], start=1):
        sheet.write_number(row_no, 0, index, cell)
        sheet.write_string(row_no, 1, row["label"], cell)
        for offset, key in enumerate(columns):
            sheet.write_number(row_no, 2 + offset, row[key], rate if key == "on_time_rate" else number)
        row_no += 1
    sheet.write_string(row_no, 0, "", bold_cell)
    sheet.write_string(row_no, 1, _("Tổng cộng"), bold_cell)
    for offset, key in enumerate(columns):
        value = report["totals"][key]
        sheet.write_number(row_no, 2 + offset, value, bold_rate if key == "on_time_rate" else bold_number)
    book.close()
    return buf.getvalue()
