"""The four grains of the rollups agree with each other, and form 06 read from them equals the
dossier scan for any period — whole months, parts of months, one day, across years."""
from __future__ import annotations

import datetime as dt
import itertools
import random
from collections import defaultdict

import pytest

from motcua.dossiers.models import Dossier
from motcua.reports import rollups
from motcua.reports.form06 import compute_form06
from motcua.reports.models import COUNT_FIELDS, DailyCounter, MonthlyCounter, UnitDailyCounter, UnitMonthlyCounter
from tests.factories import at, make_procedure, make_world

pytestmark = pytest.mark.django_db
START = dt.datetime(2025, 11, 20, 7, 0)
_seq = itertools.count(1)


@pytest.fixture
def random_dossiers():
    """300 dossiers known by their final fields (as an import writes them), at random."""
    rnd = random.Random(6)
    world = make_world()
    procedures = [world.procedure, make_procedure("T.000002", days=2, shares=(480, 480))]
    deltas = rollups.Deltas()
    for _ in range(300):
        received = at(str(START + dt.timedelta(minutes=rnd.randrange(200 * 24 * 60))))
        due = received + dt.timedelta(days=rnd.choice((1, 3, 7, 15)), hours=rnd.randrange(10))
        fields: dict[str, object] = {"status": "in_processing"}
        fate = rnd.random()
        if fate < 0.6:
            fields = {"finished_at": received + (due - received) * rnd.uniform(0.1, 1.6), "outcome": "approved",
                      "status": "returned"}
        elif fate < 0.7:
            fields = {"withdrawn_at": received + dt.timedelta(days=rnd.randrange(5)), "status": "withdrawn"}
        elif fate < 0.8:
            fields = {"paused_at": received + (due - received) * rnd.uniform(0.1, 1.3), "status": "supplementing"}
        unit, agency = rnd.choice([(world.commune, world.agency), (world.other_commune, None),
                                   (world.province, None), (world.commune, world.other_agency)])
        d = Dossier.objects.create(
            code=f"R-{next(_seq):05d}", regime="2018", procedure=rnd.choice(procedures), unit=unit, agency=agency,
            level=unit.level, channel=rnd.choice(("counter", "online", "postal")),
            received_at=received, due_at=due if rnd.random() < 0.97 else None, **fields,
        )
        rollups.add_final_state(d, deltas)
    deltas.write()
    return world


def _sum(rows, key_fields: tuple[str, ...], date_field: str, month: bool) -> dict:
    out: dict = defaultdict(lambda: dict.fromkeys(COUNT_FIELDS, 0))
    for row in rows:
        day = row[date_field].replace(day=1) if month else row[date_field]
        target = out[(*(row[f] for f in key_fields), day)]
        for c in COUNT_FIELDS:
            target[c] += row[c]
    return {k: v for k, v in out.items() if any(v.values())}


def _stored(model, key_fields: tuple[str, ...], date_field: str) -> dict:
    return _sum(model.objects.values(*key_fields, date_field, *COUNT_FIELDS), key_fields, date_field, False)


def test_monthly_and_unit_tables_are_the_daily_rows_summed(random_dossiers):
    fine, coarse = ("unit_id", "agency_key", "procedure_id", "level"), ("unit_id", "level")
    daily = list(DailyCounter.objects.values(*fine, "day", *COUNT_FIELDS))
    assert len(daily) > 300
    assert _stored(MonthlyCounter, fine, "month") == _sum(daily, fine, "day", month=True)
    assert _stored(UnitDailyCounter, coarse, "day") == _sum(daily, coarse, "day", month=False)
    assert _stored(UnitMonthlyCounter, coarse, "month") == _sum(daily, coarse, "day", month=True)
    assert UnitMonthlyCounter.objects.count() < MonthlyCounter.objects.count() < DailyCounter.objects.count()


def test_open_and_overdue_running_sums_match_the_dossiers(random_dossiers):
    """Σ open_delta to a day = the dossiers open at its end; Σ overdue_delta = those open and overdue."""
    for day in (dt.date(2025, 12, 1), dt.date(2026, 1, 31), dt.date(2026, 3, 15), dt.date(2026, 6, 30)):
        rows = UnitDailyCounter.objects.filter(day__lte=day)
        end = at(f"{day + dt.timedelta(days=1)} 00:00")
        open_ = [d for d in Dossier.objects.all() if d.received_at < end
                 and not (d.finished_at and d.finished_at < end) and not (d.withdrawn_at and d.withdrawn_at < end)]
        overdue = [d for d in open_ if d.due_at and rollups.local_date(d.due_at) < day
                   and not (d.paused_at and d.paused_at < end and d.paused_at <= d.due_at)]
        assert sum(r.open_delta for r in rows) == len(open_) > 0
        assert sum(r.overdue_delta for r in rows) == len(overdue) > 0


@pytest.mark.parametrize("by", [None, "child", "level", "agency", "field", "procedure"])
def test_form06_from_the_rollups_equals_the_scan_for_random_periods(random_dossiers, by):
    rnd = random.Random(by or "totals")
    periods = [(dt.date(2026, 1, 1), dt.date(2026, 3, 31)), (dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
               (dt.date(2026, 2, 1), dt.date(2026, 2, 1)), (dt.date(2025, 12, 31), dt.date(2026, 1, 1))]
    for _ in range(12):
        first = dt.date(2025, 11, 1) + dt.timedelta(days=rnd.randrange(260))
        periods.append((first, first + dt.timedelta(days=rnd.randrange(120))))
    for unit in ("99", "99001"):
        for date_from, date_to in periods:
            scanned = compute_form06(unit, date_from, date_to, by=by, source="dossiers")
            assert compute_form06(unit, date_from, date_to, by=by, source="rollups") == scanned, (date_from, date_to)
    year = compute_form06("99", dt.date(2026, 1, 1), dt.date(2026, 12, 31), by=by, source="rollups")["totals"]
    assert year["carried_over"] > 0 and year["in_progress_overdue"] > 0 and year["resolved_late"] > 0


def test_batched_increments_are_written_once_at_the_end_and_never_when_the_block_fails():
    """Two receipts in one ``batched`` block: the counters are untouched until the block ends, then
    written by one statement per table, and count both; a block that raises writes nothing."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from motcua.dossiers import services

    world = make_world()
    procedure = make_procedure("T.009931")

    def receive() -> Dossier:
        return services.receive(procedure=procedure, unit=world.commune, agency=world.agency, role="counter",
                                at=at("2025-03-03 09:00"))

    with CaptureQueriesContext(connection) as q, rollups.batched():
        receive()
        receive()
        assert not DailyCounter.objects.exists()  # not yet
        written_before_end = len(q.captured_queries)
    daily = [s["sql"] for s in q.captured_queries[written_before_end:] if "reports_dailycounter" in s["sql"]]
    assert len(daily) == 1  # one write at the end, for both receipts
    assert sum(c.received_direct for c in DailyCounter.objects.all()) == 2
    assert sum(c.received_direct for c in UnitDailyCounter.objects.all()) == 2

    class Refused(Exception):
        pass

    with pytest.raises(Refused), rollups.batched():
        receive()
        raise Refused
    assert sum(c.received_direct for c in DailyCounter.objects.all()) == 2
    assert getattr(rollups._batch, "deltas", None) is None  # the next transition writes at once again

    # inside another block: a receipt rolled back to its savepoint is not counted by the outer one
    with rollups.batched():
        receive()
        with pytest.raises(Refused), rollups.batched():
            receive()
            raise Refused
    assert sum(c.received_direct for c in DailyCounter.objects.all()) == 3
    receive()
    assert sum(c.received_direct for c in DailyCounter.objects.all()) == 4

    # ``whole``: the receipts inside make no savepoint, and one failing fails the whole block (the one
    # savepoint left is the block's own, inside the test's transaction)
    def savepoints(queries: list[dict]) -> int:
        return sum(s["sql"].startswith("SAVEPOINT") for s in queries)

    with CaptureQueriesContext(connection) as q, rollups.batched(whole=True):
        receive()
    assert savepoints(q.captured_queries) == 1
    assert sum(c.received_direct for c in DailyCounter.objects.all()) == 5
    before = Dossier.objects.count()
    with pytest.raises(Refused), rollups.batched(whole=True):
        receive()
        with rollups.batched():
            receive()
            raise Refused
    assert Dossier.objects.count() == before and sum(c.received_direct for c in DailyCounter.objects.all()) == 5
    assert getattr(rollups._batch, "whole", False) is False  # the next block makes its savepoints again
    with CaptureQueriesContext(connection) as q, rollups.batched():
        receive()
    assert savepoints(q.captured_queries) == 2


@pytest.mark.django_db(transaction=True)
def test_batched_as_the_outermost_transaction_commits_with_the_counters_and_fails_whole(pipelines):
    """Outermost (as an API request's): on PostgreSQL the COMMIT sent right behind the counters, without
    waiting for their answer (in one pipeline of the driver), with the rows the block deferred (a
    receipt's dossier, steps and event) before them. All is committed; a failure found only at the commit (a
    deferred foreign key) is raised from the block and leaves nothing written, and the connection goes
    on working."""
    from django.db import IntegrityError, connection
    from django.test.utils import CaptureQueriesContext

    piped = pipelines  # the statements sent in each pipeline

    from motcua.dossiers import services
    from motcua.dossiers.models import DossierEvent

    world = make_world()
    procedure = make_procedure("T.009932")

    def receive(name: str) -> Dossier:
        return services.receive(procedure=procedure, unit=world.commune, agency=world.agency, role="counter",
                                applicant=services.Applicant(name=name), at=at("2025-03-03 09:00"))

    with CaptureQueriesContext(connection) as q, rollups.batched():
        receive("Người thứ nhất")
    assert not connection.in_atomic_block
    if connection.vendor == "postgresql":
        *rows, counters, commit = piped[-1]  # the deferred rows, the counters, the COMMIT: together, last
        assert commit == "COMMIT" and "reports_dailycounter" in counters
        assert [table in sql for table, sql in zip(("dossiers_dossier\"", "dossierstep", "dossierevent"), rows,
                                                    strict=True)] == [True] * 3
        assert not any("reports_dailycounter" in sql for sent in piped[:-1] for sql in sent)
        assert "reports_dailycounter" not in " ".join(s["sql"] for s in q.captured_queries[:-3])
    assert Dossier.objects.filter(applicant_name="Người thứ nhất").exists()
    assert sum(c.received_direct for c in DailyCounter.objects.all()) == 1

    with pytest.raises(IntegrityError), rollups.batched():
        receive("Người thứ hai")
        DossierEvent.objects.create(dossier_id=987_654_321, seq=1, action="note", at=at("2025-03-03 09:00"),
                                    from_status="received", to_status="received", payload={})
    assert not connection.in_atomic_block
    assert not Dossier.objects.filter(applicant_name="Người thứ hai").exists()
    assert sum(c.received_direct for c in DailyCounter.objects.all()) == 1
    with rollups.batched():  # the connection is usable, the next one commits
        receive("Người thứ ba")
    assert sum(c.received_direct for c in DailyCounter.objects.all()) == 2

    # The services' own transaction is one: called outermost (as the counter's screen calls them), a
    # receipt and a transition that moves the counters send the COMMIT right behind them too.
    piped.clear()
    with CaptureQueriesContext(connection):
        d = receive("Người thứ tư")
        services.perform(d.pk, "withdraw", role="applicant", at=at("2025-03-03 10:00"))
    if connection.vendor == "postgresql":
        commits = [p for p in piped if "COMMIT" in p]  # (the transition's reads are sent together too)
        # the receipt's dossier, steps and event, the withdrawal's write: each with its counters and its COMMIT
        assert [len(p) for p in commits] == [5, 3] and "dossiers_dossierevent" in commits[1][0]
        assert all(p[-1] == "COMMIT" and "reports_dailycounter" in p[-2] for p in commits)
    assert sum(c.withdrawn for c in DailyCounter.objects.all()) == 1
