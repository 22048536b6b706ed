"""A unit's working day on PostgreSQL: many officers acting at once on *different* dossiers of the
same unit (the same procedure, so the same report rollup rows), while the counter receives new ones.

Every call must succeed: no deadlock, no lost update, every dossier's history contiguous, and the
rollups kept with each transition equal to a recount from the events.
"""
from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from motcua.catalog.models import Procedure, RouteStep
from motcua.dossiers import services
from motcua.dossiers.lifecycle import Action, Status
from motcua.dossiers.models import Dossier
from motcua.reports import rollups
from motcua.units.models import AdministrativeUnit, Agency, StaffRole

OFFICERS = 16
ROUNDS = 3  # dossiers each officer takes through, one after another
# (action, role, inputs): a dossier's whole life after receipt.
LIFE = [
    (Action.HAND_OVER, "counter", {}),
    (Action.REQUEST_SUPPLEMENT, "specialist", {"note": "Thiếu bản sao"}),
    (Action.SUPPLY, "counter", {}),
    (Action.HAND_OVER, "specialist", {}),
    (Action.RESOLVE, "head", {}),
    (Action.RETURN, "counter", {}),
]


def _unit() -> tuple[Procedure, AdministrativeUnit, Agency, list]:
    since = dt.date(2020, 1, 1)
    unit = AdministrativeUnit.objects.create(code="X971", name="Xã Đông Người", level="commune", valid_from=since)
    agency = Agency.objects.create(code="UBND-X971", name="UBND xã Đông Người", kind="ubnd", unit=unit,
                                   level="commune", has_one_stop=True)
    procedure = Procedure.objects.create(code="1.999071", name="Thủ tục đông", levels=["commune"],
                                         legal_minutes=10 * 480)
    for order, (role, share) in enumerate((("counter", 480), ("specialist", 3360), ("head", 960)), start=1):
        RouteStep.objects.create(procedure=procedure, order=order, name=f"Bước {order}", role=role,
                                 share_minutes=share)
    officers = []
    for i in range(OFFICERS + 1):
        user = get_user_model().objects.create_user(f"officer{i:02d}")
        for role in ("counter", "specialist", "head"):
            StaffRole.objects.create(user=user, role=role, agency=agency)
        officers.append(user)
    return procedure, unit, agency, officers


def _day(procedure: Procedure, unit: AdministrativeUnit, agency: Agency, officers: list) -> list[BaseException]:
    barrier = threading.Barrier(OFFICERS + 1)
    errors: list[BaseException] = []
    stop_receiving = threading.Event()

    def receive(officer: object) -> Dossier:
        return services.receive(procedure=procedure, unit=unit, agency=agency, actor=officer,
                                applicant=services.Applicant(name="Người nộp"))

    def officer_day(officer: object, first: list[Dossier]) -> None:
        try:
            barrier.wait(timeout=60)
            for n in range(ROUNDS):
                d = first[0] if n == 0 else receive(officer)
                for action, role, inputs in LIFE:
                    d = services.perform(d.pk, action, role=role, actor=officer, **inputs)
                assert d.status == Status.RETURNED
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread
            errors.append(exc)
        finally:
            connection.close()

    def counter_day(officer: object) -> None:
        try:
            barrier.wait(timeout=60)
            while not stop_receiving.is_set():
                receive(officer)
                time.sleep(0.01)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    firsts = [[receive(officers[i])] for i in range(OFFICERS)]
    threads = [threading.Thread(target=officer_day, args=(officers[i], firsts[i])) for i in range(OFFICERS)]
    counter = threading.Thread(target=counter_day, args=(officers[OFFICERS],))
    for t in [*threads, counter]:
        t.start()
    for t in threads:
        t.join(timeout=300)
    stop_receiving.set()
    counter.join(timeout=60)
    assert not any(t.is_alive() for t in [*threads, counter]), "a thread hung"
    return errors


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_many_officers_on_different_dossiers_of_one_unit_all_succeed_on_postgres() -> None:
    assert connection.vendor == "postgresql"
    procedure, unit, agency, officers = _unit()
    errors = _day(procedure, unit, agency, officers)
    assert not errors, f"{len(errors)} calls failed, e.g. {errors[:3]!r}"
    done = Dossier.objects.filter(unit=unit, status=Status.RETURNED)
    assert done.count() == OFFICERS * ROUNDS
    for d in done:
        assert list(d.events.order_by("seq").values_list("seq", flat=True)) == list(range(1, len(LIFE) + 2))
        assert d.version == len(LIFE) + 1
    received = Dossier.objects.filter(unit=unit).count()
    assert received > OFFICERS * ROUNDS  # the counter kept receiving meanwhile
    assert not any(rollups.disagreements(rollups.recount(), rollups.stored()).values())
