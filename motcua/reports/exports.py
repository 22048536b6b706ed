"""Form 06 as CSV and as an XLSX sheet in the official layout: reporting unit and national motto,
title, period, grouped two-row header with the form's column numbers, rows, totals, signatures.
The ``report`` command and the statistics screens both write it."""
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


COLUMNS = [key for _group, cols in _GROUPS for key, _title in cols] + ["withdrawn", "on_time_rate"]
FORM_NAME = "Biểu mẫu số 06 — Thông tư số 01/2020/TT-VPCP"


def _vn_date(iso: str) -> str:
    return dt.date.fromisoformat(iso).strftime("%d/%m/%Y")


def to_xlsx(report: dict, period_label: str = "") -> bytes:
    """One sheet: heading block, grouped two-row header, one line per row, totals, signatures."""
    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    sheet = book.add_worksheet(_("Mẫu 06"))
    base = {"font_name": "Times New Roman", "font_size": 12}

    def fmt(**extra: object) -> object:
        return book.add_format({**base, **extra})

    centre = {"align": "center", "valign": "vcenter", "text_wrap": True}
    bold_c, plain_c = fmt(bold=True, **centre), fmt(**centre)
    italic_c = fmt(italic=True, **centre)
    title = fmt(bold=True, font_size=14, **centre)
    head = fmt(bold=True, border=1, **centre)
    cell, number, rate = fmt(border=1, text_wrap=True), fmt(border=1, num_format="#,##0"), fmt(border=1,
                                                                                                num_format="0.00%")
    b_cell, b_number = fmt(border=1, bold=True), fmt(border=1, bold=True, num_format="#,##0")
    b_rate = fmt(border=1, bold=True, num_format="0.00%")
    right_i = fmt(italic=True, align="right")

    last = 1 + len(COLUMNS)
    split = 5  # the heading's left block: columns 0..split-1
    sheet.merge_range(0, 0, 0, split - 1, _("ĐƠN VỊ BÁO CÁO"), bold_c)
    sheet.merge_range(1, 0, 1, split - 1, report["unit"]["name"].upper(), bold_c)
    sheet.merge_range(0, split, 0, last, _("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), bold_c)
    sheet.merge_range(1, split, 1, last, _("Độc lập - Tự do - Hạnh phúc"), bold_c)
    sheet.merge_range(3, 0, 3, last, _("TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"), title)
    sheet.merge_range(4, 0, 4, last, period_label or _("Kỳ báo cáo: từ ngày %(f)s đến ngày %(t)s") % {
        "f": _vn_date(report["from"]), "t": _vn_date(report["to"])}, plain_c)
    sheet.merge_range(5, 0, 5, last, _("(Số liệu tính đến %(a)s; %(form)s)") % {
        "a": report["as_of"], "form": FORM_NAME}, italic_c)
    sheet.merge_range(6, 0, 6, last, _("Đơn vị tính: số hồ sơ thủ tục hành chính"), right_i)

    top, sub = 8, 9
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
    # The form's column numbers under the header, (1) (2) ...
    for c in range(last + 1):
        sheet.write(sub + 1, c, f"({c + 1})", italic_c)
    sheet.set_row(sub, 48)
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 1, 36)
    sheet.set_column(2, last, 12)

    row_no = sub + 2
    for index, row in enumerate(report["rows"], start=1):
        sheet.write_number(row_no, 0, index, cell)
        sheet.write_string(row_no, 1, row["label"], cell)
        for offset, key in enumerate(COLUMNS):
            sheet.write_number(row_no, 2 + offset, row[key], rate if key == "on_time_rate" else number)
        row_no += 1
    sheet.write_string(row_no, 0, "", b_cell)
    sheet.write_string(row_no, 1, _("Tổng cộng"), b_cell)
    for offset, key in enumerate(COLUMNS):
        value = report["totals"][key]
        sheet.write_number(row_no, 2 + offset, value, b_rate if key == "on_time_rate" else b_number)

    sign = row_no + 2
    right = (last - 5, last)
    sheet.merge_range(sign, right[0], sign, right[1], _("……, ngày …… tháng …… năm ……"), italic_c)
    sheet.merge_range(sign + 1, 0, sign + 1, 4, _("NGƯỜI LẬP BIỂU"), bold_c)
    sheet.merge_range(sign + 1, right[0], sign + 1, right[1], _("THỦ TRƯỞNG ĐƠN VỊ"), bold_c)
    sheet.merge_range(sign + 2, 0, sign + 2, 4, _("(Ký, ghi rõ họ tên)"), italic_c)
    sheet.merge_range(sign + 2, right[0], sign + 2, right[1], _("(Ký tên, đóng dấu, ghi rõ họ tên)"), italic_c)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(top, sub)
    book.close()
    return buf.getvalue()
