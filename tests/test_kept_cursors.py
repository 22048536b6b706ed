"""The cursors kept per connection for the hot paths' statements (motcua/kept_cursors.py)."""
from __future__ import annotations

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from motcua import kept_cursors
from motcua.kept_cursors import kept_cursor

pytestmark = pytest.mark.django_db
postgres = pytest.mark.skipif(connection.vendor != "postgresql",
                              reason="PostgreSQL: elsewhere every block gets a new cursor (the last test)")

SQL = "SELECT %s + 1"


def _run(key: object, value: int) -> tuple[object, int]:
    with kept_cursor(connection, key) as cursor:
        cursor.execute(SQL, [value])
        return cursor, cursor.fetchone()[0]


@pytest.fixture(autouse=True)
def _fresh() -> None:
    kept_cursors.forget(connections["default"])


@postgres
def test_a_statement_run_again_gets_the_cursor_kept_for_it_and_its_own_answer() -> None:
    first, one = _run(SQL, 1)
    again, two = _run(SQL, 41)
    other, _ = _run("another key", 1)
    assert (one, two) == (2, 42)
    assert again is first and other is not first
    assert not first.cursor.closed


@postgres
def test_the_same_key_twice_at_once_gets_two_cursors_and_one_is_kept() -> None:
    with kept_cursor(connection, SQL) as outer, kept_cursor(connection, SQL) as inner:
        assert inner is not outer
        outer.execute(SQL, [1])
        inner.execute(SQL, [2])
        assert (outer.fetchone()[0], inner.fetchone()[0]) == (2, 3)
    assert not inner.cursor.closed and outer.cursor.closed  # the first given back is kept, the other closed
    assert _run(SQL, 0)[0] is inner


@postgres
def test_a_block_that_raises_closes_its_cursor() -> None:
    with pytest.raises(ZeroDivisionError), kept_cursor(connection, SQL) as failed:
        failed.execute(SQL, [1])
        raise ZeroDivisionError
    assert failed.cursor.closed
    assert _run(SQL, 1)[0] is not failed


@postgres
@pytest.mark.django_db(transaction=True)
def test_a_new_connection_starts_afresh() -> None:
    before, _ = _run(SQL, 1)
    connection.close()
    after, value = _run(SQL, 1)
    assert after is not before and value == 2


@postgres
def test_while_queries_are_logged_each_block_gets_a_new_cursor_that_logs() -> None:
    kept, _ = _run(SQL, 1)
    with CaptureQueriesContext(connection) as captured:
        logged, _ = _run(SQL, 2)
        again, _ = _run(SQL, 3)
    assert logged is not kept and again is not logged
    assert [q["sql"] for q in captured.captured_queries] == [SQL.replace("%s", "2"), SQL.replace("%s", "3")]
    assert _run(SQL, 4)[0] is kept  # not logging any more: the kept one again


@postgres
def test_at_most_so_many_cursors_are_kept() -> None:
    found = {_run(f"key {n}", n)[0] for n in range(kept_cursors.MOST + 5)}
    kept = [c for c in found if not c.cursor.closed]
    assert len(found) == kept_cursors.MOST + 5 and len(kept) == kept_cursors.MOST


def test_on_sqlite_every_block_gets_a_new_cursor(on_postgres: bool) -> None:
    if on_postgres:
        pytest.skip("SQLite")
    first, one = _run(SQL, 1)
    again, two = _run(SQL, 2)
    assert again is not first and (one, two) == (2, 3)
