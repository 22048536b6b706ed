"""The public dashboard on a 390-px phone (390×844, Debian's Chromium): no horizontal scroll of the
page — the figures per unit and per procedure read as cards, every number labelled — and the wide
tables still there on a desktop. Screenshots under test-artifacts/screenshots/<test>/."""
from __future__ import annotations

import pytest

from tests.browser_support import Shots, Site, needs_chromium  # fixtures chromium, shots, site: conftest
from tests.stats_support import build_quarter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), needs_chromium]


@pytest.fixture(autouse=True)
def calendar_months(settings) -> None:  # noqa: ANN001
    settings.MOTCUA_REPORT_CONVENTION = "calendar"
    from django.core.cache import cache

    cache.clear()


def test_the_public_dashboard_fits_a_phone(site: Site, shots: Shots) -> None:
    quarter = build_quarter()
    page = site.open(phone=True)
    page.goto(f"/cong-khai/?unit={quarter.province_code}&period=quarter&year=2026&n=1")
    shots(page, "public-dashboard-phone")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    assert page.evaluate("() => document.body.scrollWidth") <= 390
    # the rows per unit read as cards on the phone: the unit's name and its labelled figures, all visible
    card = page.locator("[data-testid=public-units] tbody tr", has_text="Xã Một")
    assert card.is_visible()
    box = card.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    labels = card.locator("td").evaluate_all("tds => tds.map(td => getComputedStyle(td, '::before').content)")
    assert labels[1] == '"Phải giải quyết"' and labels[-1] == '"Tỷ lệ đúng hạn"'  # each figure labelled
    assert card.locator("td").nth(7).inner_text().endswith("%")
    method = page.locator("[data-testid=method]").inner_text()
    assert "giờ Việt Nam" in method and "T23:59" not in method  # a human instant, not an ISO one
    # the filter's controls are inside the screen too
    for selector in ("#p-unit", "#p-period", "#p-year", "#p-n"):
        b = page.locator(selector).bounding_box()
        assert b is not None and b["x"] + b["width"] <= 390, selector

    desktop = site.open()
    desktop.goto(f"/cong-khai/?unit={quarter.province_code}&period=quarter&year=2026&n=1")
    shots(desktop, "public-dashboard-desktop")
    header = desktop.locator("[data-testid=public-units] thead")
    assert header.is_visible()  # the desktop keeps the table with its header row
    assert desktop.locator("[data-testid=public-units] tbody tr").count() == 2
