"""The daily sequence of dossier codes: ``<agency>-<YYMMDD>-<NNNN>``, unique and never reused.

Every receipt of an agency on a day draws from the same row (``DossierCodeSequence``, one per code
prefix). Drawn inside the receipt's transaction, that row stays locked until the receipt commits,
so the agency's counters queue behind one another for the whole end of each other's receipts. On
PostgreSQL the draw is therefore its own transaction, on a connection of its own (a small pool per
process): the row is locked for one statement. A receipt that fails after its draw leaves a number
unused — a gap, never a reuse, which is what the code's rule asks. SQLite has one writer at a
time anyway: there the draw stays in the receipt's transaction (``MOTCUA_CODES_APART`` = False does
the same on PostgreSQL).

Apart, a draw is one statement, its own transaction, whose commit does not wait for its record to reach
the disk (``set_config('synchronous_commit', 'off', true)``, for that transaction only: no session
setting, as transaction pooling needs). Waiting, it held the day's row through a flush of the log, so
the agency's counters queued behind each other's flushes, and each draw cost a flush of its own. No
number can be given twice for it: the log is written in order, and the receipt that takes the number
commits after the draw, so its own commit, which does wait, brings the draw's record to the disk with
it. A crash loses only draws that no committed receipt holds: numbers never given, drawn again after the
restart.
"""
from __future__ import annotations

import functools
import threading
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Model

from motcua.dossiers.models import DossierCodeSequence

_POOL: list[Any] = []  # idle connections of this process
_POOL_SIZE = 4
_LOCK = threading.Lock()
drawn_apart = threading.Event()  # set once a code was drawn on a connection of its own (tests clean up)


def _sql() -> str:
    table = connection.ops.quote_name(DossierCodeSequence._meta.db_table)
    return (f"INSERT INTO {table} (prefix, last) VALUES (%s, 1) "
            f"ON CONFLICT (prefix) DO UPDATE SET last = {table}.last + 1 RETURNING last")


def apart() -> bool:
    """Whether codes are drawn in their own transaction (PostgreSQL, unless the setting says no)."""
    return connection.vendor == "postgresql" and getattr(settings, "MOTCUA_CODES_APART", True)


def _connect() -> Any:
    import psycopg

    s = connection.settings_dict
    params = {"dbname": s["NAME"], "user": s.get("USER") or None, "password": s.get("PASSWORD") or None,
              "host": s.get("HOST") or None, "port": s.get("PORT") or None, **(s.get("OPTIONS") or {})}
    for django_only in ("pool", "server_side_binding", "isolation_level", "assume_role"):
        params.pop(django_only, None)
    conn = psycopg.connect(autocommit=True, **{k: v for k, v in params.items() if v is not None})
    # Prepared on the server only when the settings prepare Django's statements too: not behind pgbouncer in
    # transaction mode (MOTCUA_PGBOUNCER), where the next transaction may run on another server connection that
    # never saw the statement (the driver's own default prepares a statement at its sixth run).
    if "prepare_threshold" not in params:
        conn.prepare_threshold = None
    return conn


def _take() -> Any:
    with _LOCK:
        while _POOL:
            conn = _POOL.pop()
            if not conn.closed:
                return conn
    return _connect()


def _give_back(conn: Any) -> None:
    with _LOCK:
        if len(_POOL) < _POOL_SIZE and not conn.closed:
            _POOL.append(conn)
            return
    conn.close()


def pooled() -> list[Any]:
    """This process's idle code connections (the bench counts their sessions' CPU)."""
    with _LOCK:
        return [conn for conn in _POOL if not conn.closed]


def close_all() -> None:
    """Close this process's code connections (tests, before their database is dropped)."""
    with _LOCK:
        while _POOL:
            _POOL.pop().close()


def draw(prefix: str) -> int:
    """The next number of ``prefix``'s sequence."""
    if not apart():
        with connection.cursor() as cursor:
            cursor.execute(_sql(), [prefix])
            return cursor.fetchone()[0]
    return _draw_apart(prefix, None)[0]


def draw_with_key(prefix: str, model: type[Model]) -> tuple[int, int]:
    """Apart only (``apart()``): the next number of ``prefix``'s sequence, and the next key of ``model``'s
    table, taken from its sequence in the same round trip (sequences are not transactional: the key is
    the caller's whether its transaction commits or not, a gap if not), so that the new row's INSERT
    needs no answer before the rows that refer to it are sent."""
    number, key = _draw_apart(prefix, model)
    assert key is not None
    return number, key


def _draw_apart(prefix: str, model: type[Model] | None) -> tuple[int, int | None]:
    conn = _take()
    try:
        keyed = [] if model is None else [model._meta.db_table, model._meta.pk.column]
        row = conn.execute(_apart_sql(keyed=bool(keyed)), [prefix, *keyed]).fetchone()  # one statement, alone
    except Exception:
        conn.close()
        raise
    _give_back(conn)
    drawn_apart.set()
    return row[0], row[1]  # the key NULL when none was asked for


@functools.cache
def _apart_sql(*, keyed: bool) -> str:
    """The draw as one statement, run alone (autocommit: its own transaction): the transaction's commit
    told not to wait for the disk (``set_config(…, true)``: this transaction only), the number, and with
    ``keyed`` the next key from the sequence of a table's column (the parameters after the prefix)."""
    key = "nextval(pg_get_serial_sequence(%s, %s))" if keyed else "NULL"
    return (f"WITH unsynced AS (SELECT set_config('synchronous_commit', 'off', true)), drawn AS ({_sql()}) "
            f"SELECT drawn.last, {key} FROM drawn, unsynced")


def forget_all() -> None:
    """Empty the sequences through a connection of their own (tests: each starts at 0001 again)."""
    conn = _take()
    try:
        conn.execute(f"DELETE FROM {connection.ops.quote_name(DossierCodeSequence._meta.db_table)}")
    finally:
        _give_back(conn)
    drawn_apart.clear()
