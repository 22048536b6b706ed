"""Statements per transition (issue 8, "cost per transition"): a hand-over and a receipt stay cheap.

Counted as ``bench/transitions.py`` counts them (``statements``): every statement Django sends for one
``services.receive`` and one ``services.perform(..., "hand_over")`` taken as an officer (the screens'
path: acting roles looked up, the applicant's e-mail and SMS queued), SAVEPOINTs included. Inside a
test the outermost ``atomic`` of the service is a SAVEPOINT / RELEASE pair (the test's transaction
is already open); in production it is BEGIN / COMMIT, round trips the bench does not count as
statements, so the pair is left out here.

The budget: at most 6 statements for a hand-over and at most 10 for a receipt on PostgreSQL. On
SQLite a hand-over keeps the same 6; a receipt may take 3 more, 13: the rollups' four tables are
upserted in one statement on PostgreSQL (data-modifying WITH clauses, ``reports.rollups``), which
SQLite has not, so there it is one upsert per table. (A hand-over moves no rollup.)

Not counted away: the SAVEPOINT around the queueing of the applicant's messages
(``notifications.tasks.enqueue_many``) stays, so that a failed queueing leaves the transition whole on
PostgreSQL too (``test_notifications_delivery``).
"""
from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.catalog.routes import clear_route_cache
from motcua.dossiers import services
from motcua.dossiers.lifecycle import Status
from motcua.dossiers.models import Dossier, DossierEvent, DossierStep
from motcua.notifications.models import Notification
from motcua.units.calendars import clear_calendar_cache
from motcua.units.models import StaffRole
from tests.factories import at, make_procedure, make_world

pytestmark = pytest.mark.django_db

HAND_OVER_BUDGET = 6
RECEIPT_BUDGET = {"postgresql": 10, "sqlite": 13}


def _statements(captured: CaptureQueriesContext) -> list[str]:
    """The statements of one service call, without the outermost atomic's SAVEPOINT / RELEASE pair
    (BEGIN / COMMIT outside a test)."""
    sql = [q["sql"] for q in captured.captured_queries]
    first = re.match(r'SAVEPOINT ("?[\w]+"?)$', sql[0]) if sql else None
    if first and sql[-1] == f"RELEASE SAVEPOINT {first.group(1)}":
        sql = sql[1:-1]
    return sql


@pytest.fixture
def bench_world(django_capture_on_commit_callbacks):  # noqa: ANN001
    """The bench's world, as if committed before the transitions (as in the bench, where it is): the
    per-process caches of calendars and routes, switched off while a change to their rows is not yet
    committed, are used; emptied afterwards, the rows being rolled back."""
    with django_capture_on_commit_callbacks(execute=True):
        world = make_world()
        procedure = make_procedure(code="B.000001", days=30, shares=(480, 13440, 480))
    users = {}
    for role in ("counter", "specialist", "head"):
        users[role] = get_user_model().objects.create_user(f"budget_{role}")
        StaffRole.objects.create(user=users[role], role=role, agency=world.agency)
    yield world, procedure, users
    clear_calendar_cache()
    clear_route_cache()


def _receive(bench_world, when: str = "2026-03-02 09:00") -> Dossier:
    world, procedure, users = bench_world
    applicant = services.Applicant(name="Đếm câu lệnh", id_number="009999999999", phone="0912345678",
                                   email="dem@example.vn")
    return services.receive(procedure=procedure, unit=world.commune, agency=world.agency, applicant=applicant,
                            actor=users["counter"], at=at(when))


def test_a_receipt_and_a_hand_over_stay_within_their_statement_budget(bench_world):
    _world, _procedure, users = bench_world
    _receive(bench_world, "2026-03-02 08:30")  # the per-process caches (calendar, route) warm, as in the bench
    with CaptureQueriesContext(connection) as receipt:
        d = _receive(bench_world)
    with CaptureQueriesContext(connection) as first:
        services.perform(d.pk, "hand_over", actor=users["counter"], at=at("2026-03-02 10:00"))
    with CaptureQueriesContext(connection) as second:
        services.perform(d.pk, "hand_over", actor=users["specialist"], at=at("2026-03-03 10:00"))
    counts = {name: _statements(c) for name, c in (("receive", receipt), ("hand_over 1", first),
                                                     ("hand_over 2", second))}
    for name, sql in counts.items():
        print(f"--- {name} ({connection.vendor}): {len(sql)}")
        for s in sql:
            print("   ", s[:200])
    assert len(counts["receive"]) <= RECEIPT_BUDGET[connection.vendor], counts["receive"]
    assert len(counts["hand_over 1"]) <= HAND_OVER_BUDGET, counts["hand_over 1"]
    assert len(counts["hand_over 2"]) <= HAND_OVER_BUDGET, counts["hand_over 2"]
    if connection.features.has_select_for_update_of:  # the dossier's row locked, and nothing else
        for name in ("hand_over 1", "hand_over 2"):
            assert [s for s in counts[name] if "FOR UPDATE" in s] == [counts[name][0]]
            assert counts[name][0].endswith('FOR UPDATE OF "dossiers_dossier"')
    # ... and everything a transition writes is still written.
    d.refresh_from_db()
    assert (d.status, d.version, d.current_step) == (Status.IN_PROCESSING, 3, 3)
    steps = list(DossierStep.objects.filter(dossier=d).order_by("order"))
    assert [s.started_at for s in steps] == [at("2026-03-02 09:00"), at("2026-03-02 10:00"), at("2026-03-03 10:00")]
    assert [s.finished_at for s in steps] == [at("2026-03-02 10:00"), at("2026-03-03 10:00"), None]
    assert all(s.due_at is not None and s.agency_id == d.agency_id for s in steps)
    assert list(DossierEvent.objects.filter(dossier=d).values_list("seq", "action")) == [
        (1, "receive"), (2, "hand_over"), (3, "hand_over")]
    assert Notification.objects.filter(dossier=d).count() == 2  # the receipt's e-mail and SMS


def test_a_route_changed_is_seen_by_the_next_receipt(bench_world, django_capture_on_commit_callbacks):  # noqa: ANN001
    """The route is cached per process, and dropped when a step of it is saved or deleted."""
    from motcua.catalog.models import RouteStep

    _world, procedure, _users = bench_world
    assert [s.order for s in _receive(bench_world, "2026-03-02 08:30").steps.all()] == [1, 2, 3]
    with CaptureQueriesContext(connection) as cached:
        _receive(bench_world, "2026-03-02 08:40")
    assert not any("catalog_routestep" in q["sql"] for q in cached.captured_queries)
    with django_capture_on_commit_callbacks(execute=True):
        RouteStep.objects.filter(procedure=procedure, order=2).update(share_minutes=13000)  # no signal by itself
        step = RouteStep.objects.get(procedure=procedure, order=3)
        step.share_minutes = 920
        step.name = "Ký duyệt"
        step.save()  # drops the cache: both changes are seen
    d = _receive(bench_world)
    assert [(s.name, s.share_minutes) for s in d.steps.order_by("order")] == [
        ("Bước 1", 480), ("Bước 2", 13000), ("Ký duyệt", 920)]
    with django_capture_on_commit_callbacks(execute=True):
        step.delete()
    assert [s.order for s in _receive(bench_world, "2026-03-02 09:30").steps.all()] == [1, 2]
