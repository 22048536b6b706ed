"""`manage.py db_worker`: django-tasks-db's command, running motcua's worker (``motcua.notifications.worker``:
each task taken by one statement on PostgreSQL). The options are the library's. This app comes before
django_tasks_db in INSTALLED_APPS, so this command is the one `manage.py db_worker` runs."""
from __future__ import annotations

from typing import Any

from django_tasks_db.management.commands import db_worker

from motcua.notifications.worker import Worker


class Command(db_worker.Command):
    def handle(self, **options: Any) -> None:
        # The library's handle builds its worker by this module-level name (its options, its reloader, its
        # signals): motcua's worker, a subclass, in its place.
        db_worker.Worker = Worker
        super().handle(**options)
