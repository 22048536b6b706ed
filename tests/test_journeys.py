"""The user journeys of the one-stop office and the citizens' portal, walked in Debian's Chromium.

1. At the counter: intake → receipt PDF (its QR code) → hand-over → the specialist asks for more
   documents → they are supplied → hand-over → the head resolves → the counter returns the result →
   the citizen finds the dossier by code + last 4 digits and by the receipt's QR URL, and rates it.
2. Online: a citizen submits with an uploaded PDF → the counter accepts → hand-over → resolve →
   return → the citizen sees the result on the status page.

Screenshots of every screen: test-artifacts/screenshots/<test>/ (git-ignored).
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from motcua.dossiers.models import Document, Dossier, DossierEvent
from motcua.portal.models import Rating
from tests.browser_support import PASSWORD as PW

# The fixtures (named chromium, media_root, shots, site) are registered once, in tests/conftest.py.
from tests.browser_support import (
    Office,
    Shots,
    Site,
    act,
    make_office,
    needs_chromium,
    needs_poppler,
    offered,
    pdf_qr_codes,
    pdf_text,
    status_text,
    timeline_text,
    tiny_pdf,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), needs_chromium]

APPLICANT = {
    "applicant_name": "Nguyễn Thị Hoa", "applicant_id": "001195012345", "applicant_phone": "0912345678",
    "applicant_email": "hoa@example.vn", "applicant_address": "Thôn Đông, xã Một",
}


@pytest.fixture
def office() -> Office:
    return make_office()


def open_dossier(page: object, code: str, shots: Shots, name: str) -> None:
    """From the officer's inbox, open the dossier by its row (it must be waiting for this officer)."""
    page.goto("/office/")
    row = page.locator(f"tr[data-code='{code}']")
    assert row.count() == 1, f"{code} not in the inbox of {page.url}"
    shots(page, f"inbox-{name}")
    with page.expect_navigation():
        row.locator("a").click()
    assert page.locator("[data-testid=dossier-code]").inner_text() == code


@needs_poppler
def test_counter_journey_to_the_citizens_rating(site: Site, office: Office, shots: Shots, tmp_path) -> None:
    # --- the counter officer receives the dossier -------------------------------------------------
    counter = site.login("motcua", PW, shots)
    shots(counter, "inbox-empty")
    counter.click("nav >> text=Tiếp nhận hồ sơ")
    counter.fill("#q", "ket hon")  # htmx live search, without diacritics
    result = counter.locator("#procedure-results a", has_text="Đăng ký kết hôn")
    result.wait_for()
    shots(counter, "intake-search")
    with counter.expect_navigation():
        result.click()
    for name, value in APPLICANT.items():
        counter.fill(f"#id_{name}", value)
    counter.get_by_label("Tờ khai đăng ký kết hôn").check()
    counter.get_by_label("Giấy xác nhận tình trạng hôn nhân").check()
    shots.for_readme(shots(counter, "intake-form"), "counter-intake.png", width=1000)
    with counter.expect_navigation():
        counter.click("button[name=decision][value=receive]")
    assert "received=1" in counter.url
    code = counter.locator("[data-testid=dossier-code]").inner_text()
    dossier = Dossier.objects.get(code=code)
    assert (dossier.status, dossier.applicant_name, dossier.channel) == ("received", "Nguyễn Thị Hoa", "counter")
    assert status_text(counter) == "Đã tiếp nhận"
    shots(counter, "dossier-received")

    # --- the receipt (form 01): a PDF naming the dossier, whose QR code is the status page --------
    receipt_link = counter.locator(".alert-success a", has_text="In giấy tiếp nhận")
    response = counter.context.request.get(receipt_link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    pdf = response.body()
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf, tmp_path)
    assert code in text and "Nguyễn Thị Hoa" in text
    due = timezone.localtime(dossier.due_at)  # the due instant the dossier page shows is the one printed
    flat = " ".join(text.split())  # an A5 line may wrap
    assert f"{due:%H} giờ {due:%M} phút, ngày {due:%d} tháng {due:%m} năm {due:%Y}" in flat
    assert due.strftime("%H giờ %M, ngày %d/%m/%Y") in counter.locator("main").inner_text()
    (qr_url,) = pdf_qr_codes(pdf, tmp_path)
    assert qr_url.startswith(f"{site.base}/tra-cuu/{code}/?k=")

    # --- hand-over to the specialist; the counter has nothing more to do now -----------------------
    act(counter, "hand_over", note="Hồ sơ đủ thành phần.")
    assert status_text(counter) == "Đang giải quyết"
    assert "return" not in offered(counter)

    # --- the specialist asks for a document; the citizen sees the request; it arrives -------------
    specialist = site.login("tuphap", PW)
    open_dossier(specialist, code, shots, "specialist")
    act(specialist, "request_supplement", note="Bản sao trích lục ghi chú ly hôn")
    assert status_text(specialist) == "Chờ bổ sung hồ sơ"
    shots(specialist, "dossier-awaiting-supplement")
    citizen = site.open(phone=True)
    citizen.goto(qr_url)
    assert citizen.locator("#dossier-status").inner_text() == "Chờ bổ sung hồ sơ"
    assert "Bản sao trích lục ghi chú ly hôn" in citizen.locator("#timeline").inner_text()
    assert citizen.locator("#rating-form").count() == 0  # no rating before a result
    shots(citizen, "citizen-awaiting-supplement")
    act(specialist, "supply", note="Công dân đã nộp bản sao trích lục.")
    assert status_text(specialist) == "Đang giải quyết"
    act(specialist, "hand_over")

    # --- the head signs: result ready ------------------------------------------------------------
    head = site.login("lanhdao", PW)
    open_dossier(head, code, shots, "head")
    act(head, "resolve", note="Cấp Giấy chứng nhận kết hôn.")
    assert status_text(head) == "Đã có kết quả"

    # --- the counter returns the result ------------------------------------------------------------
    open_dossier(counter, code, shots, "counter-result")
    act(counter, "return", note="Công dân đã nhận kết quả.")
    assert status_text(counter) == "Đã trả kết quả"
    assert offered(counter) == []
    timeline = timeline_text(counter)
    for label in ("Tiếp nhận", "Chuyển bước tiếp theo", "Yêu cầu bổ sung hồ sơ", "Đã nhận hồ sơ bổ sung",
                  "Có kết quả giải quyết", "Trả kết quả"):
        assert label in timeline, label
    shots.for_readme(shots(counter, "dossier-returned-timeline"), "dossier-timeline.png", width=1000)
    actions = list(DossierEvent.objects.filter(dossier__code=code).order_by("seq").values_list("action", flat=True))
    assert actions == ["receive", "hand_over", "request_supplement", "supply", "hand_over", "resolve", "return"]

    # --- the citizen looks the dossier up by code and the last 4 digits of the phone -------------
    lookup = site.open(phone=True)
    lookup.goto("/tra-cuu/")
    lookup.fill("#id_code", code)
    lookup.fill("#id_verification", "0000")  # wrong digits: same answer as an unknown code
    with lookup.expect_navigation():
        lookup.click("main form button")
    assert "Không tìm thấy hồ sơ" in lookup.locator("main").inner_text()
    lookup.fill("#id_code", code)
    lookup.fill("#id_verification", "5678")
    shots(lookup, "citizen-lookup-form")
    with lookup.expect_navigation():
        lookup.click("main form button")
    assert urlsplit(lookup.url).path == f"/tra-cuu/{code}/"
    assert lookup.locator("#dossier-status").inner_text() == "Đã trả kết quả"
    assert "Nguyễn Thị Hoa" not in lookup.content()  # the name is masked on the public page
    shots(lookup, "citizen-lookup-result")

    # --- ... and by the receipt's QR URL, on a phone, and rates the handling -----------------------
    phone = site.open(phone=True)
    phone.goto(qr_url)
    assert phone.locator("#dossier-code").inner_text() == code
    assert phone.locator("#dossier-status").inner_text() == "Đã trả kết quả"
    citizen_timeline = phone.locator("#timeline").inner_text()
    assert "Đã có kết quả giải quyết" in citizen_timeline and "Đã trả kết quả cho ông/bà" in citizen_timeline
    assert "Trần Thị Lan" not in phone.content()  # no officials' names for the public
    shots(phone, "citizen-status-phone")
    shots.for_readme(shots(phone, "citizen-status-phone-screen", full_page=False), "citizen-status-phone.png",
                     width=390)
    scores = {"access": 5, "procedure": 4, "officials": 5, "result": 5, "feedback": 3}
    form = phone.locator("#rating-form")
    for name, score in scores.items():
        form.locator(f"input[name={name}][value='{score}']").check()
    form.locator("textarea[name=comment]").fill("Cán bộ hướng dẫn tận tình.")
    shots(phone, "citizen-rating-form")
    with phone.expect_navigation():
        form.locator("button").click()
    assert "Cảm ơn ông/bà đã đánh giá" in phone.locator("main").inner_text()
    assert phone.locator("#rating-form").count() == 0
    shots(phone, "citizen-rated")
    rating = Rating.objects.get(dossier__code=code)
    assert {name: getattr(rating, name) for name in scores} == scores
    assert rating.comment == "Cán bộ hướng dẫn tận tình."


def test_online_submission_to_the_result(site: Site, office: Office, shots: Shots, media_root) -> None:
    # --- the citizen finds the procedure and submits online with the scanned documents ------------
    citizen = site.open(phone=True)
    citizen.goto("/")
    assert urlsplit(citizen.url).path == "/thu-tuc/"
    shots(citizen, "catalogue")
    with citizen.expect_navigation():
        citizen.locator("a.list-group-item", has_text="Đăng ký kết hôn").click()
    shots(citizen, "procedure")
    with citizen.expect_navigation():
        citizen.click("text=Nộp hồ sơ trực tuyến")
    assert urlsplit(citizen.url).path == f"/thu-tuc/{office.procedure.code}/nop/"
    citizen.select_option("#id_agency", label=office.world.agency.name)
    citizen.fill("#id_name", "Đỗ Văn Bình")
    citizen.fill("#id_id_number", "036090001234")
    citizen.fill("#id_phone", "0987654321")
    citizen.fill("#id_email", "binh@example.vn")
    citizen.fill("#id_address", "Xóm Bắc, xã Một")
    uploads = {"Tờ khai đăng ký kết hôn": "to-khai.pdf", "Giấy xác nhận tình trạng hôn nhân": "xac-nhan.pdf"}
    for document, filename in uploads.items():
        citizen.get_by_label(re.compile("^" + re.escape(document))).set_input_files(
            {"name": filename, "mimeType": "application/pdf", "buffer": tiny_pdf(filename)}
        )
    shots(citizen, "submit-form")
    with citizen.expect_navigation():
        citizen.click("main form button")
    code = citizen.locator("#dossier-code").inner_text()
    dossier = Dossier.objects.get(code=code)
    assert (dossier.status, dossier.channel, dossier.applicant_name) == ("submitted", "online", "Đỗ Văn Bình")
    stored = {d.name: d.original_name for d in Document.objects.filter(dossier=dossier)}
    assert stored == uploads
    shots(citizen, "submitted")
    with citizen.expect_navigation():
        citizen.click("text=Xem tình trạng hồ sơ")
    status_url = citizen.url
    assert citizen.locator("#dossier-status").inner_text() == "Đã nộp trực tuyến, chờ tiếp nhận"
    shots(citizen, "citizen-status-submitted")

    # --- the counter accepts it (the clock starts) and hands it over ------------------------------
    counter = site.login("motcua", PW)
    open_dossier(counter, code, shots, "counter")
    documents = counter.locator("section", has_text="Thành phần hồ sơ").inner_text()
    assert "to-khai.pdf" in documents and "xac-nhan.pdf" in documents
    assert set(offered(counter)) >= {"accept", "request_completion", "reject_intake"}
    act(counter, "accept", note="Hồ sơ trực tuyến hợp lệ.")
    assert status_text(counter) == "Đã tiếp nhận"
    dossier.refresh_from_db()
    assert dossier.received_at is not None and dossier.due_at is not None
    shots(counter, "dossier-accepted")
    act(counter, "hand_over")

    # --- specialist → head: resolved -------------------------------------------------------------
    specialist = site.login("tuphap", PW)
    open_dossier(specialist, code, shots, "specialist")
    act(specialist, "hand_over", note="Đủ điều kiện đăng ký kết hôn.")
    head = site.login("lanhdao", PW)
    open_dossier(head, code, shots, "head")
    act(head, "resolve")
    assert status_text(head) == "Đã có kết quả"

    # --- the citizen sees the result is ready; the counter returns it ------------------------------
    citizen.goto(status_url)
    assert citizen.locator("#dossier-status").inner_text() == "Đã có kết quả"
    shots(citizen, "citizen-status-result-ready")
    open_dossier(counter, code, shots, "counter-result")
    act(counter, "return")
    assert status_text(counter) == "Đã trả kết quả"
    shots(counter, "dossier-returned")
    citizen.goto(status_url)
    assert citizen.locator("#dossier-status").inner_text() == "Đã trả kết quả"
    timeline = citizen.locator("#timeline").inner_text()
    for line in ("Hồ sơ đã được nộp trực tuyến", "Hồ sơ nộp trực tuyến đã được tiếp nhận",
                 "Đã có kết quả giải quyết", "Đã trả kết quả cho ông/bà"):
        assert line in timeline, line
    assert citizen.locator("#rating-form").count() == 1
    shots(citizen, "citizen-status-returned")
    actions = list(DossierEvent.objects.filter(dossier=dossier).order_by("seq").values_list("action", flat=True))
    assert actions == ["submit", "accept", "hand_over", "hand_over", "resolve", "return"]
