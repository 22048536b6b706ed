"""motcua's task worker (`manage.py db_worker`, motcua.notifications.worker): on PostgreSQL it takes each
task with one UPDATE … RETURNING. It must take the very tasks, in the very order, the library's worker
would, leave each as the library's claim does, and never give one task to two workers."""
from __future__ import annotations

import datetime as dt
import threading
import uuid

import pytest
from django.core.management import call_command, get_commands
from django.db import connection, connections
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from motcua.notifications.worker import Worker

pytestmark = pytest.mark.django_db(transaction=True)
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-statement take: PostgreSQL")
TASK = "motcua.notifications.tasks.deliver"


def _worker(queues: list[str] | None = None, excluded: list[str] | None = None, worker_id: str = "w1") -> Worker:
    return Worker(queue_names=queues or ["default"], interval=0, batch=True, backend_name="default",
                  startup_delay=False, max_tasks=None, worker_id=worker_id, excluded_queue_names=excluded or [])


def _task(n: int, *, priority: int = 0, queue: str = "default", backend: str = "default",
          status: str = TaskResultStatus.READY, run_after: dt.datetime | None = None,
          enqueued_at: dt.datetime | None = None) -> DBTaskResult:
    row = DBTaskResult.objects.create(
        args_kwargs={"args": [n], "kwargs": {}}, priority=priority, task_path=TASK, queue_name=queue,
        backend_name=backend, status=status, run_after=run_after or get_date_max(), worker_ids=["before"])
    if enqueued_at is not None:  # auto_now_add: set afterwards
        DBTaskResult.objects.filter(pk=row.pk).update(enqueued_at=enqueued_at)
    return row


def _mixed_queue() -> None:
    """Tasks of every kind the take must tell apart, enqueued in an order that is not their priority's."""
    now = timezone.now()
    _task(1, priority=0, enqueued_at=now - dt.timedelta(minutes=5))
    _task(2, priority=10)
    _task(3, priority=0, enqueued_at=now - dt.timedelta(minutes=9))
    _task(4, priority=-5)
    _task(5, priority=0, run_after=now - dt.timedelta(minutes=1))  # due: before the ones with no run_after
    _task(6, priority=50, run_after=now + dt.timedelta(hours=1))  # not due yet
    _task(7, priority=50, queue="reports")  # another queue
    _task(8, priority=50, backend="other")  # another backend
    _task(9, priority=50, status=TaskResultStatus.RUNNING)
    _task(10, priority=50, status=TaskResultStatus.SUCCESSFUL)


def _library_order(queues: list[str] | None = None, excluded: list[str] | None = None) -> list[int]:
    """What the library's worker would take, one after the other: its own queryset, in the model's order."""
    tasks = DBTaskResult.objects.ready().filter(backend_name="default")
    if queues is not None:
        tasks = tasks.filter(queue_name__in=queues)
    if excluded:
        tasks = tasks.exclude(queue_name__in=excluded)
    return [t.args_kwargs["args"][0] for t in tasks]


def _take(worker: Worker) -> DBTaskResult | None:
    """The worker's next task, taken alone."""
    found = worker.take_many("default", 1)
    return found[0] if found else None


def _take_all(worker: Worker) -> list[DBTaskResult]:
    taken = []
    while (found := _take(worker)) is not None:
        taken.append(found)
    return taken


def test_manage_py_db_worker_runs_motcuas_worker(monkeypatch) -> None:  # noqa: ANN001
    """The command is this app's, and the worker it runs is motcua's: on PostgreSQL its take takes the task;
    on SQLite the library's loop runs and the take is never called."""
    assert get_commands()["db_worker"] == "motcua.notifications"
    taken: list[DBTaskResult | None] = []
    real = Worker.take_many

    def spy(self: Worker, using: str, limit: int) -> list[DBTaskResult]:
        found = real(self, using, limit)
        taken.extend(found or [None])
        return found

    monkeypatch.setattr(Worker, "take_many", spy)
    task = _task(1)  # a delivery of a row that does not exist: skipped, and the task done
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)
    assert DBTaskResult.objects.get(pk=task.pk).status == TaskResultStatus.SUCCESSFUL
    if connection.vendor == "postgresql":
        assert [t.pk if t else None for t in taken] == [task.pk, None]
    else:
        assert taken == []


@on_postgresql
@pytest.mark.parametrize(("queues", "excluded"), [(["default"], None), (["*"], None), (["*"], ["reports"]),
                                                  (["reports"], None)])
def test_the_take_gives_the_librarys_tasks_in_its_order_each_marked_running(queues, excluded) -> None:  # noqa: ANN001
    _mixed_queue()
    expected = _library_order(None if queues == ["*"] else queues, excluded)
    assert expected  # every case takes something
    before = timezone.now()
    taken = _take_all(_worker(queues, excluded))
    assert [t.args_kwargs["args"][0] for t in taken] == expected
    for found in taken:
        stored = DBTaskResult.objects.get(pk=found.pk)
        assert (stored.status, stored.worker_ids) == (TaskResultStatus.RUNNING, ["before", "w1"])
        assert stored.started_at >= before
        fields = [f.attname for f in DBTaskResult._meta.concrete_fields]
        assert {f: getattr(found, f) for f in fields} == {f: getattr(stored, f) for f in fields}
    assert _library_order(None if queues == ["*"] else queues, excluded) == []  # none left ready


@on_postgresql
def test_a_task_locked_by_another_worker_is_passed_over_not_waited_for() -> None:
    first, second = _task(1, priority=9), _task(2)
    locked, release = threading.Event(), threading.Event()

    def other_worker() -> None:  # in the middle of taking the first task: its row locked, not yet marked
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("BEGIN")
                cursor.execute(f"SELECT 1 FROM {DBTaskResult._meta.db_table} WHERE id = %s FOR UPDATE",
                               [first.pk])
                locked.set()
                release.wait(10)
                cursor.execute("ROLLBACK")
        finally:
            connections["default"].close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert locked.wait(10)
        found = _take(_worker())
        assert found is not None and found.pk == second.pk  # at once, without waiting for the lock
    finally:
        release.set()
        thread.join()
    assert _take(_worker()).pk == first.pk  # the lock gone, the first is taken


@on_postgresql
def test_workers_taking_at_once_take_every_task_once() -> None:
    """Eight workers at once, each with its own connection, until the queue is empty."""
    expected = {_task(n).pk for n in range(200)}
    taken: dict[str, list[uuid.UUID]] = {}
    start = threading.Barrier(8)

    def work(name: str) -> None:
        try:
            start.wait(10)
            taken[name] = [t.pk for t in _take_all(_worker(worker_id=name))]
        finally:
            connections["default"].close()

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [pk for pks in taken.values() for pk in pks]
    assert len(every) == len(set(every)) == len(expected) and set(every) == expected
    assert sum(1 for pks in taken.values() if pks) > 1  # they did share the queue
    for name, pks in taken.items():  # each row names the worker that took it
        assert all(w == ["before", name] for w in DBTaskResult.objects.filter(pk__in=pks)
                   .values_list("worker_ids", flat=True))
