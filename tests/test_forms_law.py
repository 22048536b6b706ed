"""The official forms as the law draws them (Circular 01/2018/TT-VPCP art. 9–10, Circular 03/2025/TT-VPCP,
Appendix I; docs/domain.md §7), for one dossier of each regime, read back from the PDF: paper size with
pdfinfo, names and signature lines with pdftotext (Debian poppler-utils).

Officials are stored as Vietnamese software stores them: last_name "Đinh Quang", first_name "Giang";
every form prints "Đinh Quang Giang" (họ, đệm, tên), never Django's "Giang Đinh Quang".
"""
from __future__ import annotations

import datetime as dt
import importlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from motcua.documents.forms import render_form
from motcua.documents.logbook import render_logbook_pdf
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.people import person_name, vietnamese_name
from motcua.regimes import regime_by_code
from motcua.units.models import Agency
from tests.test_forms_pdf import DOCUMENTS, NHUNG, SINH, Place, act, at, make_place, pdf_text

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="needs pdfinfo, pdftotext (Debian poppler-utils)"),
]

GIANG = "Đinh Quang Giang"  # the counter officer: last_name "Đinh Quang", first_name "Giang"
THAO = "Hà Thị Phương Thảo"  # the specialist: last_name "Hà Thị Phương", first_name "Thảo"
APPLICANT_ID = "008090001234"
A5 = (419.53, 595.28)  # 148 × 210 mm in points
A4_LANDSCAPE = (841.89, 595.28)
SECOND_AGENCY = "Phòng Tư pháp huyện Lâm Bình"


def page_size(pdf: bytes, tmp_path: Path) -> tuple[float, float]:
    path = tmp_path / "size.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    match = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", out)
    assert match, out
    return float(match.group(1)), float(match.group(2))


def officer(username: str, first: str, last: str) -> object:
    return get_user_model().objects.create_user(username, password="x", first_name=first, last_name=last)


@pytest.fixture(params=["2018", "2025"])
def world(request: pytest.FixtureRequest) -> tuple[str, Place, str, str]:
    regime = request.param
    place = make_place(regime)
    if regime == "2018":
        return regime, place, "2024-03-05 08:30", NHUNG
    return regime, place, "2025-08-12 09:15", SINH


def receive(place: Place, when: str, name: str, counter: object) -> Dossier:
    from motcua.dossiers import services

    return services.receive(
        procedure=place.procedure, unit=place.unit, agency=place.agency, at=at(when), documents=DOCUMENTS,
        applicant=services.Applicant(name=name, id_number=APPLICANT_ID, phone="0912345678",
                                     email="nhung.nguyen@example.vn",
                                     address="Thôn Nà Khá, xã Thượng Lâm, tỉnh Tuyên Quang"),
        matter="Đăng ký khai sinh cho con: Hoàng Gia Bảo", actor=counter, role="counter",
    )


def history(place: Place, when: str, name: str) -> Dossier:
    """Received and handed over by Giang; step 2 (at a second agency) asked a supplement of Thảo, who
    handed it on; resolved."""
    giang, thao = officer("giang", "Giang", "Đinh Quang"), officer("thao", "Thảo", "Hà Thị Phương")
    d = receive(place, when, name, giang)
    second = Agency.objects.create(code=f"{place.agency.code}.TP", name=SECOND_AGENCY, kind="office",
                                   unit=place.unit, level=place.agency.level)
    d.steps.filter(order=2).update(agency=second)
    t0 = d.received_at
    act(d, "hand_over", t0 + dt.timedelta(hours=1), role="counter", actor=giang)
    act(d, "request_supplement", t0 + dt.timedelta(days=1), role="specialist", actor=giang,
        note="Bản sao Giấy chứng nhận kết hôn", reason="Thiếu giấy tờ chứng minh quan hệ cha, mẹ, con")
    act(d, "supply", t0 + dt.timedelta(days=2), role="counter", actor=giang)
    act(d, "hand_over", t0 + dt.timedelta(days=3), role="specialist", actor=thao)
    d.refresh_from_db()
    return d


def test_person_name_is_family_name_first() -> None:
    giang = get_user_model()(username="giang", first_name="Giang", last_name="Đinh Quang")
    assert giang.get_full_name() == "Giang Đinh Quang"  # Django's order, which no screen or form prints
    assert person_name(giang) == GIANG
    assert person_name(get_user_model()(username="lan", first_name="Nguyễn Thị Lan")) == "Nguyễn Thị Lan"
    assert person_name(get_user_model()(username="x9")) == "x9"
    assert person_name(None) == "" and vietnamese_name(" Giang ", "Đinh Quang") == GIANG


def test_forms_01_to_05_are_a5_and_the_logbook_a4(world, tmp_path) -> None:
    regime, place, when, name = world
    d = history(place, when, name)
    refused = receive(place, when, "Ma Thị Lượng", None)
    act(refused, "hand_over", refused.received_at + dt.timedelta(hours=2), role="counter")
    act(refused, "refuse", refused.received_at + dt.timedelta(days=1), reason="Không thuộc thẩm quyền")
    dossiers = {"receipt": d, "completion_request": d, "refusal": refused, "control_slip": d}
    if regime_by_code(regime).form("stop") is not None:
        stopped = receive(place, when, "Lò Văn Páo", None)
        act(stopped, "hand_over", stopped.received_at + dt.timedelta(hours=2), role="counter")
        act(stopped, "stop", stopped.received_at + dt.timedelta(days=1), role="counter",
            reason="Người nộp đề nghị dừng")
        dossiers["stop"] = stopped
    for key, dossier in dossiers.items():
        spec = regime_by_code(regime).form(key)
        size = page_size(render_form(dossier, key), tmp_path)
        if spec.number <= "05":  # 2018: the control slip is form 05, so A5; 2025: it is form 06
            assert size == pytest.approx(A5, abs=0.5), (regime, key)
        else:
            assert size[0] > A5[0] + 100, (regime, key)  # A4
    logbook = render_logbook_pdf(place.agency, to_day(when), to_day(when))
    assert page_size(logbook, tmp_path) == pytest.approx(A4_LANDSCAPE, abs=0.5)


def to_day(when: str) -> dt.date:
    return dt.date.fromisoformat(when[:10])


def test_form_01_names_the_receiving_officer_and_in_2025_the_id_and_the_representative(world, tmp_path) -> None:
    regime, place, when, name = world
    d = history(place, when, name)
    text = pdf_text(render_form(d, "receipt"), tmp_path, f"law-{regime}-01")
    assert "NGƯỜI NỘP HỒ SƠ" in text and "NGƯỜI TIẾP NHẬN HỒ SƠ" in text
    assert GIANG in text and "Giang Đinh Quang" not in text.replace(GIANG, "|")
    if regime == "2025":
        assert f"Số định danh cá nhân/Mã số doanh nghiệp: {APPLICANT_ID}" in text
        assert "Người được ủy quyền (nếu có): ....." in text  # no such field yet: a line to fill


def test_form_02_is_signed_by_the_guiding_officer_with_a_contact(world, tmp_path) -> None:
    regime, place, when, name = world
    d = history(place, when, name)
    text = pdf_text(render_form(d, "completion_request"), tmp_path, f"law-{regime}-02")
    assert "NGƯỜI HƯỚNG DẪN" in text and "(Ký và ghi rõ họ tên)" in text
    assert f"Người liên hệ: {GIANG}" in text and "Số điện thoại:" in text
    assert text.count(GIANG) == 2  # the contact and the signature
    assert "Giang Đinh Quang" not in text.replace(GIANG, "|")


def test_form_03_has_the_applicant_details_and_two_signatures(world, tmp_path) -> None:
    regime, place, when, name = world
    giang = officer("giang", "Giang", "Đinh Quang")
    d = receive(place, when, name, giang)
    act(d, "hand_over", d.received_at + dt.timedelta(hours=2), role="counter", actor=giang)
    act(d, "refuse", d.received_at + dt.timedelta(days=1), actor=giang, reason="Không thuộc thẩm quyền giải quyết")
    text = pdf_text(render_form(d, "refusal"), tmp_path, f"law-{regime}-03")
    assert f"Số định danh cá nhân/Mã số doanh nghiệp: {APPLICANT_ID}" in text
    assert "Thôn Nà Khá, xã Thượng Lâm, tỉnh Tuyên Quang" in text
    assert "0912345678" in text and "nhung.nguyen@example.vn" in text
    applicant, officer_ = text.index("NGƯỜI NỘP HỒ SƠ"), text.index("NGƯỜI TIẾP NHẬN HỒ SƠ")
    assert applicant < officer_ and GIANG in text[officer_:] and name in text[applicant:]


def test_control_slip_has_the_co_handling_agency_and_hand_over_signatures(world, tmp_path) -> None:
    regime, place, when, name = world
    d = history(place, when, name)
    text = pdf_text(render_form(d, "control_slip"), tmp_path, f"law-{regime}-control")
    assert f"Cơ quan phối hợp giải quyết: {SECOND_AGENCY}" in text
    assert "Người giao" in text and "Người nhận" in text and "(ký, ghi rõ họ tên)" in text
    # step 1: given by Giang (receipt), taken on by Giang (hand-over); step 2: handed on by Thảo
    assert text.count(GIANG) >= 2 and THAO in text
    rest = text.replace(GIANG, "|").replace(THAO, "|")
    assert "Giang Đinh Quang" not in rest and "Thảo Hà Thị Phương" not in rest


def test_logbook_has_the_lead_agency_the_collection_and_the_receipt_signature(world, tmp_path) -> None:
    regime, place, when, name = world
    history(place, when, name)
    text = pdf_text(render_logbook_pdf(place.agency, to_day(when), to_day(when)), tmp_path, f"law-{regime}-log")
    for heading in ("Cơ quan chủ", "Cách thức", "Ký nhận"):  # cells wrap
        assert heading in text
    assert "Trực tiếp" in text and text.count(place.agency.name) >= 1
    xlsx_cells = logbook_cells(place)
    assert {"Cơ quan chủ trì giải quyết", "Cách thức nhận kết quả", "Ký nhận kết quả", "Trực tiếp",
            place.agency.name} <= xlsx_cells


def logbook_cells(place: Place) -> set[str]:
    import io

    import openpyxl

    from motcua.documents.logbook import logbook_xlsx

    xlsx = logbook_xlsx(place.agency, dt.date(2024, 1, 1), dt.date(2025, 12, 31))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    return {str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None}


def test_stored_actor_labels_are_rewritten_family_name_first(world) -> None:
    regime, place, when, name = world
    d = history(place, when, name)
    giang = get_user_model().objects.get(username="giang")
    old = "Giang Đinh Quang (Bộ phận một cửa)"
    DossierEvent.objects.filter(actor=giang).update(actor_label=old)
    DossierEvent.objects.filter(actor=None).update(actor_label="Giang Đinh Quang (hệ thống)")  # not an actor's
    migration = importlib.import_module("motcua.dossiers.migrations.0007_actor_labels_vietnamese_order")
    migration.forwards(apps, None)
    labels = set(DossierEvent.objects.filter(actor=giang).values_list("actor_label", flat=True))
    assert labels == {f"{GIANG} (Bộ phận một cửa)"}
    assert set(DossierEvent.objects.filter(actor=None).values_list("actor_label", flat=True)) <= {
        "Giang Đinh Quang (hệ thống)"}
    assert d.events.filter(actor__username="thao").exclude(actor_label__startswith=THAO).count() == 0
    migration.backwards(apps, None)
    assert set(DossierEvent.objects.filter(actor=giang).values_list("actor_label", flat=True)) == {old}
