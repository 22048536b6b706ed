"""Ranking peer units (the direct children of a unit) by form 06 on-time rate or the 766 index."""
from __future__ import annotations

import datetime as dt

import pytest

from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.quality.compute import QualityError, compute_index
from motcua.quality.rankings import rank_units
from motcua.units.models import AdministrativeUnit, Agency
from motcua.workdays.outcomes import outcome_of
from tests.factories import at, make_procedure

pytestmark = pytest.mark.django_db
MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
SINCE = dt.date(2025, 7, 1)


@pytest.fixture
def province() -> AdministrativeUnit:
    return AdministrativeUnit.objects.create(code="88", name="Tỉnh Xếp Hạng", level="province", valid_from=SINCE)


@pytest.fixture
def procedure():
    return make_procedure(code="R.000001", days=1, shares=(240, 240))


def commune(province: AdministrativeUnit, n: int) -> AdministrativeUnit:
    unit = AdministrativeUnit.objects.create(code=f"88{n:03d}", name=f"Xã {n}", level="commune", parent=province,
                                             valid_from=SINCE)
    Agency.objects.create(code=f"R{n:03d}", name=f"UBND xã {n}", kind="ubnd", unit=unit, level="commune")
    return unit


def handle(unit: AdministrativeUnit, procedure, day: int, late: bool) -> Dossier:
    """Received on a March weekday at 09:00 (due the next day 09:00), resolved the same day or 3 days later."""
    d = services.receive(procedure=procedure, unit=unit, agency=unit.agencies.first(),
                         at=at(f"2026-03-{day:02d} 09:00"))
    services.perform(d, "hand_over", role="counter", at=at(f"2026-03-{day:02d} 10:00"))
    services.perform(d, "resolve", role="head", at=at(f"2026-03-{day + (3 if late else 0):02d} 15:00"))
    return Dossier.objects.get(pk=d.pk)


def on_time_rate(unit: AdministrativeUnit) -> float:
    """Derived here from the rows: all these dossiers are resolved in March."""
    rows = list(Dossier.objects.filter(unit=unit))
    late = sum(outcome_of(d.finished_at, d.due_at) == "late" for d in rows)
    return 1 - late / len(rows)


def test_ranks_ties_and_small_samples(province, procedure):
    a, b, c, d, e = (commune(province, n) for n in range(1, 6))
    for unit, lates in ((a, []), (b, [2]), (c, [1])):
        for i, day in enumerate((2, 3, 4, 5)):
            handle(unit, procedure, day, late=i in lates)
    handle(d, procedure, 2, late=False)  # perfect, but one dossier only
    # The province's own dossiers are not a peer.
    Agency.objects.create(code="R000", name="Sở", kind="department", unit=province, level="province")
    handle(province, procedure, 2, late=True)

    rows = rank_units("88", *MARCH, min_dossiers=3)
    assert [r["code"] for r in rows] == [a.code, b.code, c.code, d.code, e.code]
    assert [r["rank"] for r in rows] == [1, 2, 2, None, None]
    assert [r["position"] for r in rows] == ["1/3", "2/3", "2/3", "", ""]
    assert [r["small_sample"] for r in rows] == [False, False, False, True, True]
    assert [r["dossiers"] for r in rows] == [4, 4, 4, 1, 0]
    for row, unit in zip(rows[:4], (a, b, c, d), strict=True):
        assert row["value"] == pytest.approx(on_time_rate(unit))
    assert all(r["group_size"] == 3 for r in rows)
    # With no minimum, the single perfect dossier ties for first; a unit with none is never ranked.
    rows = rank_units("88", *MARCH, min_dossiers=0)
    assert {r["code"]: r["rank"] for r in rows} == {a.code: 1, d.code: 1, b.code: 3, c.code: 3, e.code: None}


def test_thirteenth_of_thirty(province, procedure, django_assert_max_num_queries):
    """Seed 001's shape: 12 units do better, 17 worse."""
    units = [commune(province, n) for n in range(1, 31)]
    ours = units[12]
    for i, unit in enumerate(units):
        if unit == ours:
            handle(unit, procedure, 2, late=False)
            handle(unit, procedure, 3, late=True)
        else:
            handle(unit, procedure, 2, late=i > 12)
    rows = rank_units("88", *MARCH, min_dossiers=1)
    row = next(r for r in rows if r["code"] == ours.code)
    assert row["position"] == "13/30" and row["value"] == pytest.approx(0.5)
    assert len(rows) == 30
    # By the index too, in a handful of queries whatever the number of peers.
    with django_assert_max_num_queries(12):
        by_index = rank_units("88", *MARCH, metric="index", min_dossiers=1)
    assert next(r for r in by_index if r["code"] == ours.code)["position"] == "13/30"


def test_ranking_by_the_766_index_matches_each_units_own_index(province, procedure):
    a, b = commune(province, 1), commune(province, 2)
    for day in (2, 3, 4):
        handle(a, procedure, day, late=False)
        handle(b, procedure, day, late=day == 3)
    services.receive(procedure=procedure, unit=b, agency=b.agencies.first(), at=at("2026-03-05 09:00"), online=True)
    rows = rank_units("88", *MARCH, metric="index", min_dossiers=1)
    assert [r["code"] for r in rows] == [a.code, b.code] and [r["rank"] for r in rows] == [1, 2]
    for row in rows:
        own = compute_index(row["code"], *MARCH)
        assert row["value"] == pytest.approx(own["points"])
        assert row["dossiers"] == own["facts"]["handled"]["value"]
    scores = rank_units("88", *MARCH, metric="index_score", min_dossiers=1)
    assert scores[0]["value"] == pytest.approx(compute_index(a.code, *MARCH)["score"])


def test_bad_input(province):
    with pytest.raises(QualityError, match="on_time_rate"):
        rank_units("88", *MARCH, metric="speed")
    with pytest.raises(QualityError, match="ZZ7"):
        rank_units("ZZ7", *MARCH)
