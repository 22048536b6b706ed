"""The task worker (`manage.py db_worker`): django-tasks-db's, each task taken by one statement on PostgreSQL.

The library's worker takes a task in a transaction of four round trips — BEGIN, a SELECT … FOR UPDATE
SKIP LOCKED of the ready rows, an UPDATE marking the row found running, COMMIT — and builds two
querysets for it. Under a burst of receipts it spent more CPU taking its tasks than doing them.

Here, on PostgreSQL, one ``UPDATE … WHERE id = (SELECT … ORDER BY … LIMIT 1 FOR UPDATE SKIP LOCKED)
RETURNING …`` takes a task: the same rows (ready, due, of this backend and these queues), the same order
(priority, then run_after, then enqueued_at), the same lock that lets several workers share the queue,
and the same row afterwards (RUNNING, its start, this worker's id added to its list). The rest is the
library's: running the task, recording its result, its signals, ``--batch``, ``--max-tasks``, stopping
on a signal. On SQLite the library's own loop runs (its transaction there is exclusive; no FOR UPDATE).
"""
from __future__ import annotations

import json
import logging
import random
import time

from django.db import close_old_connections, connections, router
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult, get_date_max

from motcua.prepared import returned

logger = logging.getLogger("django_tasks_db")  # the library's logger, which its command configures


class Worker(db_worker.Worker):
    _sql: str | None = None  # the take's statement, built at the first take

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
            found = self.take(using)
            if found is not None:
                self.run_task(found)
            elif self.batch:
                logger.info("No more tasks to run for worker_id=%s - exiting gracefully.", self.worker_id)
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                logger.info("Run maximum tasks (%d) on worker=%s - exiting gracefully.", self.max_tasks,
                            self.worker_id)
                return
            if self.running and found is None:
                time.sleep(self.interval)

    def take(self, using: str) -> DBTaskResult | None:
        """The next ready task, marked running by this worker, or None."""
        now = timezone.now()
        params: list[object] = [TaskResultStatus.RUNNING, now, json.dumps([self.worker_id]),
                                TaskResultStatus.READY, get_date_max(), now, self.backend_name]
        if not self.process_all_queues:
            params.append(self.queue_names)
        if self.excluded_queue_names:
            params.append(self.excluded_queue_names)
        found = returned(DBTaskResult, self._take_sql(using), params, using)
        return found[0] if found else None

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
                         f"WHERE {key} = (SELECT {key} FROM {table} WHERE {' AND '.join(where)} "
                         f"ORDER BY {priority} DESC, {run_after}, {enqueued} LIMIT 1 FOR UPDATE SKIP LOCKED)")
        return self._sql
