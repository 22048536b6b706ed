"""Rollup stripes: a key's counts may lie on a few rows (MOTCUA_ROLLUP_STRIPES), so that the receipts and
transitions of one unit, at once, add to different rows instead of queueing on one row until each of
them commits; every report sums the rows, and verify_counters finds them equal to a recount."""
from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.reports import rollups
from motcua.reports.form06 import compute_form06
from motcua.reports.models import DailyCounter, UnitDailyCounter
from tests.factories import World, at, make_world

DAY = "2026-03-02"


def _receive(world: World, n: int, when: str = f"{DAY} 09:00") -> Dossier:
    return services.receive(procedure=world.procedure, unit=world.commune, agency=world.agency, at=at(when),
                            applicant=services.Applicant(name=f"Người nộp {n}", phone="0912345678"))


@pytest.mark.django_db
def test_a_units_counts_spread_over_stripes_and_summed_by_every_reader(settings) -> None:  # noqa: ANN001
    settings.MOTCUA_ROLLUP_STRIPES = 4
    world = make_world()
    made = [_receive(world, n, f"{DAY} {8 + n // 4:02d}:{(n % 4) * 10:02d}") for n in range(10)]
    for d in made[:3]:
        services.perform(d, "hand_over", role="counter", at=at(f"{DAY} 16:00"))
    rows = list(UnitDailyCounter.objects.filter(unit=world.commune, day=dt.date(2026, 3, 2)))
    assert sorted(r.stripe for r in rows) == sorted({rollups.stripe_of(d) for d in made})
    assert len(rows) == 4 and sum(r.received_direct for r in rows) == 10  # one key, four rows
    assert sum(DailyCounter.objects.values_list("received_direct", flat=True)) == 10
    figures = compute_form06(world.commune.code, dt.date(2026, 3, 1), dt.date(2026, 3, 31), source="rollups")
    scanned = compute_form06(world.commune.code, dt.date(2026, 3, 1), dt.date(2026, 3, 31), source="dossiers")
    assert figures["totals"] == scanned["totals"] and figures["totals"]["received_total"] == 10
    call_command("verify_counters", stdout=io.StringIO())  # the stored rows, stripes summed, equal a recount


@pytest.mark.django_db(transaction=True)
def test_two_receipts_of_one_unit_at_once_do_not_queue_on_its_counts(on_postgres: bool, settings) -> None:  # noqa: ANN001
    if not on_postgres:
        pytest.skip("PostgreSQL: SQLite has one writer at a time")
    settings.MOTCUA_ROLLUP_STRIPES = 8
    world = make_world()
    drawn, release = threading.Event(), threading.Event()
    first_code: list[str] = []

    def first_counter() -> None:
        try:
            with transaction.atomic():
                first_code.append(_receive(world, 1).code)  # its counts written, not committed
                drawn.set()
                release.wait(30)
        finally:
            connection.close()

    first = threading.Thread(target=first_counter)
    first.start()
    try:
        assert drawn.wait(30)
        second: list[Dossier] = []
        other = threading.Thread(target=lambda: (second.append(_receive(world, 2)), connection.close()))
        other.start()
        other.join(20)
        assert not other.is_alive() and second, "the second receipt waited for the first one's commit"
    finally:
        release.set()
        first.join(30)
    # Same unit, procedure, level and day: the same keys, on two stripes (consecutive ids).
    received = UnitDailyCounter.objects.filter(unit=world.commune, day=dt.date(2026, 3, 2))
    assert received.count() == 2 and sum(r.received_direct for r in received) == 2
    call_command("verify_counters", stdout=io.StringIO())
