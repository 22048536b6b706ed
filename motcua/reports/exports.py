"""Form 06 as CSV and as an XLSX workbook: the official sheet "Biểu số II.06a/VPCP/KSTT" (Circular
01/2020/TT-VPCP: reporting unit and national motto, title, period, the 13 numbered columns with direct and postal
in one, rows, totals, signatures) and a second sheet with what the form has not (postal apart, withdrawn, rate).
The ``report`` command and the statistics screens both write it."""
from __future__ import annotations

import csv
import datetime as dt
import io

from django.utils.translation import gettext as _

from motcua.documents.templatetags.vndates import human_datetime
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
FORM_CODE = "Biểu số II.06a/VPCP/KSTT"
FORM_NAME = f"{FORM_CODE} — Thông tư số 01/2020/TT-VPCP"

# The official sheet, "Biểu số II.06a/VPCP/KSTT": 13 numbered columns, (1) no., (2) field or work by level, then
# these 11, direct and postal in ONE column. (top group, middle group or None, [(key, heading)]).
OFFICIAL_GROUPS: tuple[tuple[str, tuple[tuple[str | None, tuple[tuple[str, str], ...]], ...]], ...] = (
    ("Số hồ sơ nhận giải quyết", (
        (None, (("received_total", "Tổng số"),)),
        ("Trong đó", (
            ("received_online", "Trực tuyến"),
            ("received_direct_postal", "Trực tiếp, dịch vụ bưu chính"),
            ("carried_over", "Từ kỳ trước chuyển qua"),
        )),
    )),
    ("Kết quả giải quyết", (
        ("Số hồ sơ đã giải quyết", (
            ("resolved_total", "Tổng số"),
            ("resolved_early", "Trả trước hạn"),
            ("resolved_on_time", "Trả đúng thời hạn"),
            ("resolved_late", "Trả quá hạn"),
        )),
        ("Số hồ sơ đang giải quyết", (
            ("in_progress_total", "Tổng số"),
            ("in_progress_within", "Chưa đến hạn"),
            ("in_progress_overdue", "Quá hạn"),
        )),
    )),
)
OFFICIAL_COLUMNS = [key for _top, mids in OFFICIAL_GROUPS for _mid, cols in mids for key, _title in cols]
# The second sheet: what the official form does not have (never inside the official sheet).
EXTRA_COLUMNS: tuple[tuple[str, str], ...] = (
    ("received_direct", "Trực tiếp"),
    ("received_postal", "Bưu chính công ích"),
    ("withdrawn", "Rút hồ sơ"),
    ("on_time_rate", "Tỷ lệ đúng hạn"),
)
NO_RATE = "—"


def official_row(row: dict) -> dict:
    """The row with the official form's merged column: received directly and by post."""
    return {**row, "received_direct_postal": row["received_direct"] + row["received_postal"]}


def _vn_date(iso: str) -> str:
    return dt.date.fromisoformat(iso).strftime("%d/%m/%Y")


def to_xlsx(report: dict, period_label: str = "") -> bytes:
    """Sheet 1, the official form: heading block, three-row header with the form's column numbers (1)–(13), one
    line per row, totals, signatures. Sheet 2: the extra columns (direct and postal apart, withdrawn, on-time
    rate; "—" where nothing was handled)."""
    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    sheet = book.add_worksheet(_("Biểu II.06a"))
    base = {"font_name": "Times New Roman", "font_size": 12}

    def fmt(**extra: object) -> object:
        return book.add_format({**base, **extra})

    centre = {"align": "center", "valign": "vcenter", "text_wrap": True}
    bold_c, plain_c = fmt(bold=True, **centre), fmt(**centre)
    italic_c = fmt(italic=True, **centre)
    title = fmt(bold=True, font_size=14, **centre)
    head = fmt(bold=True, border=1, **centre)
    cell, number = fmt(border=1, text_wrap=True), fmt(border=1, num_format="#,##0")
    rate, b_rate = fmt(border=1, num_format="0.00%"), fmt(border=1, bold=True, num_format="0.00%")
    dash, b_dash = fmt(border=1, align="right"), fmt(border=1, bold=True, align="right")
    b_cell, b_number = fmt(border=1, bold=True), fmt(border=1, bold=True, num_format="#,##0")
    right_i = fmt(italic=True, align="right")
    rows = [official_row(r) for r in report["rows"]]
    totals = official_row(report["totals"])

    last = 1 + len(OFFICIAL_COLUMNS)  # 12: the 13th column
    split = 5  # the heading's left block: columns 0..split-1
    sheet.merge_range(0, 0, 0, split - 1, _("ĐƠN VỊ BÁO CÁO"), bold_c)
    sheet.merge_range(1, 0, 1, split - 1, report["unit"]["name"].upper(), bold_c)
    sheet.merge_range(0, split, 0, last - 2, _("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), bold_c)
    sheet.merge_range(1, split, 1, last - 2, _("Độc lập - Tự do - Hạnh phúc"), bold_c)
    sheet.merge_range(0, last - 1, 1, last, FORM_CODE, bold_c)
    sheet.merge_range(3, 0, 3, last, _("TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"), title)
    sheet.merge_range(4, 0, 4, last, period_label or _("Kỳ báo cáo: từ ngày %(f)s đến ngày %(t)s") % {
        "f": _vn_date(report["from"]), "t": _vn_date(report["to"])}, plain_c)
    sheet.merge_range(5, 0, 5, last, _("(Số liệu tính đến %(a)s; %(form)s)") % {
        "a": human_datetime(report["as_of"]), "form": FORM_NAME}, italic_c)
    sheet.merge_range(6, 0, 6, last, _("Đơn vị tính: số hồ sơ thủ tục hành chính"), right_i)

    top, mid, sub = 8, 9, 10
    sheet.merge_range(top, 0, sub, 0, _("STT"), head)
    sheet.merge_range(top, 1, sub, 1, _("Lĩnh vực, công việc giải quyết theo cấp"), head)
    col = 2
    for group, mids in OFFICIAL_GROUPS:
        width = sum(len(cols) for _mid, cols in mids)
        sheet.merge_range(top, col, top, col + width - 1, _(group), head)
        for mid_title, cols in mids:
            if mid_title is None:
                for _key, col_title in cols:
                    sheet.merge_range(mid, col, sub, col, _(col_title), head)
                    col += 1
                continue
            if len(cols) > 1:
                sheet.merge_range(mid, col, mid, col + len(cols) - 1, _(mid_title), head)
            else:
                sheet.write(mid, col, _(mid_title), head)
            for _key, col_title in cols:
                sheet.write(sub, col, _(col_title), head)
                col += 1
    # The form's column numbers under the header, (1) … (13)
    for c in range(last + 1):
        sheet.write(sub + 1, c, f"({c + 1})", italic_c)
    sheet.set_row(sub, 48)
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 1, 36)
    sheet.set_column(2, last, 11)

    row_no = sub + 2
    for index, row in enumerate(rows, start=1):
        sheet.write_number(row_no, 0, index, cell)
        sheet.write_string(row_no, 1, row["label"], cell)
        for offset, key in enumerate(OFFICIAL_COLUMNS):
            sheet.write_number(row_no, 2 + offset, row[key], number)
        row_no += 1
    sheet.write_string(row_no, 0, "", b_cell)
    sheet.write_string(row_no, 1, _("Tổng cộng"), b_cell)
    for offset, key in enumerate(OFFICIAL_COLUMNS):
        sheet.write_number(row_no, 2 + offset, totals[key], b_number)

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

    extra = book.add_worksheet(_("Bổ sung"))
    extra.merge_range(0, 0, 0, 1 + len(EXTRA_COLUMNS),
                      _("Số liệu bổ sung (ngoài biểu chính thức): %(u)s, từ ngày %(f)s đến ngày %(t)s") % {
                          "u": report["unit"]["name"], "f": _vn_date(report["from"]), "t": _vn_date(report["to"])},
                      bold_c)
    extra.write(2, 0, _("STT"), head)
    extra.write(2, 1, _("Lĩnh vực, công việc giải quyết theo cấp"), head)
    for offset, (_key, col_title) in enumerate(EXTRA_COLUMNS):
        extra.write(2, 2 + offset, _(col_title), head)
    extra.set_column(0, 0, 6)
    extra.set_column(1, 1, 36)
    extra.set_column(2, 1 + len(EXTRA_COLUMNS), 14)
    lines = [(str(i), r, False) for i, r in enumerate(rows, start=1)] + [("", totals, True)]
    for line_no, (index, row, bold) in enumerate(lines, start=3):
        extra.write_string(line_no, 0, index, b_cell if bold else cell)
        extra.write_string(line_no, 1, _("Tổng cộng") if bold else row["label"], b_cell if bold else cell)
        for offset, (key, _title) in enumerate(EXTRA_COLUMNS):
            value = row[key]
            if key != "on_time_rate":
                extra.write_number(line_no, 2 + offset, value, b_number if bold else number)
            elif value is None:
                extra.write_string(line_no, 2 + offset, NO_RATE, b_dash if bold else dash)
            else:
                extra.write_number(line_no, 2 + offset, value, b_rate if bold else rate)
    book.close()
    return buf.getvalue()
