"""The citizen's status page and readable dates everywhere (issue 14, item 6).

While the clock is paused the page says so and why; after an apology it shows the new date as an
extension of the original one; the rating's five levels are labelled in words; and no ISO timestamp
reaches a screen, a workbook or a PDF ("15 giờ 30, ngày 05/12/2026" instead).
"""
from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.template import Context, Template
from django.test import Client
from django.urls import reverse

from motcua.documents.forms import render_form
from motcua.documents.tables import table_xlsx
from motcua.dossiers import services
from motcua.portal.links import public_path
from motcua.portal.models import Rating
from motcua.reports.exports import to_xlsx
from motcua.reports.form06 import compute_form06
from motcua.stats.exports import pdf_response
from motcua.units.models import StaffRole
from tests.factories import at, make_world

pytestmark = pytest.mark.django_db
ISO = re.compile(r"\d{4}-\d{2}-\d{2}T|\d{4}-\d{2}-\d{2} \d{2}:\d{2}")
ENGLISH = re.compile(r"\b(a\.m\.|p\.m\.|midnight|noon|Jan\.|Feb\.|March|Dec\.)")
NOTE = "Bản sao giấy chứng sinh có chứng thực"


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def dossier(world):
    applicant = services.Applicant(name="Hoàng Thị Ngọc Lan", phone="0912345678", id_number="001190012345")
    d = services.receive(procedure=world.procedure, unit=world.commune, agency=world.agency,
                         applicant=applicant, at=at("2026-03-02 09:00"))
    services.perform(d, "hand_over", role="counter", at=at("2026-03-02 10:00"))
    return d


def status_page(dossier) -> str:
    response = Client().get(public_path(dossier.code))
    assert response.status_code == 200
    return response.content.decode()


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_a_paused_clock_says_so_and_why(dossier):
    services.perform(dossier, "request_supplement", role="specialist", at=at("2026-03-03 14:30"), note=NOTE)
    page = text_of(status_page(dossier))
    assert "Thời hạn giải quyết đang tạm dừng từ 14 giờ 30, ngày 03/03/2026." in page
    assert f"Lý do: {NOTE}" in page and "Ông/bà cần bổ sung hồ sơ" in page
    services.perform(dossier, "supply", role="counter", at=at("2026-03-04 09:00"))
    assert "tạm dừng" not in text_of(status_page(dossier)).split("Quá trình giải quyết")[0]
    services.perform(dossier, "request_payment", role="specialist", at=at("2026-03-04 10:00"),
                     note="Lệ phí đăng ký 50.000 đồng")
    page = text_of(status_page(dossier))
    assert "Thời hạn giải quyết đang tạm dừng từ 10 giờ 00, ngày 04/03/2026." in page
    assert "Lý do: Lệ phí đăng ký 50.000 đồng" in page and "nghĩa vụ tài chính" in page


def test_an_apology_shows_the_new_date_as_an_extension(dossier):
    services.perform(dossier, "apologize", role="head", at=at("2026-03-04 10:00"),
                     new_due_at=at("2026-03-11 10:00"), reason="Cần xác minh thông tin cư trú")
    page = text_of(status_page(dossier))
    assert ("Hẹn trả kết quả 10 giờ 00, ngày 11/03/2026 gia hạn từ ngày hẹn ban đầu 09 giờ 00, ngày 09/03/2026"
            in page)
    assert "Cần xác minh thông tin cư trú" in page
    assert "hẹn trả kết quả vào 10 giờ 00, ngày 11/03/2026" in page  # the timeline's line too


def test_rating_options_are_labelled_in_words(dossier):
    services.perform(dossier, "resolve", role="head", at=at("2026-03-03 10:00"))
    html = status_page(dossier)
    words = ["Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng", "Rất hài lòng"]
    for value, word in enumerate(words, start=1):
        assert re.search(rf'<input type="radio" name="access" value="{value}"[^>]*id="id_access_{value - 1}"', html)
        assert f'<label class="form-check-label" for="id_access_{value - 1}">{word}</label>' in html
    assert not re.search(r">\s*[1-5]\s*</label>", html)  # no bare digits as labels
    url = f"/tra-cuu/{dossier.code}/danh-gia/?k={public_path(dossier.code).split('k=')[1]}"
    scores = {"access": 5, "procedure": 4, "officials": 3, "result": 2, "feedback": 1}
    assert Client().post(url, scores).status_code == 302
    rating = Rating.objects.get()  # the stored values are still the 1–5 scale the 766 index reads
    assert (rating.access, rating.procedure, rating.officials, rating.result, rating.feedback) == (5, 4, 3, 2, 1)


def test_a_datetime_renders_readably_by_default():
    value = at("2026-12-05 15:30")
    assert Template("{{ v }}").render(Context({"v": value})) == "15 giờ 30, ngày 05/12/2026"
    assert Template("{{ v }}").render(Context({"v": value.date()})) == "05/12/2026"
    rendered = Template("{% load vndates %}{{ v|human_datetime }} · {{ s|human_datetime }}").render(
        Context({"v": value, "s": "2026-12-05T08:30:00+00:00"}))
    assert rendered == "15 giờ 30, ngày 05/12/2026 · 15 giờ 30, ngày 05/12/2026"


@pytest.fixture
def history(dossier):
    services.perform(dossier, "request_supplement", role="specialist", at=at("2026-03-03 09:00"), note=NOTE)
    services.perform(dossier, "supply", role="counter", at=at("2026-03-03 15:00"))
    services.perform(dossier, "apologize", role="head", at=at("2026-03-05 10:00"),
                     new_due_at=at("2026-03-12 10:00"), reason="Cần xác minh thông tin cư trú")
    services.perform(dossier, "resolve", role="head", at=at("2026-03-06 10:00"))
    dossier.refresh_from_db()
    return dossier


def test_no_iso_timestamp_on_the_status_page_or_the_officials_page(history, world):
    page = status_page(history)
    assert not ISO.search(page) and not ENGLISH.search(text_of(page))
    assert "Ngày tiếp nhận 09 giờ 00, ngày 02/03/2026" in text_of(page)
    official = User.objects.create_user("truongphong")
    StaffRole.objects.create(user=official, role="head", agency=world.agency)
    client = Client()
    client.force_login(official)
    response = client.get(reverse("office:dossier", args=[history.code]))
    assert response.status_code == 200
    html = response.content.decode()
    assert not ISO.search(html) and not ENGLISH.search(text_of(html))
    assert "Ngày nhận 09 giờ 00, ngày 02/03/2026" in text_of(html)
    assert "Hẹn lại (phiếu xin lỗi): 10 giờ 00, ngày 12/03/2026" in text_of(html)


def test_no_iso_timestamp_in_an_xlsx_export(history, world):
    report = compute_form06(world.commune.code, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(report)))
    texts = [str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value]
    assert not [t for t in texts if ISO.search(t)]
    assert any("Số liệu tính đến 23 giờ 59, ngày 31/03/2026" in t for t in texts)
    # a register's table: an instant is a real date cell, shown dd/mm/yyyy hh:mm in local time
    sheet = openpyxl.load_workbook(io.BytesIO(table_xlsx("Sổ", ("Hạn", "Ngày"), [
        [at("2026-03-09 09:00"), dt.date(2026, 3, 9)]]))).active
    due, day = sheet.cell(row=4, column=1), sheet.cell(row=4, column=2)
    assert due.is_date and due.number_format == "dd/mm/yyyy hh:mm" and due.value == dt.datetime(2026, 3, 9, 9, 0)
    assert day.is_date and day.number_format == "dd/mm/yyyy"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (Debian poppler-utils)")
def test_no_iso_timestamp_in_a_pdf(history, world, tmp_path):
    def pdf_text(pdf: bytes, name: str) -> str:
        path = Path(tmp_path / f"{name}.pdf")
        path.write_bytes(pdf)
        return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                              check=True).stdout.decode()

    apology = pdf_text(render_form(history, "apology"), "apology")
    assert not ISO.search(apology)
    report = compute_form06(world.commune.code, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    form06 = " ".join(pdf_text(pdf_response(report).content, "form06").split())
    assert "Số liệu tính đến 23 giờ 59, ngày 31/03/2026" in form06
    assert not ISO.search(form06)
