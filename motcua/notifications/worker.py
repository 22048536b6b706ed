"""The task worker (`manage.py db_worker`): django-tasks-db's, each task taken by one statement on PostgreSQL.

The library's worker takes a task in a transaction of four round trips — BEGIN, a SELECT … FOR UPDATE
SKIP LOCKED of the ready rows, an UPDATE marking the row found running, COMMIT — and builds two
querysets for it. Under a burst of receipts it spent more CPU taking its tasks than doing them.

Here, on PostgreSQL, one ``UPDATE … WHERE id IN (SELECT … ORDER BY … LIMIT n FOR UPDATE SKIP LOCKED)
RETURNING …`` takes the next n tasks: the same rows (ready, due, of this backend and these queues), the same order
(priority, then run_after, then enqueued_at), the same lock that lets several workers share the queue,
and the same row afterwards (RUNNING, its start, this worker's id added to its list).

Each take takes up to ``MOTCUA_WORKER_TASKS_PER_TAKE`` tasks (10). The deliveries among them (``deliver``,
``deliver_many``: nearly every task) run together: their rows claimed by one UPDATE, sent one by one, marked
sent by one UPDATE, and the tasks recorded done by one UPDATE, each with the return value the task itself
would have given. One at a time, a delivery cost four statements and four commits, and during a burst of
receipts the worker fell behind them (3,120 tasks queued in one run of bench/http.py). Any other task runs as the
library runs it (its result, its signals). The rest is the library's: ``--batch``, ``--max-tasks``,
stopping on a signal — a signal during a take's tasks lets them all finish, as it lets one task finish.
On SQLite the library's own loop runs (its transaction there is exclusive; no FOR UPDATE).

Each task taken leaves its old row version behind (its status is in the take's index), and so does each
message sent. A take's index scan walks those dead entries until a VACUUM clears them: during a burst of
receipts, with autovacuum's defaults (a table's fifth dead, looked at once a minute) or without it, a take
walked tens of thousands (8 ms a take; 0.5 ms vacuumed, docs/benchmarks.md). So after every
``MOTCUA_WORKER_VACUUM_EVERY`` tasks (5,000; 0: never) the worker vacuums the two tables it churns, between
takes, and refreshes the statistics the take's plan rests on.
"""
from __future__ import annotations

import json
import logging
import random
import time

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connections, router
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult, get_date_max

from motcua.notifications import tasks
from motcua.notifications.models import Notification
from motcua.prepared import returned

logger = logging.getLogger("django_tasks_db")  # the library's logger, which its command configures


DELIVERIES = {tasks.deliver.module_path: False, tasks.deliver_many.module_path: True}  # path: takes a list
# The tables the worker churns, and the columns their takes and sweeps filter and sort on: the statistics the
# planner needs to walk the ready tasks' index (without them it read the whole table's backend index at each take).
# The whole tables' statistics took four times as long (their JSON).
_SORTED_ON = ((DBTaskResult, ("status", "backend_name", "queue_name", "priority", "run_after", "enqueued_at")),
              (Notification, ("state", "next_attempt_at")))


class Worker(db_worker.Worker):
    _sql: str | None = None  # the take's statement, built at the first take
    _in_take = False  # running a take's tasks: a signal lets them finish
    _in_task = False
    _run_at_vacuum = 0  # the tasks run when the worker last vacuumed its tables

    @property
    def running_task(self) -> bool:  # the library's flag, which its run_task sets and clears for each task
        return self._in_take or self._in_task

    @running_task.setter
    def running_task(self, value: bool) -> None:
        self._in_task = value

    def run(self) -> None:
        using = router.db_for_write(DBTaskResult)
        if connections[using].vendor != "postgresql":
            super().run()
            return
        logger.info("Starting worker worker_id=%s queues=%s", self.worker_id, ",".join(self.queue_names))
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # noqa: S311 - as the library: workers started together spread out
        while self.running:
            close_old_connections()  # a connection dropped or past its age is replaced
            found = self.take_many(using, self._room())
            if found:
                self.run_tasks(found)
                self.keep_lean(using)
            elif self.batch:
                logger.info("No more tasks to run for worker_id=%s - exiting gracefully.", self.worker_id)
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                logger.info("Run maximum tasks (%d) on worker=%s - exiting gracefully.", self.max_tasks,
                            self.worker_id)
                return
            if self.running and not found:
                time.sleep(self.interval)

    def keep_lean(self, using: str) -> None:
        """Every ``MOTCUA_WORKER_VACUUM_EVERY`` tasks run, vacuum the task and outbox tables and refresh the
        statistics of the columns their takes and sweeps filter and sort on (outside any transaction, as VACUUM
        must be). A refusal or a failure is logged and the worker goes on: the next try is as many tasks later."""
        every = getattr(settings, "MOTCUA_WORKER_VACUUM_EVERY", 5000)
        if every <= 0 or self._run_tasks - self._run_at_vacuum < every:
            return
        self._run_at_vacuum = self._run_tasks
        connection = connections[using]
        quote = connection.ops.quote_name
        tables = ", ".join(
            f"{quote(model._meta.db_table)} ({', '.join(quote(model._meta.get_field(f).column) for f in fields)})"
            for model, fields in _SORTED_ON)
        started = time.perf_counter()
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM (ANALYZE) {tables}")
        except DatabaseError as exc:
            logger.warning("Vacuuming the task tables failed (worker_id=%s): %s", self.worker_id, exc)
            return
        logger.info("Vacuumed the task tables in %.0f ms worker_id=%s", 1000 * (time.perf_counter() - started),
                    self.worker_id)

    def _room(self) -> int:
        """How many tasks the next take takes: the setting's, within what ``--max-tasks`` leaves."""
        per_take = max(1, getattr(settings, "MOTCUA_WORKER_TASKS_PER_TAKE", 10))
        return per_take if self.max_tasks is None else max(1, min(per_take, self.max_tasks - self._run_tasks))

    def take_many(self, using: str, limit: int) -> list[DBTaskResult]:
        """Up to ``limit`` ready tasks, the next in the library's order, marked running by this worker; in that
        order."""
        now = timezone.now()
        params: list[object] = [TaskResultStatus.RUNNING, now, json.dumps([self.worker_id]),
                                TaskResultStatus.READY, get_date_max(), now, self.backend_name]
        if not self.process_all_queues:
            params.append(self.queue_names)
        if self.excluded_queue_names:
            params.append(self.excluded_queue_names)
        found = returned(DBTaskResult, self._take_sql(using), [*params, limit], using)
        return sorted(found, key=lambda t: (-t.priority, t.run_after, t.enqueued_at))

    def run_tasks(self, found: list[DBTaskResult]) -> None:
        """A take's tasks: the deliveries together (``run_deliveries``), any other as the library runs it."""
        self._in_take = True
        try:
            rows = {t.pk: pks for t in found if (pks := _rows_of(t)) is not None}
            for other in (t for t in found if t.pk not in rows):
                self.run_task(other)
            if rows:
                self.run_deliveries([t for t in found if t.pk in rows], rows)
        finally:
            self._in_take = False

    def run_deliveries(self, found: list[DBTaskResult], rows: dict[object, list[int]]) -> None:
        """Delivery tasks (``rows``: each one's outbox rows), their rows delivered together
        (``tasks.deliver_rows``) and the tasks recorded done by one UPDATE, each with the value it would
        have returned (a row named by two tasks: sent for the first, skipped for the second, as one after
        the other). Should the delivery itself fail (the database), each task is recorded failed, as the
        library records a task that raised."""
        try:
            outcomes = tasks.deliver_rows(list(dict.fromkeys(pk for pks in rows.values() for pk in pks)))
        except Exception as exc:  # noqa: BLE001 - recorded on the tasks, as the library's run_task does
            logger.exception("Delivering the rows of %d tasks failed", len(found))
            for task in found:
                task.set_failed(exc)
            self._run_tasks += len(found)
            return
        done: set[int] = set()
        values: list[object] = []
        for task in found:
            outcome = []
            for pk in rows[task.pk]:
                outcome.append("skipped" if pk in done else outcomes[pk])
                done.add(pk)
            values.append(outcome if DELIVERIES[task.task_path] else outcome[0])
        self._finish(found, values)
        self._run_tasks += len(found)
        logger.info("Delivered %d tasks (%d rows sent) worker_id=%s", len(found),
                    sum(1 for o in outcomes.values() if o == "sent"), self.worker_id)

    def _finish(self, found: list[DBTaskResult], values: list[object]) -> None:
        """The tasks SUCCESSFUL with these return values, as the library's ``set_successful`` leaves each, by one
        UPDATE … FROM unnest(keys, values)."""
        meta = DBTaskResult._meta
        using = found[0]._state.db or router.db_for_write(DBTaskResult)
        connection = connections[using]
        quote = connection.ops.quote_name
        table, key = quote(meta.db_table), quote(meta.pk.column)
        status, finished, value, exception, trace = (quote(meta.get_field(n).column) for n in (
            "status", "finished_at", "return_value", "exception_class_path", "traceback"))
        sql = (f"UPDATE {table} SET {status} = %s, {finished} = %s, {value} = v.value::jsonb, {exception} = '', "
               f"{trace} = '' FROM unnest(%s::uuid[], %s::text[]) AS v(id, value) WHERE {table}.{key} = v.id")
        with connection.cursor() as cursor:
            cursor.execute(sql, [TaskResultStatus.SUCCESSFUL, timezone.now(), [t.pk for t in found],
                                 [json.dumps(v) for v in values]])

    def _take_sql(self, using: str) -> str:
        if self._sql is None:
            meta, quote = DBTaskResult._meta, connections[using].ops.quote_name
            table, key = quote(meta.db_table), quote(meta.pk.column)
            status, started, workers, run_after, backend, queue, priority, enqueued = (
                quote(meta.get_field(name).column) for name in (
                    "status", "started_at", "worker_ids", "run_after", "backend_name", "queue_name", "priority",
                    "enqueued_at"))
            where = [f"{status} = %s", f"({run_after} = %s OR {run_after} <= %s)", f"{backend} = %s"]
            if not self.process_all_queues:
                where.append(f"{queue} = ANY(%s)")
            if self.excluded_queue_names:
                where.append(f"NOT ({queue} = ANY(%s))")
            self._sql = (f"UPDATE {table} SET {status} = %s, {started} = %s, {workers} = {workers} || %s::jsonb "
                         f"WHERE {key} IN (SELECT {key} FROM {table} WHERE {' AND '.join(where)} "
                         f"ORDER BY {priority} DESC, {run_after}, {enqueued} LIMIT %s FOR UPDATE SKIP LOCKED)")
        return self._sql


def _rows_of(task: DBTaskResult) -> list[int] | None:
    """The outbox rows a delivery task delivers (``deliver(pk)``, ``deliver_many([pk, …])``); None for any other
    task, or a delivery whose arguments are not of that shape (the library's run_task records its error)."""
    takes_list = DELIVERIES.get(task.task_path)
    args = task.args_kwargs.get("args") if isinstance(task.args_kwargs, dict) else None
    if takes_list is None or not isinstance(args, list) or len(args) != 1 or task.args_kwargs.get("kwargs"):
        return None
    pks = args[0] if takes_list else [args[0]]
    if not isinstance(pks, list) or not pks or not all(type(pk) is int for pk in pks):
        return None
    return pks
