"""The dossier logbook (form 06 of 2018, 07 of 2025) for a date range, as PDF and as xlsx."""
from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import zipfile

import pytest

from motcua.documents.logbook import logbook_rows, logbook_xlsx, render_logbook_pdf
from tests.test_forms_pdf import NHUNG, SINH, act, at, full_history, make_place, pdf_text, receive

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (Debian poppler-utils)"),
]


@pytest.fixture
def lam_binh():  # noqa: ANN201
    """Four dossiers at the district of Lâm Bình in 2024: one before the range, three in it."""
    place = make_place("2018")
    before = receive(place, "2024-02-28 10:00", "Hoàng Văn Thắng")
    done = full_history(place, "2024-03-05 08:30", NHUNG)  # resolved on its due date
    refused = receive(place, "2024-03-06 14:00", "Ma Thị Lượng")
    act(refused, "hand_over", at("2024-03-06 15:00"), role="counter")
    act(refused, "refuse", at("2024-03-07 09:00"), reason="Hồ sơ không thuộc thẩm quyền")
    open_one = receive(place, "2024-03-29 16:00", "Triệu Văn Lìn")
    return place, before, done, refused, open_one


def test_rows_are_the_dossiers_received_in_the_range_numbered_in_the_year(lam_binh) -> None:
    place, before, done, refused, open_one = lam_binh
    rows = logbook_rows(place.agency, dt.date(2024, 3, 1), dt.date(2024, 3, 31), at=at("2024-04-01 09:00"))
    assert [r.code for r in rows] == [done.code, refused.code, open_one.code]
    assert [r.number for r in rows] == [2, 3, 4]  # the February dossier is number 1 of the 2024 volume
    by_code = {r.code: r for r in rows}
    assert by_code[done.code].outcome == "Đúng hạn"
    assert by_code[done.code].returned_at == done.returned_at
    assert "Hẹn lại" in by_code[done.code].note
    assert "Từ chối" in by_code[refused.code].note
    open_one.refresh_from_db()
    assert open_one.due_at > at("2024-04-01 09:00")
    assert by_code[open_one.code].outcome == "Đang giải quyết trong hạn"
    day = dt.date(2024, 3, 29)
    late = logbook_rows(place.agency, day, day, at=open_one.due_at + dt.timedelta(days=1))
    assert [r.outcome for r in late] == ["Đang giải quyết quá hạn"]


def test_a_unit_logbook_holds_the_unit_dossiers(lam_binh) -> None:
    place, before, done, refused, open_one = lam_binh
    rows = logbook_rows(place.unit, dt.date(2024, 2, 28), dt.date(2024, 2, 28))
    assert [r.code for r in rows] == [before.code]


def test_logbook_pdf(lam_binh, tmp_path) -> None:
    place, before, done, refused, open_one = lam_binh
    pdf = render_logbook_pdf(place.agency, dt.date(2024, 3, 1), dt.date(2024, 3, 31))
    text = pdf_text(pdf, tmp_path, "2018-06-logbook")
    assert "SỔ THEO DÕI HỒ SƠ" in text and "Mẫu số 06 – Thông tư 01/2018/TT-VPCP" in text
    assert "Từ ngày 01 tháng 3 năm 2024 đến ngày 31 tháng 3 năm 2024" in text
    for d in (done, refused, open_one):
        assert d.code in text
    assert before.code not in text
    assert NHUNG in text and "Triệu Văn Lìn" in text
    assert "Tổng số: 3 hồ sơ." in text


def test_logbook_pdf_of_2025_is_form_07(tmp_path) -> None:
    place = make_place("2025")
    d = receive(place, "2025-08-12 09:15", SINH)
    pdf = render_logbook_pdf(place.agency, dt.date(2025, 8, 1), dt.date(2025, 8, 31))
    text = pdf_text(pdf, tmp_path, "2025-07-logbook")
    assert "Mẫu số 07 – Thông tư 03/2025/TT-VPCP" in text and d.code in text and SINH in text


def test_an_empty_range_says_so(lam_binh, tmp_path) -> None:
    place = lam_binh[0]
    text = pdf_text(render_logbook_pdf(place.agency, dt.date(2024, 5, 1), dt.date(2024, 5, 31)), tmp_path)
    assert "Không có hồ sơ tiếp nhận trong khoảng thời gian này." in text


def _cells(xlsx: bytes) -> tuple[list[str], str]:
    """Shared strings and the sheet XML of the workbook (read with the standard library)."""
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        shared = z.read("xl/sharedStrings.xml").decode()
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    strings = [re.sub(r"<[^>]+>", "", s) for s in re.findall(r"<si>(.*?)</si>", shared, re.S)]
    return strings, sheet


def test_logbook_xlsx(lam_binh) -> None:
    place, before, done, refused, open_one = lam_binh
    xlsx = logbook_xlsx(place.agency, dt.date(2024, 3, 1), dt.date(2024, 3, 31))
    strings, sheet = _cells(xlsx)
    for d in (done, refused, open_one):
        assert d.code in strings
    assert before.code not in strings
    assert NHUNG in strings and "Mã hồ sơ" in strings
    # header row 5 then one row per dossier: rows 6, 7, 8
    assert re.findall(r'<row r="(\d+)"', sheet)[-1] == "8"
    # the receipt instant is a real date cell (a serial number), in local time: 2024-03-05 08:30
    serial = (dt.datetime(2024, 3, 5, 8, 30) - dt.datetime(1899, 12, 30)).total_seconds() / 86400
    cell = re.search(r'<c r="G6"[^>]*><v>([^<]+)</v>', sheet)
    assert cell is not None and float(cell.group(1)) == pytest.approx(serial, abs=1e-6)
