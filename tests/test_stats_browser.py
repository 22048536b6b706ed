"""In Debian's Chromium: a leader opens the statistics dashboard, filters a quarter, downloads the
form 06 xlsx (read back with openpyxl); the public dashboard shows no personal data.

Fixtures from tests/browser_support.py; screenshots under test-artifacts/screenshots/<test>/.
"""
from __future__ import annotations

import datetime as dt
import io

import pytest

from motcua.reports.form06 import compute_form06
from tests.browser_support import Shots, Site, needs_chromium  # fixtures chromium, shots, site: conftest
from tests.stats_support import build_quarter, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), needs_chromium]
PASSWORD = "mat-khau-thu-nghiem-1"  # tests.stats_support.make_staff


@pytest.fixture(autouse=True)
def calendar_months(settings) -> None:  # noqa: ANN001
    settings.MOTCUA_REPORT_CONVENTION = "calendar"
    from django.core.cache import cache

    cache.clear()


def test_leader_filters_a_quarter_and_downloads_the_xlsx(site: Site, shots: Shots, tmp_path) -> None:  # noqa: ANN001
    from openpyxl import load_workbook

    quarter = build_quarter()
    code = quarter.province_code
    make_staff("lanhdao_tinh", "leader", unit=quarter.world.province)
    page = site.login("lanhdao_tinh", PASSWORD)
    page.goto("/thong-ke/")
    shots(page, "dashboard-default")
    page.select_option("#f-unit", code)
    page.select_option("#f-period", "quarter")
    page.select_option("#f-year", "2026")
    page.fill("#f-n", "1")
    with page.expect_navigation():
        page.click("[data-testid=apply]")
    assert page.locator("[data-testid=dashboard-period]").inner_text().startswith("Quý I năm 2026")
    assert page.locator("[data-testid=dashboard-unit]").inner_text() == quarter.world.province.name
    page.wait_for_function("() => window.Chart && Chart.getChart('trend-chart') && Chart.getChart('mix-chart')")
    report = compute_form06(code, dt.date(2026, 1, 1), dt.date(2026, 3, 31), by="child")
    rate = f"{report['totals']['on_time_rate'] * 100:.1f}%".replace(".", ",")
    assert page.locator("[data-testid=kpi-rate]").inner_text() == rate
    assert "Xã Một" in page.locator("[data-testid=ranking-table]").inner_text()
    shots(page, "dashboard-q1-2026")

    with page.expect_download() as info:
        page.click("[data-testid=download-xlsx]")
    download = info.value
    assert download.suggested_filename == f"mau06_{code}_2026-01-01_2026-03-31.xlsx"
    target = tmp_path / download.suggested_filename
    download.save_as(str(target))
    book = load_workbook(io.BytesIO(target.read_bytes()))
    values = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    total = next(r for r in values if r[1] == "Tổng cộng")
    assert total[2] == report["totals"]["received_total"]
    assert total[12] == report["totals"]["in_progress_overdue"]  # the official sheet's 13th column
    extra_total = next(r for r in book.worksheets[1].iter_rows(values_only=True) if r[1] == "Tổng cộng")
    assert extra_total[-1] == pytest.approx(report["totals"]["on_time_rate"])
    labels = [r[1] for r in values if isinstance(r[0], int)]
    assert labels == [r["label"] for r in report["rows"]]

    # the same quarter on the form 06 screen; a cell opens the dossiers behind it
    page.goto(f"/thong-ke/mau-06/?unit={code}&period=quarter&year=2026&n=1&by=child")
    shots(page, "form06")
    cell = page.locator("tr[data-row=total] td[data-col=resolved_late] a")
    assert cell.inner_text() == str(report["totals"]["resolved_late"])
    with page.expect_navigation():
        cell.click()
    shots(page, "form06-drill")
    assert page.locator("[data-testid=dossier-list] tbody tr").count() == report["totals"]["resolved_late"]

    # where the time goes: the bar chart draws
    page.goto(f"/thong-ke/thoi-gian/?unit={code}&period=quarter&year=2026&n=1")
    page.wait_for_function("() => window.Chart && Chart.getChart('timing-chart')")
    assert page.evaluate("() => Chart.getChart('timing-chart').data.labels.length") == 3
    shots(page, "timing")


def test_public_dashboard_shows_no_personal_data(site: Site, shots: Shots) -> None:
    quarter = build_quarter()
    page = site.open()
    page.goto(f"/cong-khai/?unit={quarter.province_code}&period=quarter&year=2026&n=1")
    shots(page, "public-dashboard")
    text = page.locator("body").inner_text()
    html = page.content()
    assert "Xã Một" in text and "Cách tính" in text
    assert page.locator("[data-testid=public-units] tbody tr").count() == 2
    for person in quarter.applicants:
        for value in (person.name, person.id_number, person.phone, person.email, person.address):
            assert value not in html, value
    for d in quarter.dossiers:
        assert d.code not in html, d.code
    with page.expect_download() as info:
        page.click("[data-testid=open-json]")
    body = open(info.value.path(), encoding="utf-8").read()  # noqa: PTH123, SIM115
    assert '"to_handle"' in body
    for person in quarter.applicants:
        assert person.name not in body and person.phone not in body
