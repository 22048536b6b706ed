"""Supplements online: an official asks, the citizen sends the documents from the status page (with the
verified key), the official confirms them — which supplies the dossier through the one writer, the
clock resuming (or restarting) as the lifecycle defines. The printable notice of the request."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client

from motcua.dossiers import services
from motcua.dossiers.models import DocumentKind, Dossier
from motcua.portal.links import lookup_key
from motcua.units.calendars import calendar_for_unit
from tests.factories import make_procedure, make_world
from tests.files_support import client_for, exe_as_pdf, pdf, received, required_documents, staff, to_processing

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]  # uploads in a temporary folder
ASKED = "Bản sao trích lục ghi chú ly hôn\nGiấy xác nhận nơi cư trú"


@pytest.fixture
def world():
    w = make_world()
    required_documents(w)
    return w


def awaiting(world, people) -> Dossier:
    """Received, handed to the specialist, who asks for two documents (through the screen's writer)."""
    d = to_processing(received(world))
    return services.perform(d, "request_supplement", actor=people.specialist, note=ASKED)


def status_page(d: Dossier, client: Client | None = None) -> str:
    return (client or Client()).get(f"/tra-cuu/{d.code}/?k={lookup_key(d.code)}").content.decode()


def send(d: Dossier, files: dict, key: str | None = None, client: Client | None = None):
    return (client or Client()).post(f"/tra-cuu/{d.code}/bo-sung/?k={key or lookup_key(d.code)}", files, follow=True)


def test_request_citizen_upload_officer_confirm_is_a_supply_and_the_clock_resumes(world):
    people = staff(world.agency)
    d = awaiting(world, people)
    remaining = d.remaining_minutes
    assert d.status == "awaiting_supplement" and d.paused_at is not None and remaining > 0
    page = status_page(d)
    assert 'id="supplement-form"' in page
    assert "Bản sao trích lục ghi chú ly hôn" in page and "Giấy xác nhận nơi cư trú" in page  # one field each
    # A wrong key is no page and stores nothing.
    assert Client().post(f"/tra-cuu/{d.code}/bo-sung/?k={'0' * 20}", {"item_0": pdf("a.pdf")}).status_code == 404
    assert Client().post(f"/tra-cuu/{d.code}/bo-sung/", {"item_0": pdf("a.pdf")}).status_code == 404
    assert not d.documents.filter(kind=DocumentKind.SUPPLEMENT).exists()
    # The citizen sends both, plus a program renamed .pdf: the two are kept, the bad one named.
    response = send(d, {"item_0": pdf("trich-luc.pdf"), "item_1": [pdf("cu-tru.pdf"), exe_as_pdf("cu-tru-2.pdf")]})
    text = response.content.decode()
    assert response.status_code == 200 and "Đã gửi 2 tệp" in text and "cu-tru-2.pdf không phải PDF" in text
    sent = list(d.documents.filter(kind=DocumentKind.SUPPLEMENT).order_by("pk"))
    assert [(s.name, s.original_name) for s in sent] == [
        ("Bản sao trích lục ghi chú ly hôn", "trich-luc.pdf"), ("Giấy xác nhận nơi cư trú", "cu-tru.pdf")]
    assert all(s.uploaded_by is None and s.confirmed_at is None for s in sent)
    d.refresh_from_db()
    assert d.status == "awaiting_supplement" and d.version == 3  # sending changes nothing of the dossier
    assert "chờ cán bộ kiểm tra" in status_page(d)
    # The specialist sees them as new and confirms.
    specialist = client_for(people.specialist)
    page = specialist.get(f"/office/dossiers/{d.code}/").content.decode()
    assert page.count("mới, chưa xác nhận") == 2 and 'data-testid="confirm-form"' in page
    response = specialist.post(f"/office/dossiers/{d.code}/tep/xac-nhan-bo-sung/",
                               {"document": [s.pk for s in sent], "version": d.version, "note": "Đủ."})
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.status == "in_processing" and d.paused_at is None
    for s in sent:
        s.refresh_from_db()
        assert s.confirmed_by == people.specialist and s.confirmed_at is not None
    event = d.events.order_by("-seq").first()
    assert event.action == "supply" and event.actor == people.specialist
    assert "trich-luc.pdf" in event.note and "cu-tru.pdf" in event.note and event.note.endswith("Đủ.")
    # The clock resumed with the working time left when it paused (procedure policy "pause").
    calendar = calendar_for_unit(d.unit)
    assert event.payload["policy"] == "pause"
    assert d.due_at == calendar.add_working_time(calendar.start_of_clock(event.at, None), remaining)
    assert "cán bộ đã nhận lúc" in status_page(d) and 'id="supplement-form"' not in status_page(d)
    # Once in processing again, the citizen cannot send more.
    assert "không ở trạng thái chờ bổ sung" in send(d, {"other": pdf("them.pdf")}).content.decode()
    assert d.documents.filter(kind=DocumentKind.SUPPLEMENT).count() == 2


def test_a_procedure_whose_clock_restarts_gets_its_whole_legal_time_again(world):
    world.procedure = make_procedure(code="T.000002", policy="restart")
    people = staff(world.agency)
    d = awaiting(world, people)
    send(d, {"item_0": pdf("a.pdf")})
    doc = d.documents.get(kind=DocumentKind.SUPPLEMENT)
    assert client_for(people.specialist).post(f"/office/dossiers/{d.code}/tep/xac-nhan-bo-sung/",
                                              {"document": doc.pk, "version": d.version}).status_code == 302
    d.refresh_from_db()
    event = d.events.order_by("-seq").first()
    assert event.action == "supply" and event.payload["policy"] == "restart"
    calendar = calendar_for_unit(d.unit)
    assert d.clock_start == calendar.start_of_clock(event.at, None)
    assert d.due_at == calendar.add_working_time(d.clock_start, d.procedure.legal_minutes)


def test_a_confirmation_the_lifecycle_refuses_confirms_nothing(world):
    people = staff(world.agency)
    d = awaiting(world, people)
    send(d, {"item_0": pdf("a.pdf")})
    doc = d.documents.get(kind=DocumentKind.SUPPLEMENT)
    url = f"/office/dossiers/{d.code}/tep/xac-nhan-bo-sung/"
    # The head does not take "supply" (lifecycle table): refused with the lifecycle's words, nothing written.
    refused = client_for(people.head).post(url, {"document": doc.pk, "version": d.version})
    assert refused.status_code == 403
    # A stale page: the writer refuses, the confirmation is rolled back with it.
    stale = client_for(people.specialist).post(url, {"document": doc.pk, "version": d.version - 1})
    assert stale.status_code == 409 and "vừa được người khác cập nhật" in stale.content.decode()
    doc.refresh_from_db()
    d.refresh_from_db()
    assert doc.confirmed_at is None and d.status == "awaiting_supplement"
    # Nothing chosen: said.
    assert client_for(people.specialist).post(url, {"version": d.version}).status_code == 400
    # Another unit's official is not told the dossier exists.
    other = staff(world.other_agency, prefix="hai.")
    assert client_for(other.counter).post(url, {"document": doc.pk}).status_code == 404


def test_an_online_dossier_asked_to_complete_gets_the_documents_online_and_the_counter_confirms(world):
    people = staff(world.agency)
    d = services.receive(procedure=world.procedure, unit=world.commune, agency=world.agency, online=True,
                         role="applicant", applicant=services.Applicant(name="Hà Thị Mai", phone="0988777666"))
    assert 'id="supplement-form"' not in status_page(d)  # nothing asked yet
    assert "không ở trạng thái chờ bổ sung" in send(d, {"other": pdf("x.pdf")}).content.decode()
    d = services.perform(d, "request_completion", actor=people.counter, note="Tờ khai có chữ ký")
    assert "Tờ khai có chữ ký" in status_page(d)
    send(d, {"item_0": pdf("to-khai-ky.pdf")})
    doc = d.documents.get(kind=DocumentKind.SUPPLEMENT)
    assert doc.name == "Tờ khai có chữ ký"
    response = client_for(people.counter).post(f"/office/dossiers/{d.code}/tep/xac-nhan-bo-sung/",
                                               {"document": doc.pk, "version": d.version})
    assert response.status_code == 302
    doc.refresh_from_db()
    d.refresh_from_db()
    assert doc.confirmed_by == people.counter and d.status == "submitted"  # the counter then accepts it
    assert list(d.events.values_list("action", flat=True).order_by("seq")) == ["submit", "request_completion"]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (Debian poppler-utils)")
def test_the_notice_of_the_supplement_request_prints_on_a5(world, tmp_path):
    people = staff(world.agency)
    d = to_processing(received(world))
    specialist = client_for(people.specialist)
    url = f"/office/dossiers/{d.code}/thong-bao-bo-sung.pdf"
    assert specialist.get(url).status_code == 404  # nothing asked yet
    assert url not in specialist.get(f"/office/dossiers/{d.code}/").content.decode()
    d = services.perform(d, "request_supplement", actor=people.specialist, note=ASKED, reason="Hồ sơ thiếu giấy tờ")
    assert url in specialist.get(f"/office/dossiers/{d.code}/").content.decode()
    response = specialist.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "notice.pdf"
    path.write_bytes(response.content)
    if os.environ.get("MOTCUA_PDF_DUMP"):  # to look at it, as tests/test_forms_pdf.py does
        shutil.copy(path, Path(os.environ["MOTCUA_PDF_DUMP"]) / "supplement_notice.pdf")
    text = " ".join(subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,
                                   text=True).stdout.split())
    for expected in ("THÔNG BÁO YÊU CẦU BỔ SUNG HỒ SƠ", d.code, "Bản sao trích lục ghi chú ly hôn",
                     "Giấy xác nhận nơi cư trú", "Lý do: Hồ sơ thiếu giấy tờ", "tạm dừng", "Specialist"):
        assert expected in text, expected
    assert re.search(r"thời gian giải quyết còn lại: \d+ ngày", text)
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)  # no ISO date on a form
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert (float(size[1]), float(size[2])) == pytest.approx((419.53, 595.28), abs=0.5)  # A5, like forms 01–05
    # Seen by another unit: no such dossier.
    assert client_for(staff(world.other_agency, prefix="hai.").counter).get(url).status_code == 404
