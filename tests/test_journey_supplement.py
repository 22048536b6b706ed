"""Journey (b), in Debian's Chromium: a specialist asks for a supplement and prints the notice; the
citizen, on a phone (390×844), finds the dossier by its code and the last 4 digits of the phone and
uploads the documents asked — one of them a program renamed .pdf, refused by name while the others are
kept; the specialist sees them as new, confirms, and the dossier is in processing again.

Screenshots: test-artifacts/screenshots/<test>/; with MOTCUA_README_SHOTS=1, docs/screenshots/supplement-phone.png.
"""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from motcua.dossiers import services
from motcua.dossiers.models import DocumentKind, Dossier
from tests.browser_support import PASSWORD as PW
from tests.browser_support import Office, Shots, Site, act, make_office, needs_chromium, status_text, tiny_pdf
from tests.files_support import scroll_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), needs_chromium]
ASKED = "Bản sao trích lục ghi chú ly hôn\nGiấy xác nhận nơi cư trú"


@pytest.fixture
def office() -> Office:
    return make_office()


def in_processing(office: Office) -> Dossier:
    """A dossier received at the counter and handed to the specialist's step."""
    d = services.receive(
        procedure=office.procedure, unit=office.world.commune, agency=office.world.agency, actor=office.counter,
        applicant=services.Applicant(name="Nguyễn Thị Hoa", phone="0912345678", id_number="001195012345"),
        documents=("Tờ khai đăng ký kết hôn", "Giấy xác nhận tình trạng hôn nhân"),
    )
    return services.perform(d, "hand_over", actor=office.counter)


def test_supplement_requested_sent_from_a_phone_and_confirmed(site: Site, office: Office, shots: Shots,
                                                              media_root) -> None:
    dossier = in_processing(office)
    code = dossier.code

    # --- the specialist asks for two documents and prints the notice ------------------------------
    specialist = site.login("tuphap", PW)
    specialist.goto(f"/office/dossiers/{code}/")
    act(specialist, "request_supplement", note=ASKED)
    assert status_text(specialist) == "Chờ bổ sung hồ sơ"
    notice = specialist.locator("[data-testid=supplement-notice]")
    assert notice.inner_text() == "In thông báo yêu cầu bổ sung hồ sơ"
    pdf = specialist.context.request.get(notice.get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF-")
    shots(specialist, "specialist-requested")

    # --- the citizen, on a phone: the lookup, then the documents from the status page ---------------
    phone = site.open(phone=True)
    phone.goto("/tra-cuu/")
    phone.fill("#id_code", code.lower())
    phone.fill("#id_verification", "5678")
    with phone.expect_navigation():
        phone.click("main form button")
    assert urlsplit(phone.url).path == f"/tra-cuu/{code}/"
    assert phone.locator("#dossier-status").inner_text() == "Chờ bổ sung hồ sơ"
    form = phone.locator("#supplement-form")
    assert form.is_visible()
    labels = form.locator("label").all_inner_texts()
    assert labels[:2] == ["Bản sao trích lục ghi chú ly hôn", "Giấy xác nhận nơi cư trú"]
    shots(phone, "citizen-asked")
    form.locator("#item-0").set_input_files(
        {"name": "trich-luc.pdf", "mimeType": "application/pdf", "buffer": tiny_pdf("trich luc")})
    form.locator("#item-1").set_input_files([
        {"name": "xac-nhan-cu-tru.pdf", "mimeType": "application/pdf", "buffer": tiny_pdf("cu tru")},
        {"name": "cu-tru-trang-2.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00 this program"},
    ])
    scroll_to(phone, "#supplement", above=16)
    shot = shots(phone, "citizen-supplement-form-screen", full_page=False)
    shots.for_readme(shot, "supplement-phone.png", width=390)
    # The page fits the phone: nothing wider than the screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    with phone.expect_navigation():
        form.locator("button").click()
    main = phone.locator("main").inner_text()
    assert "Đã gửi 2 tệp" in main
    assert "cu-tru-trang-2.pdf không phải PDF, JPEG hay PNG" in main
    assert phone.locator("#supplements-sent li").count() == 2
    assert "chờ cán bộ kiểm tra" in phone.locator("#supplements-sent").inner_text()
    shots(phone, "citizen-sent")
    sent = Dossier.objects.get(code=code).documents.filter(kind=DocumentKind.SUPPLEMENT)
    assert sorted(sent.values_list("original_name", flat=True)) == ["trich-luc.pdf", "xac-nhan-cu-tru.pdf"]

    # --- the specialist sees them as new, opens one, confirms: the dossier is supplied ------------
    specialist.reload()
    box = specialist.locator("[data-testid=supplements]")
    assert box.locator("[data-confirmed='0']").count() == 2
    assert "Công dân gửi trực tuyến" in box.inner_text()
    link = box.locator("a", has_text="trich-luc.pdf")
    opened = specialist.context.request.get(link.get_attribute("href"))
    assert opened.status == 200 and opened.headers["x-content-type-options"] == "nosniff"
    assert opened.body() == tiny_pdf("trich luc")
    shots(specialist, "specialist-new-supplements")
    with specialist.expect_navigation():
        box.locator("[data-testid=confirm-submit]").click()
    assert specialist.locator("[data-testid=error]").count() == 0
    assert status_text(specialist) == "Đang giải quyết"
    assert specialist.locator("[data-testid=supplements] [data-confirmed='1']").count() == 2
    timeline = specialist.locator("[data-testid=timeline]").inner_text()
    assert "Đã nhận hồ sơ bổ sung" in timeline and "trich-luc.pdf" in timeline
    shots(specialist, "specialist-confirmed")
    dossier.refresh_from_db()
    assert dossier.status == "in_processing" and dossier.paused_at is None
    assert list(dossier.events.order_by("seq").values_list("action", flat=True)) == [
        "receive", "hand_over", "request_supplement", "supply"]

    # --- the citizen sees it received -------------------------------------------------------------
    phone.reload()
    assert phone.locator("#dossier-status").inner_text() == "Đang giải quyết"
    assert phone.locator("#supplement-form").count() == 0
    assert phone.locator("#supplements-sent [data-confirmed='1']").count() == 2
    shots(phone, "citizen-confirmed")
