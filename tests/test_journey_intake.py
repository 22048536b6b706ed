"""Journey (a), in Debian's Chromium: a busy counter. Thirty dossiers received at the counter wait at its
step (more than a page of the inbox) when a citizen submits online. The counter officer logs in and the
online dossier is on the first tab, "awaiting online intake", with its intake deadline; the officer opens
it, accepts it (the clock starts) and scans the two documents the citizen brought on paper: the dossier
is digitised, as the 766 index counts it.

Screenshots: test-artifacts/screenshots/<test>/; with MOTCUA_README_SHOTS=1, docs/screenshots/intake-queue.png.
"""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from motcua.catalog.models import RequiredDocument
from motcua.dossiers import services
from motcua.dossiers.models import DocumentKind, Dossier
from motcua.office.views_inbox import PER_PAGE
from motcua.quality.indicators import FACTS, Period
from tests.browser_support import PASSWORD as PW
from tests.browser_support import Office, Shots, Site, act, make_office, needs_chromium, status_text, tiny_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), needs_chromium]
WAITING_AT_THE_COUNTER = 30


@pytest.fixture
def office() -> Office:
    return make_office()


def applicant(n: int) -> services.Applicant:
    return services.Applicant(name=f"Người dân số {n}", phone=f"09123{n:05d}", id_number=f"0011950{n:05d}")


def a_busy_counter(office: Office, now: dt.datetime) -> Dossier:
    """Dossiers received at the counter over the last days, still at its step; then one submitted online."""
    for n in range(WAITING_AT_THE_COUNTER):
        services.receive(procedure=office.procedure, unit=office.world.commune, agency=office.world.agency,
                         actor=office.counter, applicant=applicant(n), at=now - dt.timedelta(days=3, minutes=n),
                         documents=("Tờ khai đăng ký kết hôn",))
    documents = ("Tờ khai đăng ký kết hôn", "Giấy xác nhận tình trạng hôn nhân")
    return services.receive(
        procedure=office.procedure, unit=office.world.commune, agency=office.world.agency, online=True,
        role="applicant", at=now - dt.timedelta(minutes=30), documents=documents,
        applicant=services.Applicant(name="Vũ Thị Thu Hà", phone="0934567890", id_number="001196004321"))


def test_the_counter_finds_the_online_dossier_first_accepts_it_and_scans_two_documents(
        site: Site, office: Office, shots: Shots, media_root) -> None:
    now = timezone.now()
    online = a_busy_counter(office, now)
    assert WAITING_AT_THE_COUNTER > PER_PAGE  # by due date alone, the online dossier would be past page 1

    # --- the inbox opens on the online intake tab, the dossier on it with its intake deadline -------
    counter = site.login("motcua", PW, shots)
    tabs = counter.locator("[data-testid=queue-tabs] a")
    assert tabs.evaluate_all("els => els.map(e => e.dataset.tab)")[0] == "intake"
    assert counter.locator("[data-testid=queue-tabs] a.active").get_attribute("data-tab") == "intake"
    counts = dict(tabs.evaluate_all("els => els.map(e => [e.dataset.tab, e.querySelector('[data-count]')"
                                    ".dataset.count])"))
    assert (counts["intake"], counts["step"]) == ("1", str(WAITING_AT_THE_COUNTER))
    rows = counter.locator("tbody tr[data-code]")
    assert rows.evaluate_all("els => els.map(e => e.dataset.code)") == [online.code]
    row = rows.first
    assert "Vũ Thị Thu Hà" in row.inner_text()
    due = row.locator("[data-testid=intake-due]").inner_text()
    assert "ngày" in due and "T" not in due.split("\n")[0]  # a readable date, never an ISO timestamp
    shot = shots(counter, "inbox-intake-first", full_page=False)
    shots.for_readme(shot, "intake-queue.png", width=1000)

    # --- it opens, is accepted: the clock starts ------------------------------------------------------
    with counter.expect_navigation():
        row.locator("a").click()
    assert counter.locator("[data-testid=dossier-code]").inner_text() == online.code
    assert status_text(counter) == "Đã nộp trực tuyến, chờ tiếp nhận"
    act(counter, "accept", note="Hồ sơ hợp lệ; công dân mang bản giấy đến đối chiếu.")
    assert status_text(counter) == "Đã tiếp nhận"
    online.refresh_from_db()
    assert online.received_at is not None and online.due_at is not None

    # --- the two paper documents are scanned, one file each ---------------------------------------------
    required = {r.name: r.pk for r in RequiredDocument.objects.filter(procedure=office.procedure)}
    form = counter.locator("[data-testid=scan-form]")
    scans = {"Tờ khai đăng ký kết hôn": ("to-khai-scan.pdf", tiny_pdf("to khai")),
             "Giấy xác nhận tình trạng hôn nhân": ("xac-nhan-scan.pdf", tiny_pdf("xac nhan"))}
    for name, (filename, body) in scans.items():
        form.locator(f"input[name=doc_{required[name]}]").set_input_files(
            {"name": filename, "mimeType": "application/pdf", "buffer": body})
    shots(counter, "scans-chosen")
    with counter.expect_navigation():
        form.locator("[data-testid=scan-submit]").click()
    assert counter.locator("[data-testid=error]").count() == 0
    assert "Đã lưu 2 tệp: to-khai-scan.pdf, xac-nhan-scan.pdf" in counter.locator("main").inner_text()
    files = counter.locator("[data-testid=intake-files]")
    for name, (filename, _body) in scans.items():
        line = files.locator(f"li[data-required='{required[name]}']")
        assert line.locator("[data-testid=digitised]").count() == 1, name
        assert filename in line.inner_text()
    shots(counter, "scanned")

    # --- stored as the dossier's own documents, each by the counter officer, the bytes as scanned -------
    stored = {d.name: d for d in online.documents.filter(kind=DocumentKind.INTAKE)}
    assert set(stored) == set(scans)  # the rows the citizen declared were completed, none added
    for name, (filename, body) in scans.items():
        assert (stored[name].original_name, stored[name].uploaded_by) == (filename, office.counter)
        with stored[name].file.open("rb") as f:
            assert f.read() == body
    # ... and the 766 index counts the dossier as digitised, the 30 paper-only ones not.
    today = timezone.localdate()
    period = Period(today - dt.timedelta(days=7), today)
    assert Dossier.objects.filter(FACTS["received"].members(period)).count() == WAITING_AT_THE_COUNTER + 1
    digitised = Dossier.objects.filter(FACTS["digitised"].members(period))
    assert list(digitised.values_list("code", flat=True)) == [online.code]
