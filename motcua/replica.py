"""Reports and dashboards read from a streaming standby, when one is configured.

With ``MOTCUA_REPLICA_URL`` set (a PostgreSQL hot standby of the primary, e.g. made with
``pg_basebackup -R``), the database alias ``replica`` exists, and every read made while serving a
path under ``MOTCUA_REPLICA_PATHS`` (statistics, public dashboard, the report API) goes to it —
except the tables of sign-in and sessions, which must see the primary's latest writes. Writes always
go to the primary. A standby lags the primary by a moment: fine for figures, never used for a
dossier being worked on. Without the setting nothing changes.
"""
from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
_reading_reports: contextvars.ContextVar[bool] = contextvars.ContextVar("motcua_reports", default=False)
PRIMARY_ONLY_APPS = frozenset({"auth", "sessions", "contenttypes", "admin", "office", "api", "django_tasks_db"})


@contextmanager
def reports() -> Iterator[None]:
    """Reads inside go to the standby (when configured)."""
    token = _reading_reports.set(True)
    try:
        yield
    finally:
        _reading_reports.reset(token)


class ReportsToReplica:
    """Django database router: reads of report code to ``replica``, everything else to the default."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        if REPLICA in settings.DATABASES and _reading_reports.get() and (
                model._meta.app_label not in PRIMARY_ONLY_APPS):
            return REPLICA
        return None

    def db_for_write(self, model: type[Model], **hints: Any) -> str | None:
        return "default"

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        return True  # the same data on both

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db != REPLICA  # a standby follows the primary's schema by itself


class ReportReads:
    """Middleware: the requests under MOTCUA_REPLICA_PATHS read in ``reports()``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.prefixes = tuple(getattr(settings, "MOTCUA_REPLICA_PATHS", ()))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if REPLICA in settings.DATABASES and request.method in ("GET", "HEAD") and request.path.startswith(
                self.prefixes):
            with reports():
                return self.get_response(request)
        return self.get_response(request)
