"""Journey (c), in Debian's Chromium: the head attaches the result file on the dossier page and resolves
the dossier; the citizen, after the lookup's verification (code + the last 4 digits of the ID number),
downloads the electronic result from the status page — and the same link without the key is refused.

Screenshots: test-artifacts/screenshots/<test>/; with MOTCUA_README_SHOTS=1, docs/screenshots/result-file.png.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from motcua.dossiers import services
from motcua.dossiers.models import DocumentKind, Dossier
from tests.browser_support import PASSWORD as PW
from tests.browser_support import Office, Shots, Site, act, make_office, needs_chromium, status_text, tiny_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), needs_chromium]


@pytest.fixture
def office() -> Office:
    return make_office()


def at_the_heads_step(office: Office) -> Dossier:
    d = services.receive(
        procedure=office.procedure, unit=office.world.commune, agency=office.world.agency, actor=office.counter,
        applicant=services.Applicant(name="Đỗ Văn Bình", phone="0987654321", id_number="036090001234"),
        documents=("Tờ khai đăng ký kết hôn", "Giấy xác nhận tình trạng hôn nhân"),
    )
    d = services.perform(d, "hand_over", actor=office.counter)
    return services.perform(d, "hand_over", actor=office.specialist, note="Đủ điều kiện đăng ký kết hôn.")


def test_the_head_attaches_the_result_file_and_the_citizen_downloads_it(site: Site, office: Office, shots: Shots,
                                                                       media_root, tmp_path: Path) -> None:
    code = at_the_heads_step(office).code
    result = tiny_pdf("Giay chung nhan ket hon")

    # --- the head attaches the signed result and resolves -----------------------------------------
    head = site.login("lanhdao", PW)
    head.goto(f"/office/dossiers/{code}/")
    box = head.locator("[data-testid=result-files]")
    assert "Chưa có tệp kết quả." in box.inner_text()
    assert box.locator("#result-name").input_value() == "Giấy chứng nhận kết hôn"  # the procedure's result
    box.locator("#result-file").set_input_files(
        {"name": "gcn-ket-hon-da-ky.pdf", "mimeType": "application/pdf", "buffer": result})
    shots(head, "head-attaching")
    with head.expect_navigation():
        box.locator("[data-testid=result-submit]").click()
    assert "Đã lưu 1 tệp: gcn-ket-hon-da-ky.pdf" in head.locator("main").inner_text()
    assert head.locator("[data-testid=result-files] [data-result]").count() == 1
    act(head, "resolve", note="Cấp Giấy chứng nhận kết hôn.")
    assert status_text(head) == "Đã có kết quả"
    shots(head, "head-resolved-with-file")
    stored = Dossier.objects.get(code=code).documents.get(kind=DocumentKind.RESULT)
    assert (stored.uploaded_by, stored.name) == (office.head, "Giấy chứng nhận kết hôn")

    # --- the citizen verifies and downloads -----------------------------------------------------
    phone = site.open(phone=True)
    phone.goto("/tra-cuu/")
    phone.fill("#id_code", code)
    phone.fill("#id_verification", "1234")  # the last 4 digits of the ID number
    with phone.expect_navigation():
        phone.click("main form button")
    assert urlsplit(phone.url).path == f"/tra-cuu/{code}/"
    assert phone.locator("#dossier-status").inner_text() == "Đã có kết quả"
    download_link = phone.locator("#result-files a", has_text="Giấy chứng nhận kết hôn")
    assert download_link.count() == 1
    shot = shots(phone, "citizen-result-file-screen", full_page=False)
    shots.for_readme(shot, "result-file.png", width=390)
    with phone.expect_download() as info:
        download_link.click()
    download = info.value
    assert download.suggested_filename == f"{code}-ket-qua-{stored.pk}.pdf"
    target = tmp_path / download.suggested_filename
    download.save_as(str(target))
    assert target.read_bytes() == result
    shots(phone, "citizen-downloaded")

    # --- the same link without the key, or with another, is no file --------------------------------
    href = download_link.get_attribute("href")
    anonymous = site.open()
    assert anonymous.request.get(urlsplit(href).path).status == 404
    assert anonymous.request.get(f"{urlsplit(href).path}?k={'0' * 20}").status == 404
