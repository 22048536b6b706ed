"""The health check of a persistent PostgreSQL connection (motcua/postgresql/base.py): a connection in good
health is found usable without a round trip to the server; one the server has ended is found unusable, and
the next request's first use of the database gets a new connection instead of an error. What the
connection last sent is read from the server's own view of its sessions (pg_stat_activity)."""
from __future__ import annotations

import time

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.db.backends.postgresql import base as django_postgresql

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _admin() -> psycopg.Connection:
    db = settings.DATABASES["default"]
    return psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"],
                           dbname="postgres", autocommit=True)


def _last_statement(pid: int) -> str:
    # pg_stat_activity is read as of the reading transaction's first look: a new connection each time.
    with _admin() as admin:
        row = admin.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()
    return row[0] if row else ""


def _marked() -> int:
    """The connection open and idle, its last statement a marker; its server process's id."""
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'health-check-marker', pg_backend_pid()")
        return cursor.fetchone()[1]


def test_the_projects_settings_use_this_backend() -> None:
    assert settings.DATABASES["default"]["ENGINE"] == "motcua.postgresql"
    assert connection.vendor == "postgresql"


def test_a_connection_in_good_health_is_usable_without_a_round_trip() -> None:
    pid = _marked()
    assert connection.is_usable()
    assert "health-check-marker" in _last_statement(pid)
    # Django's own check sends a statement, which the same reading sees (the reading can fail).
    assert django_postgresql.DatabaseWrapper.is_usable(connection)
    assert _last_statement(pid) == "SELECT 1"


def test_a_connection_the_server_ended_is_unusable_and_replaced_before_a_request_uses_it() -> None:
    pid = _marked()
    with _admin() as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()[0]
    for _ in range(100):  # the server's message and the end of the stream reach the socket
        if not connection.is_usable():
            break
        time.sleep(0.02)
    assert not connection.is_usable()
    # As at a request's start with a persistent connection: checked, closed, and opened anew at first use.
    connection.health_check_done = False
    connection.close_if_health_check_failed()
    assert connection.connection is None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid


def test_a_connection_inside_a_transaction_is_asked_as_django_asks() -> None:
    pid = _marked()
    with connection.cursor() as cursor:
        cursor.execute("BEGIN")
        try:
            assert connection.is_usable()
            assert _last_statement(pid) == "SELECT 1"
        finally:
            cursor.execute("ROLLBACK")


def test_a_closed_connection_is_unusable() -> None:
    _marked()
    connection.connection.close()
    assert not connection.is_usable()
    connection.close()
