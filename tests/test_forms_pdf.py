"""Official forms as PDF: every form of both regimes, read back with pdftotext (poppler-utils).

Dossiers are made through the one writer (services.receive / perform), as officials make them.
Set MOTCUA_PDF_DUMP=/some/dir to keep the rendered PDFs for looking at.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest

from motcua.catalog.models import Field, Procedure, RequiredDocument, RouteStep
from motcua.documents import forms
from motcua.documents.forms import FormDataMissing, FormNotAvailable, render_form, render_result
from motcua.documents.templatetags.vnforms import long_date, long_datetime
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.regimes import regime_by_code
from motcua.units.calendars import calendar_for_unit
from motcua.units.models import AdministrativeUnit, Agency
from motcua.workdays import TZ, to_local

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (Debian poppler-utils)"),
]

NHUNG = "Nguyễn Thị Hồng Nhung"
SINH = "Đặng Văn Sình"
DOCUMENTS = ["Tờ khai đăng ký khai sinh theo mẫu", "Giấy chứng sinh do cơ sở y tế cấp"]
MISSING = "Bản sao Giấy chứng nhận kết hôn của cha, mẹ\nVăn bản ủy quyền có chứng thực"


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(text.split()))


def pdf_text(pdf: bytes, tmp_path: Path, name: str = "form") -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    dump = os.environ.get("MOTCUA_PDF_DUMP")
    if dump:
        Path(dump).mkdir(parents=True, exist_ok=True)
        (Path(dump) / path.name).write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
    return nfc(out.stdout.decode("utf-8"))


@dataclass
class Place:
    unit: AdministrativeUnit
    agency: Agency
    procedure: Procedure


def make_place(regime: str) -> Place:
    field, _ = Field.objects.get_or_create(code="pdf-hotich", defaults={"name": "Hộ tịch"})
    procedure, created = Procedure.objects.get_or_create(
        code="PDF.1.001193", defaults={"name": "Thủ tục đăng ký khai sinh", "field": field, "legal_minutes": 10 * 480,
                                       "levels": ["district", "commune"], "channels": ["counter"]},
    )
    if created:
        for order, share in enumerate((480, 8 * 480, 480), start=1):
            RouteStep.objects.create(procedure=procedure, order=order, name=("Tiếp nhận", "Thẩm định hồ sơ",
                                     "Phê duyệt, ký kết quả")[order - 1], role="specialist", share_minutes=share)
        for order, name in enumerate(DOCUMENTS, start=1):
            RequiredDocument.objects.create(procedure=procedure, order=order, name=name, form="bản chính")
    province, _ = AdministrativeUnit.objects.get_or_create(
        code="PDF08", valid_from=dt.date(2008, 1, 1), defaults={"name": "Tỉnh Tuyên Quang", "level": "province"})
    if regime == "2018":
        unit = AdministrativeUnit.objects.create(code="PDF071", name="Huyện Lâm Bình", level="district",
                                                 parent=province, valid_from=dt.date(2011, 1, 1),
                                                 valid_to=dt.date(2025, 6, 30))
        agency = Agency.objects.create(code="PDF.H57", name="Ủy ban nhân dân huyện Lâm Bình", kind="ubnd",
                                       unit=unit, level="district", has_one_stop=True)
    else:
        unit = AdministrativeUnit.objects.create(code="PDF02263", name="Xã Thượng Lâm", level="commune",
                                                 parent=province, valid_from=dt.date(2025, 7, 1))
        agency = Agency.objects.create(code="PDF.X02263", name="Trung tâm Phục vụ hành chính công xã Thượng Lâm",
                                       kind="centre", unit=unit, level="commune", has_one_stop=True)
    return Place(unit, agency, procedure)


def receive(place: Place, when: str, name: str) -> Dossier:
    return services.receive(
        procedure=place.procedure, unit=place.unit, agency=place.agency, at=at(when), documents=DOCUMENTS,
        applicant=services.Applicant(name=name, phone="0912345678", email="nhung.nguyen@example.vn",
                                     address="Thôn Nà Khá, xã Thượng Lâm, tỉnh Tuyên Quang"),
        matter="Đăng ký khai sinh cho con: Hoàng Gia Bảo",
    )


def act(dossier: Dossier, action: str, when: dt.datetime, role: str = "head", **kw: object) -> Dossier:
    return services.perform(dossier, action, role=role, at=when, **kw)


def full_history(place: Place, when: str, name: str) -> Dossier:
    """Received; step 1 handed over early; supplement asked and supplied; apology; step 2 handed over
    after its due date; resolved on the dossier's due date; returned."""
    d = receive(place, when, name)
    t0 = d.received_at
    act(d, "hand_over", t0 + dt.timedelta(hours=1), role="counter")
    act(d, "request_supplement", t0 + dt.timedelta(days=1), role="specialist", note=MISSING,
        reason="Thiếu giấy tờ chứng minh quan hệ cha, mẹ, con")
    act(d, "supply", t0 + dt.timedelta(days=2), role="counter")
    d.refresh_from_db()
    new_due = calendar_for_unit(d.unit).add_working_time(d.due_at, 3 * 480)
    act(d, "apologize", t0 + dt.timedelta(days=2, hours=1), new_due_at=new_due,
        reason="Cần xác minh thông tin cư trú của người mẹ tại địa phương khác")
    step3 = d.steps.get(order=3)
    act(d, "hand_over", step3.due_at, role="specialist")
    act(d, "resolve", step3.due_at + dt.timedelta(minutes=1))
    act(d, "return", step3.due_at + dt.timedelta(days=2), role="counter")
    d.refresh_from_db()
    return d


@pytest.fixture(params=["2018", "2025"])
def case(request: pytest.FixtureRequest) -> tuple[str, Place, str, str]:
    """(regime, place, receipt time, applicant) for a dossier of each regime."""
    regime = request.param
    if regime == "2018":
        return regime, make_place(regime), "2024-03-05 08:30", NHUNG
    return regime, make_place(regime), "2025-08-12 09:15", SINH


def expect_title(text: str, regime: str, key: str) -> None:
    spec = regime_by_code(regime).form(key)
    assert spec is not None
    assert spec.title.upper() in text
    assert f"Mẫu số {spec.number} – {forms.circular_of(regime_by_code(regime))}" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text


def test_vietnamese_dates_follow_decree_30() -> None:
    assert long_date(dt.date(2024, 2, 5)) == "ngày 05 tháng 02 năm 2024"
    assert long_date(dt.date(2024, 3, 15)) == "ngày 15 tháng 3 năm 2024"
    assert long_date(dt.date(2025, 12, 1)) == "ngày 01 tháng 12 năm 2025"
    # an instant is shown in Asia/Ho_Chi_Minh whatever zone it comes in
    assert long_datetime(dt.datetime(2024, 1, 31, 18, 5, tzinfo=dt.UTC)) == "01 giờ 05 phút, ngày 01 tháng 02 năm 2024"


def test_receipt_form_01(case, tmp_path) -> None:
    regime, place, when, name = case
    d = full_history(place, when, name)
    assert d.regime == regime
    text = pdf_text(render_form(d, "receipt"), tmp_path, f"{regime}-01-receipt")
    expect_title(text, regime, "receipt")
    assert name in text and d.code in text
    assert "Thôn Nà Khá, xã Thượng Lâm, tỉnh Tuyên Quang" in text
    assert "0912345678" in text and "nhung.nguyen@example.vn" in text
    assert "Đăng ký khai sinh cho con: Hoàng Gia Bảo" in text
    for doc in DOCUMENTS:
        assert doc in text
    assert "Số lượng hồ sơ: 1 (bộ)" in text
    assert f"theo quy định là: {d.procedure.legal_time_label}" in text
    assert f"Thời gian nhận hồ sơ: {long_datetime(d.received_at)}" in text
    assert f"Thời gian trả kết quả giải quyết hồ sơ: {long_datetime(d.due_at)}" in text
    local = to_local(d.received_at)
    assert f"{forms.place_name(place.unit)}, {long_date(local)}" in text  # place, date
    assert f"Quyển số: {local.year}, Số thứ tự: 1" in text
    assert "NGƯỜI NỘP HỒ SƠ" in text and "NGƯỜI TIẾP NHẬN HỒ SƠ" in text
    # The agency: a district People's Committee (2018), a commune service centre (2025).
    assert place.agency.name.upper() in text


def test_logbook_number_on_the_receipt_counts_the_year(case, tmp_path) -> None:
    regime, place, when, name = case
    first = receive(place, when, "Lò Thị Mỷ")
    second = receive(place, when, name)  # the same minute: the code breaks the tie
    assert first.code < second.code
    text = pdf_text(render_form(second, "receipt"), tmp_path)
    assert f"Quyển số: {when[:4]}, Số thứ tự: 2" in text


def test_completion_request_form_02(case, tmp_path) -> None:
    regime, place, when, name = case
    d = full_history(place, when, name)
    text = pdf_text(render_form(d, "completion_request"), tmp_path, f"{regime}-02-completion")
    expect_title(text, regime, "completion_request")
    assert name in text
    assert "Bản sao Giấy chứng nhận kết hôn của cha, mẹ" in text
    assert "Văn bản ủy quyền có chứng thực" in text
    assert "Thiếu giấy tờ chứng minh quan hệ cha, mẹ, con" in text


def test_refusal_form_03(case, tmp_path) -> None:
    regime, place, when, name = case
    d = receive(place, when, name)
    act(d, "hand_over", d.received_at + dt.timedelta(hours=2), role="counter")
    reason = "Người yêu cầu không phải là cha, mẹ hoặc người được ủy quyền hợp lệ"
    act(d, "refuse", d.received_at + dt.timedelta(days=1), reason=reason)
    text = pdf_text(render_form(d, "refusal"), tmp_path, f"{regime}-03-refusal")
    expect_title(text, regime, "refusal")
    assert name in text and reason in text


def test_apology_form_04(case, tmp_path) -> None:
    regime, place, when, name = case
    d = full_history(place, when, name)
    text = pdf_text(render_form(d, "apology"), tmp_path, f"{regime}-04-apology")
    expect_title(text, regime, "apology")
    assert name in text
    assert "Cần xác minh thông tin cư trú của người mẹ tại địa phương khác" in text
    event = d.events.get(action="apologize")
    original = dt.datetime.fromisoformat(event.payload["original_due_at"])
    assert f"hẹn trả kết quả giải quyết hồ sơ: {long_datetime(original)}" in text
    assert long_datetime(d.extended_due_at) in text
    if regime_by_code(regime).apology_requests_extension:
        assert "đề nghị Ông/Bà đồng ý gia hạn" in text
    else:
        assert "sẽ trả kết quả giải quyết hồ sơ cho Ông/Bà vào" in text


def test_stop_notice_exists_only_from_2025(case, tmp_path) -> None:
    regime, place, when, name = case
    d = receive(place, when, name)
    act(d, "hand_over", d.received_at + dt.timedelta(hours=2), role="counter")
    if regime_by_code(regime).closing_on_request != "stop":
        with pytest.raises(FormNotAvailable):
            render_form(d, "stop")
        return
    reason = "Người nộp hồ sơ đề nghị dừng để bổ sung giấy tờ ở nước ngoài"
    act(d, "stop", d.received_at + dt.timedelta(days=1), role="counter", reason=reason)  # the applicant's request
    text = pdf_text(render_form(d, "stop"), tmp_path, f"{regime}-05-stop")
    expect_title(text, regime, "stop")
    assert name in text and reason in text


def test_control_slip(case, tmp_path) -> None:
    regime, place, when, name = case
    d = full_history(place, when, name)
    text = pdf_text(render_form(d, "control_slip"), tmp_path, f"{regime}-control-slip")
    expect_title(text, regime, "control_slip")
    assert name in text and d.code in text
    for step in ("Tiếp nhận", "Thẩm định hồ sơ", "Phê duyệt, ký kết quả"):
        assert step in text
    # step 1 handed over the day it came (early), step 2 after its due date (late),
    # step 3 finished on its due date (on time); then the dossier itself: on time.
    early, late = text.index("Trước hạn"), text.index("Quá hạn", text.index("Thẩm định hồ sơ"))
    on_time = text.index("Đúng hạn", text.index("Phê duyệt, ký kết quả"))
    assert early < late < on_time
    assert text.count("Đúng hạn") == 2
    assert "Yêu cầu bổ sung" in text and "Bản sao Giấy chứng nhận" in text  # table cells wrap: a short phrase


def test_result_notice(case, tmp_path) -> None:
    regime, place, when, name = case
    d = full_history(place, when, name)
    text = pdf_text(render_result(d), tmp_path, f"{regime}-result")
    assert "THÔNG BÁO KẾT QUẢ GIẢI QUYẾT HỒ SƠ" in text
    assert name in text and d.code in text and "Đã trả kết quả" in text


def test_intake_forms_for_an_online_submission(case, tmp_path) -> None:
    """Forms 02 and 03 at intake: the dossier is submitted online and never received."""
    regime, place, when, name = case
    d = services.receive(procedure=place.procedure, unit=place.unit, agency=place.agency, at=at(when), online=True,
                         applicant=services.Applicant(name=name), documents=DOCUMENTS[:1])
    act(d, "request_completion", at(when) + dt.timedelta(hours=1), role="counter", note=MISSING)
    text = pdf_text(render_form(d, "completion_request"), tmp_path, f"{regime}-02-intake")
    expect_title(text, regime, "completion_request")
    assert name in text and "Văn bản ủy quyền có chứng thực" in text
    reason = "Hồ sơ nộp trực tuyến thiếu chữ ký số của người yêu cầu"
    act(d, "reject_intake", at(when) + dt.timedelta(days=1), role="counter", reason=reason)
    text = pdf_text(render_form(d, "refusal"), tmp_path, f"{regime}-03-intake")
    expect_title(text, regime, "refusal")
    assert name in text and reason in text
    d.refresh_from_db()
    assert d.received_at is None


def test_a_form_the_dossier_has_not_reached_is_refused(case) -> None:
    regime, place, when, name = case
    d = receive(place, when, name)
    for key in ("completion_request", "refusal", "apology"):
        with pytest.raises(FormDataMissing):
            render_form(d, key)
    with pytest.raises(FormNotAvailable):
        render_form(d, "no_such_form")


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="needs pdffonts (poppler-utils)")
def test_only_the_bundled_fonts_are_embedded(case, tmp_path) -> None:
    regime, place, when, name = case
    d = full_history(place, when, name)
    path = tmp_path / "receipt.pdf"
    path.write_bytes(render_form(d, "receipt"))
    lines = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout.splitlines()
    fonts = [line.split()[0] for line in lines[2:]]
    assert fonts, "no font in the PDF"
    # WeasyPrint names an @font-face font after its family: a system font would show its own name, and any
    # glyph missing from the bundled font (a Vietnamese letter) would bring in a fallback font here.
    assert all("Motcua-Liberation-Serif" in f for f in fonts), fonts
    assert all(" yes " in line for line in lines[2:])  # embedded
