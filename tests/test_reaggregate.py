"""Re-aggregation onto today's units: a legacy district's 2024 dossiers land in the province and the
communes that succeeded it, with totals unchanged (real units of the data migration)."""
from __future__ import annotations

import datetime as dt

import pytest

from motcua.dossiers import services
from motcua.reports.form06 import ReportError, compute_form06
from motcua.units.models import AdministrativeUnit
from tests.factories import at, make_procedure

pytestmark = pytest.mark.django_db
YEAR = (dt.date(2024, 1, 1), dt.date(2024, 12, 31))


def legacy(code: str) -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(code=code, valid_to=dt.date(2025, 6, 30))


@pytest.fixture
def ngan_son_2024():
    district = legacy("062")  # Huyện Ngân Sơn, Bắc Kạn — now part of Thái Nguyên (19)
    communes = list(district.children.order_by("code")[:3])
    procedure = make_procedure("T.000301")
    made = []
    for n, unit in enumerate([district, district, *communes, communes[0]]):
        d = services.receive(procedure=procedure, unit=unit, at=at(f"2024-03-{4 + n:02d} 09:00"))
        services.perform(d, "hand_over", role="counter", at=at(f"2024-03-{4 + n:02d} 10:00"))
        if n % 2:
            services.perform(d, "resolve", role="head", at=at(f"2024-03-{5 + n:02d} 10:00"))
        made.append(d)
    return district, communes, made


def test_legacy_district_lands_in_the_successor_province_and_communes(ngan_son_2024):
    district, communes, made = ngan_son_2024
    as_was = compute_form06("062", *YEAR, by="child", source="dossiers")
    today = compute_form06("19", *YEAR, by="child", units="today", source="dossiers")
    assert as_was["totals"] == today["totals"]
    assert today["totals"]["received_total"] == len(made) == 6
    rows = {r["key"]: r for r in today["rows"]}
    assert rows["19"]["received_total"] == 2  # the district's own work went to the province
    expected: dict[str, int] = {}
    for commune in [*communes, communes[0]]:
        successor = min(s.code for s in commune.successors.filter(valid_to__isnull=True, level="commune"))
        expected[successor] = expected.get(successor, 0) + 1
    assert {k: r["received_total"] for k, r in rows.items() if k != "19" and r["received_total"]} == expected
    assert all(AdministrativeUnit.objects.get(code=k, valid_to__isnull=True).parent.code == "19"
               for k in expected)


def test_the_rollups_reaggregate_the_same_way(ngan_son_2024):
    scanned = compute_form06("19", *YEAR, by="child", units="today", source="dossiers")
    assert compute_form06("19", *YEAR, by="child", units="today", source="rollups") == scanned


def test_today_needs_a_unit_that_still_exists():
    with pytest.raises(ReportError, match="không còn tồn tại"):
        compute_form06("062", *YEAR, units="today")
