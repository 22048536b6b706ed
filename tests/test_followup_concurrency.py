"""The follow-up register under concurrent use, on PostgreSQL: many inspectors making recommendations
for the same unit at once (codes never duplicated), many answers to different recommendations of one
unit at once (all succeed, histories contiguous), two answers to the same one with the version they
both read (exactly one succeeds)."""
from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from motcua.followup import services
from motcua.followup.models import Recommendation
from motcua.statemachine import Conflict
from motcua.units.models import StaffRole
from tests.factories import at, make_world

WORKERS = 12


def _together(jobs: list[Callable[[], object]]) -> tuple[list[object], list[BaseException]]:
    barrier = threading.Barrier(len(jobs))
    results: list[object] = []
    errors: list[BaseException] = []

    def run(job: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=60)
            results.append(job())
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return results, errors


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_many_recommendations_and_answers_at_once_on_postgres() -> None:
    assert connection.vendor == "postgresql"
    w = make_world()
    users = get_user_model().objects
    inspectors = []
    for i in range(WORKERS):
        user = users.create_user(f"thanhtra{i:02d}")
        StaffRole.objects.create(user=user, role="inspector", unit=w.province)
        inspectors.append(user)
    leader = users.create_user("lanhdao")
    StaffRole.objects.create(user=leader, role="leader", unit=w.commune)

    def make(inspector: object, n: int) -> Callable[[], object]:
        return lambda: services.recommend(source=None, addressee_unit=w.commune, text=f"Kiến nghị {n}",
                                          deadline=at("2027-06-30 17:00"), actor=inspector)

    made, errors = _together([make(inspectors[n], n) for n in range(WORKERS)])
    assert not errors, errors[:3]
    codes = sorted(r.code for r in made)
    assert len(set(codes)) == WORKERS and codes[0].endswith("00001") and codes[-1].endswith(f"{WORKERS:05d}")

    recs = list(Recommendation.objects.all())
    answered, errors = _together([lambda r=r: services.perform(r.pk, "respond", actor=leader, note="Đã làm")
                                  for r in recs])
    assert not errors, errors[:3]
    for r in Recommendation.objects.all():
        assert (r.status, r.version) == ("in_progress", 2)
        assert list(r.events.order_by("seq").values_list("seq", flat=True)) == [1, 2]

    target = recs[0].pk
    results, errors = _together([
        lambda: services.perform(target, "respond", actor=leader, note="Lần A", expected_version=2),
        lambda: services.perform(target, "respond", actor=leader, note="Lần B", expected_version=2),
    ])
    assert len(results) == 1 and len(errors) == 1 and isinstance(errors[0], Conflict)
    assert Recommendation.objects.get(pk=target).version == 3
