"""A worker's take of several tasks (motcua.notifications.worker, PostgreSQL): the deliveries among them are
sent together — each row once, each task recorded with what it would have returned run on its own, in a
number of statements that does not grow with the tasks — any other task runs as the library runs it, a
signal lets the take's tasks finish, and ``--max-tasks`` still counts each task."""
from __future__ import annotations

import datetime as dt
import logging
import signal

import pytest
from django.core import mail
from django.db import DatabaseError, connection
from django.db.backends.utils import CursorWrapper
from django.test.utils import CaptureQueriesContext
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from motcua.dossiers import services
from motcua.notifications import tasks
from motcua.notifications.models import Notification
from motcua.notifications.worker import Worker
from tests.factories import at, make_world

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(connection.vendor != "postgresql", reason="takes of several tasks: PostgreSQL")]
State = Notification.State
FAILING_PHONE = "0911000111"


@task()
def double(n: int) -> int:
    return 2 * n


class FailingSms:
    """Refuses the one number FAILING_PHONE; on the first message it is given, can send the worker a signal."""

    worker: Worker | None = None
    sent: list[str] = []

    def send(self, phone: str, text: str) -> None:
        if FailingSms.worker is not None:
            FailingSms.worker.shutdown(signal.SIGTERM, None)  # as `kill -TERM` in the middle of a take
            FailingSms.worker = None
        if phone == FAILING_PHONE:
            raise ConnectionError("gateway refused")
        FailingSms.sent.append(phone)


@pytest.fixture(autouse=True)
def _sms(settings) -> None:  # noqa: ANN001
    settings.MOTCUA_SMS_SENDER = "tests.test_worker_takes.FailingSms"
    FailingSms.sent, FailingSms.worker = [], None


def _worker(*, batch: bool = True, max_tasks: int | None = None) -> Worker:
    return Worker(queue_names=["default"], interval=0, batch=batch, backend_name="default", startup_delay=False,
                  max_tasks=max_tasks, worker_id="w1", excluded_queue_names=[])


def _receipts(count: int, *, world: object = None, refused: bool = True) -> list[Notification]:
    """``count`` receipts, each with its e-mail and SMS and their one task (the second's SMS refused by the
    gateway unless ``refused`` is false); the rows."""
    world = world or make_world()
    for i in range(count):
        phone = FAILING_PHONE if i == 1 and refused else f"09{i:08d}"
        services.receive(procedure=world.procedure, unit=world.commune, agency=world.agency,
                         applicant=services.Applicant(name=f"Người {i}", phone=phone, email=f"a{i}@example.vn"),
                         at=at("2026-03-02 09:00") + dt.timedelta(minutes=i))
    return list(Notification.objects.order_by("pk"))


def _done(**filters: object) -> list[object]:
    return [t.return_value for t in DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL, **filters)
            .order_by("enqueued_at")]


def test_a_takes_deliveries_send_each_row_once_and_record_what_each_task_would_return(settings) -> None:  # noqa: ANN001
    settings.MOTCUA_WORKER_TASKS_PER_TAKE = 50
    notes = _receipts(4)
    tasks.enqueue(notes[0].pk)  # a second task for a row the first receipt's task names (a sweep that raced)
    tasks.enqueue(notes[-1].pk)
    _worker().run()
    failing = Notification.objects.get(recipient=FAILING_PHONE)
    # Each e-mail once, each SMS but the refused one once; the refused one back to pending, its retry queued.
    assert sorted(m.to[0] for m in mail.outbox) == [f"a{i}@example.vn" for i in range(4)]
    assert sorted(FailingSms.sent) == sorted(n.recipient for n in notes if n.channel == "sms"
                                             and n.recipient != FAILING_PHONE)
    assert set(Notification.objects.exclude(pk=failing.pk).values_list("state", flat=True)) == {State.SENT}
    assert (failing.state, failing.attempts, "gateway refused" in failing.last_error) == (State.PENDING, 1, True)
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY, args_kwargs__args=[failing.pk]).count() == 1
    # Each task: what it returns run alone, in the order taken (a row named twice: sent, then skipped).
    by_receipt = [sorted(n.channel for n in notes if n.dossier_id == d) for d in sorted({n.dossier_id for n in notes})]
    assert by_receipt == [["email", "sms"]] * 4  # deliver_many's rows in key order: the e-mail's, then the SMS's
    assert _done(task_path=tasks.deliver_many.module_path) == [
        ["sent", "sent"], ["sent", "retry"], ["sent", "sent"], ["sent", "sent"]]
    assert _done(task_path=tasks.deliver.module_path) == ["skipped", "skipped"]
    assert set(DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).values_list(
        "exception_class_path", "traceback")) == {("", "")}


def test_the_statements_of_a_take_do_not_grow_with_its_tasks(settings) -> None:  # noqa: ANN001
    settings.MOTCUA_WORKER_TASKS_PER_TAKE = 50
    counts, world = [], make_world()
    for receipts in (3, 12):
        _receipts(receipts, world=world, refused=False)
        with CaptureQueriesContext(connection) as queries:
            _worker().run()
        assert not Notification.objects.exclude(state=State.SENT).exists()
        counts.append(len(queries))
    # Take, claim the rows, mark them sent, record the tasks done; then the empty take: one at a time it was
    # four statements a task.
    assert counts[0] == counts[1] == 5


def test_a_signal_during_a_take_lets_its_tasks_finish_then_stops(settings) -> None:  # noqa: ANN001
    settings.MOTCUA_WORKER_TASKS_PER_TAKE = 2
    _receipts(3)
    worker = _worker(batch=False)  # would wait for more tasks for ever, but for the signal
    FailingSms.worker = worker
    worker.run()  # returns: no SystemExit in the middle of the take
    assert not worker.running
    done = DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).count()
    assert done == 2  # the take's two tasks finished; the third left ready for the next worker
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path=tasks.deliver_many.module_path
                                       ).count() == 1
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).exists()


def test_other_tasks_in_a_take_run_as_the_library_runs_them() -> None:
    notes = _receipts(1)
    doubled = double.enqueue(21)
    odd = tasks.deliver.enqueue("not a key")  # a delivery of an unexpected shape: the library's path, which fails it
    _worker().run()
    assert DBTaskResult.objects.get(pk=doubled.id).return_value == 42
    odd_row = DBTaskResult.objects.get(pk=odd.id)
    assert odd_row.status == TaskResultStatus.FAILED and odd_row.exception_class_path
    assert set(Notification.objects.filter(pk__in=[n.pk for n in notes]).values_list("state", flat=True)) == {
        State.SENT}


def test_a_failed_delivery_marks_the_takes_tasks_failed(monkeypatch) -> None:  # noqa: ANN001
    _receipts(2)

    def broken(ids: list[int]) -> dict[int, str]:
        raise RuntimeError("connection lost")

    monkeypatch.setattr(tasks, "deliver_rows", broken)
    _worker().run()
    assert set(DBTaskResult.objects.values_list("status", "exception_class_path")) == {
        (TaskResultStatus.FAILED, "builtins.RuntimeError")}
    assert set(Notification.objects.values_list("state", flat=True)) == {State.PENDING}  # the sweeper's to send


def test_max_tasks_counts_each_task_of_a_take(settings) -> None:  # noqa: ANN001
    settings.MOTCUA_WORKER_TASKS_PER_TAKE = 10
    _receipts(7, refused=False)
    _worker(max_tasks=5).run()
    assert DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).count() == 5
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 2


def _vacuums() -> list[int]:
    """How many times the task table and the outbox have been vacuumed by hand (VACUUM, not autovacuum)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, vacuum_count FROM pg_stat_user_tables WHERE relname IN (%s, %s)",
                       [DBTaskResult._meta.db_table, Notification._meta.db_table])
        counts = dict(cursor.fetchall())
    return [counts[DBTaskResult._meta.db_table], counts[Notification._meta.db_table]]


def test_the_worker_vacuums_its_tables_after_so_many_tasks_and_only_then(settings) -> None:  # noqa: ANN001
    settings.MOTCUA_WORKER_TASKS_PER_TAKE = 1
    settings.MOTCUA_WORKER_VACUUM_EVERY = 3
    _receipts(7, refused=False)  # one task each
    before = _vacuums()
    _worker(max_tasks=2).run()
    assert _vacuums() == before  # two tasks: not yet
    _worker().run()  # the other five: vacuumed after its third
    assert [a - b for a, b in zip(_vacuums(), before, strict=True)] == [1, 1]
    assert DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).count() == 7
    with connection.cursor() as cursor:  # the statistics of the columns the take filters and sorts on
        cursor.execute("SELECT attname FROM pg_stats WHERE tablename = %s", [DBTaskResult._meta.db_table])
        analyzed = {row[0] for row in cursor.fetchall()}
    assert analyzed >= {"status", "backend_name", "queue_name", "priority", "run_after", "enqueued_at"}


def test_the_worker_vacuums_as_often_as_asked(settings) -> None:  # noqa: ANN001
    # past the five runs after which the driver prepares a statement on its connection (settings)
    settings.MOTCUA_WORKER_TASKS_PER_TAKE = 1
    settings.MOTCUA_WORKER_VACUUM_EVERY = 1
    _receipts(7, refused=False)
    before = _vacuums()
    _worker().run()
    assert [a - b for a, b in zip(_vacuums(), before, strict=True)] == [7, 7]


def test_no_vacuum_when_turned_off_and_a_failed_vacuum_does_not_stop_the_worker(settings, monkeypatch,  # noqa: ANN001
                                                                                 caplog) -> None:  # noqa: ANN001
    settings.MOTCUA_WORKER_TASKS_PER_TAKE = 1
    settings.MOTCUA_WORKER_VACUUM_EVERY = 0
    world = make_world()
    _receipts(2, world=world, refused=False)
    before = _vacuums()
    _worker().run()
    assert _vacuums() == before
    settings.MOTCUA_WORKER_VACUUM_EVERY = 1
    _receipts(2, world=world, refused=False)
    real = CursorWrapper.execute

    def refused(self, sql, params=None):  # noqa: ANN001, ANN202
        if sql.startswith("VACUUM"):
            raise DatabaseError("must be owner of table")
        return real(self, sql, params)

    monkeypatch.setattr(CursorWrapper, "execute", refused)
    with caplog.at_level(logging.WARNING, logger="django_tasks_db"):  # `db_worker -v 0` in another test quiets it
        _worker().run()
    assert _vacuums() == before
    assert "Vacuuming the task tables failed" in caplog.text and "must be owner" in caplog.text
    assert DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).count() == 4  # every task still done
