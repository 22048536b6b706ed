"""Journey (d): a counter officer of the demo finds a citizen's dossier among the demo's 3,000 by the
citizen's name typed without diacritics, on /office/tim-kiem/, and opens it.

The world is the demo's, built as ``make run`` builds it (``seed_demo``, 3,000 dossiers over 18 months,
every one through the services). Screenshots: test-artifacts/screenshots/<test>/ (git-ignored).
"""
from __future__ import annotations

import importlib
import io
import re
from collections import Counter

import pytest
from django.core.management import call_command

from motcua.catalog.search import fold
from motcua.demo.world import DEMO_PASSWORD
from motcua.dossiers.models import Dossier
from motcua.units.scoping import can_see_dossier
from tests.browser_support import Shots, Site, needs_chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), needs_chromium]

DEMO_DOSSIERS = 3000
COUNTER = "lambinh.motcua"


def the_migrations_data() -> None:
    """The real units and the 766 indicator set, as the migrations load them: a transactional test
    run before this one ends by emptying every table, theirs included (tests/conftest.py)."""
    from django.apps import apps

    from motcua.quality.models import IndicatorSet
    from motcua.units.loader import load_units
    from motcua.units.models import AdministrativeUnit

    if not AdministrativeUnit.objects.exists():
        load_units(apps)
    if not IndicatorSet.objects.exists():
        importlib.import_module("motcua.quality.migrations.0002_indicator_set_2022").load(apps, None)


def a_dossier_to_find(user: object) -> tuple[Dossier, int]:
    """A demo dossier the counter officer sees, whose applicant's name has diacritics; and how many
    dossiers of the whole demo carry that name (the search must list only those the officer sees)."""
    names = Counter(Dossier.objects.values_list("applicant_name_folded", flat=True))
    seen = [d for d in Dossier.objects.filter(agency__staffrole__user=user).select_related("agency")
            .order_by("pk") if fold(d.applicant_name) != d.applicant_name.casefold() and can_see_dossier(user, d)]
    target = min(seen, key=lambda d: (names[d.applicant_name_folded], d.pk))  # the rarest name: a short list
    return target, names[target.applicant_name_folded]


def test_search_by_a_name_without_diacritics_finds_the_dossier_among_the_demos(site: Site, shots: Shots) -> None:
    the_migrations_data()
    call_command("seed_demo", dossiers=DEMO_DOSSIERS, stdout=io.StringIO(), stderr=io.StringIO())
    assert Dossier.objects.count() == DEMO_DOSSIERS
    from django.contrib.auth import get_user_model

    officer = get_user_model().objects.get(username=COUNTER)
    target, homonyms = a_dossier_to_find(officer)
    typed = fold(target.applicant_name)  # "Hoàng Thị Lan" typed as "hoang thi lan"
    assert typed != target.applicant_name.casefold()

    page = site.login(COUNTER, DEMO_PASSWORD, shots)
    tabs = page.locator("[data-testid=queue-tabs] a").evaluate_all("els => els.map(e => e.dataset.tab)")
    assert tabs[0] == "intake"  # the counter's work queues, online dossiers awaiting intake first
    shots(page, "inbox-tabs")
    page.click("nav >> text=Tìm hồ sơ")
    page.wait_for_url(re.compile(r"/office/tim-kiem/"))
    shots(page, "search-empty")
    page.fill("#s-name", typed)
    with page.expect_navigation():
        page.click("form[role=search] button[type=submit]")
    shots(page, "search-results")
    rows = page.locator("[data-testid=search-results] tr[data-code]")
    codes = rows.evaluate_all("els => els.map(e => e.dataset.code)")
    assert target.code in codes
    listed = Dossier.objects.filter(code__in=codes)
    assert all(fold(d.applicant_name) == typed or typed in d.applicant_name_folded for d in listed)
    assert all(can_see_dossier(officer, d) for d in listed)  # never another unit's
    assert len(codes) <= homonyms
    with page.expect_navigation():
        page.locator(f"tr[data-code='{target.code}'] a").click()
    assert page.locator("[data-testid=dossier-code]").inner_text() == target.code
    assert target.applicant_name in page.locator("[data-testid=applicant]").inner_text()
    shots(page, "dossier-found")
