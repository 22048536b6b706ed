"""Conflicting transitions fired at the same dossiers from many threads at once.

Each thread uses its own database connection (Django's connections are per thread) and closes it
at the end; a barrier releases them together so that they really collide. Whatever the
interleaving, the lifecycle must hold: one winner where the moves exclude each other, every
success recorded as exactly one event with contiguous sequence numbers, and a final state the
table can reach.

On SQLite the race needs a database file (the in-memory test database is one shared-cache
connection per thread, whose table locks fail at once) and writers that take the write lock when
their transaction begins (``OPTIONS["transaction_mode"] = "IMMEDIATE"``, Django >= 5.1): with
SQLite's default deferred transactions a reader that later wants to write fails with "database is
locked" instead of waiting. Run: ``MOTCUA_TEST_DB_NAME=/tmp/test_api.sqlite3 pytest tests/test_concurrency.py``.
"""
from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections

from motcua.catalog.models import Procedure, RouteStep
from motcua.dossiers import lifecycle, services
from motcua.dossiers.lifecycle import TABLE, Action, Status
from motcua.dossiers.models import Dossier
from motcua.units.models import AdministrativeUnit, Agency

DOSSIERS = 5
THREADS = 20
# From in_processing each of these leads to a state where none of the others is possible.
EXCLUSIVE = [Action.RESOLVE, Action.REFUSE, Action.STOP]  # regime 2025: the applicant stops, not withdraws
# These may follow one another (request_supplement, then stop), but none twice.
CHAINABLE = [Action.REQUEST_SUPPLEMENT, Action.STOP]


def _dossiers_in_processing() -> list[Dossier]:
    since = dt.date(2020, 1, 1)
    unit = AdministrativeUnit.objects.create(code="X981", name="Xã Đua", level="commune", valid_from=since)
    agency = Agency.objects.create(code="UBND-X981", name="UBND xã Đua", kind="ubnd", unit=unit, level="commune")
    procedure = Procedure.objects.create(code="1.999001", name="Thủ tục thử", levels=["commune"],
                                         legal_minutes=10 * 480)
    RouteStep.objects.create(procedure=procedure, order=1, name="Tiếp nhận", role="counter", share_minutes=480)
    RouteStep.objects.create(procedure=procedure, order=2, name="Giải quyết", role="head", share_minutes=9 * 480)
    officer = get_user_model().objects.create_user("race_officer")
    dossiers = []
    for i in range(DOSSIERS):
        d = services.receive(procedure=procedure, unit=unit, agency=agency, actor=officer,
                             applicant=services.Applicant(name=f"Người nộp {i}"))
        d = services.perform(d, Action.HAND_OVER, role=lifecycle.COUNTER, actor=officer)
        assert d.status == Status.IN_PROCESSING
        dossiers.append(d)
    return dossiers


def _race(plan: list[tuple[int, Action]]) -> list[tuple[int, Action, str]]:
    """Run every (dossier pk, action) of ``plan`` in its own thread, all released together.

    Returns (pk, action, outcome) with outcome "ok" or the DossierError class name."""
    barrier = threading.Barrier(len(plan))
    results: list[tuple[int, Action, str]] = []
    lock = threading.Lock()
    unexpected: list[BaseException] = []

    def worker(pk: int, action: Action) -> None:
        try:
            barrier.wait(timeout=30)
            try:
                services.perform(pk, action, role=lifecycle.SYSTEM, reason="Đua", note="Đua")
                outcome = "ok"
            except services.DossierError as exc:
                outcome = type(exc).__name__
            with lock:
                results.append((pk, action, outcome))
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread below
            unexpected.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=item) for item in plan]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    assert not unexpected, unexpected
    assert len(results) == len(plan)
    return results


def _check_history(dossier: Dossier, successes: list[Action]) -> list[str]:
    """Events form one contiguous history that the table allows, with one event per success."""
    events = list(dossier.events.order_by("seq"))
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert dossier.version == len(events)
    assert [e.action for e in events[:2]] == ["receive", Action.HAND_OVER]
    raced = events[2:]
    assert sorted(e.action for e in raced) == sorted(a.value for a in successes)
    status = Status.IN_PROCESSING
    for event in raced:
        move = TABLE[status].get(Action(event.action))
        assert move is not None, f"{status} --{event.action}--> is not in the table"
        assert (event.from_status, event.to_status) == (status, move.to)
        status = move.to
    assert dossier.status == status
    return [e.action for e in raced]


def _run(plan: list[tuple[int, Action]]) -> dict[int, list[tuple[Action, str]]]:
    by_dossier: dict[int, list[tuple[Action, str]]] = defaultdict(list)
    for pk, action, outcome in _race(plan):
        by_dossier[pk].append((action, outcome))
    for outcomes in by_dossier.values():
        assert {o for _, o in outcomes} <= {"ok", "NotAllowed", "Conflict"}, outcomes
    return by_dossier


def _exclusive_race() -> None:
    dossiers = _dossiers_in_processing()
    plan = [(dossiers[i % DOSSIERS].pk, EXCLUSIVE[(i // DOSSIERS) % len(EXCLUSIVE)]) for i in range(THREADS)]
    for pk, outcomes in _run(plan).items():
        winners = [a for a, o in outcomes if o == "ok"]
        assert len(winners) == 1, outcomes
        d = Dossier.objects.get(pk=pk)
        assert _check_history(d, winners) == [winners[0]]
        assert d.status == TABLE[Status.IN_PROCESSING][winners[0]].to
        if winners[0] in lifecycle.CLOSING_ON_REQUEST:  # the applicant's own end: counted apart, no result
            assert d.withdrawn_at is not None and d.finished_at is None
            assert d.outcome == lifecycle.CLOSING_ON_REQUEST[winners[0]]
        else:
            assert d.finished_at is not None and d.outcome == lifecycle.FINISHING_ACTIONS[winners[0]]


def _chainable_race() -> None:
    dossiers = _dossiers_in_processing()
    plan = [(dossiers[i % DOSSIERS].pk, CHAINABLE[(i // DOSSIERS) % len(CHAINABLE)]) for i in range(THREADS)]
    for pk, outcomes in _run(plan).items():
        winners = [a for a, o in outcomes if o == "ok"]
        assert 1 <= len(winners) <= 2 and len(set(winners)) == len(winners), outcomes
        d = Dossier.objects.get(pk=pk)
        history = _check_history(d, winners)
        if Action.STOP in winners:
            assert d.status == Status.STOPPED and history[-1] == Action.STOP
        else:
            assert d.status == Status.AWAITING_SUPPLEMENT and d.supplement_requests == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_exclusive_transitions_have_one_winner_on_postgres():
    assert connection.vendor == "postgresql"
    _exclusive_race()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_chainable_transitions_lose_no_event_on_postgres():
    assert connection.vendor == "postgresql"
    _chainable_race()


@pytest.fixture
def sqlite_file_immediate():
    """Serialised SQLite writers on a database file, for the threads' new connections."""
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite variant")
    if connection.is_in_memory_db():
        pytest.skip("threads need a SQLite database file: set MOTCUA_TEST_DB_NAME=/tmp/test_api.sqlite3")
    options = connections.settings["default"].setdefault("OPTIONS", {})
    before = options.get("transaction_mode")
    options["transaction_mode"] = "IMMEDIATE"
    connection.close()  # reopen with the option
    yield
    if before is None:
        options.pop("transaction_mode")
    else:
        options["transaction_mode"] = before
    connection.close()


@pytest.mark.django_db(transaction=True)
def test_exclusive_transitions_have_one_winner_on_sqlite(sqlite_file_immediate):
    _exclusive_race()


@pytest.mark.django_db(transaction=True)
def test_chainable_transitions_lose_no_event_on_sqlite(sqlite_file_immediate):
    _chainable_race()
