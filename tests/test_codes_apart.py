"""Dossier codes on PostgreSQL: drawn in a transaction of their own, so that a receipt still open
does not hold its agency's sequence of the day (the counters of a busy centre would queue behind it),
and never reused; on SQLite, and with MOTCUA_CODES_APART off, drawn inside the receipt."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection, transaction

from motcua.dossiers import codes, services
from motcua.dossiers.models import Dossier, DossierCodeSequence
from tests.factories import World, at, make_world

WHEN = at("2026-03-02 09:00")


def _receive(world: World, unit: object, n: int) -> Dossier:
    """A receipt at the world's agency, counted in ``unit``'s rollups (two units: no rollup row shared)."""
    return services.receive(procedure=world.procedure, unit=unit, agency=world.agency, at=WHEN,
                            applicant=services.Applicant(name=f"Người nộp {n}", phone="0912345678"))


@pytest.mark.django_db(transaction=True)
def test_a_receipt_left_open_does_not_hold_the_days_codes(on_postgres: bool) -> None:
    if not on_postgres:
        pytest.skip("PostgreSQL: SQLite has one writer at a time whatever the codes")
    world = make_world()
    drawn, release, done = threading.Event(), threading.Event(), threading.Event()
    codes_seen: list[str] = []

    def slow_counter() -> None:
        try:
            with transaction.atomic():
                codes_seen.append(_receive(world, world.commune, 1).code)
                drawn.set()
                release.wait(30)  # the receipt's transaction stays open: its code is drawn
        finally:
            connection.close()
            done.set()

    first = threading.Thread(target=slow_counter)
    first.start()
    try:
        assert drawn.wait(30)
        second: list[str] = []
        other = threading.Thread(target=lambda: (second.append(_receive(world, world.other_commune, 2).code),
                                                 connection.close()))
        other.start()
        other.join(20)
        # The second counter got its code and committed while the first receipt is still open.
        assert not other.is_alive() and second, "the second receipt waited for the first one's commit"
    finally:
        release.set()
        first.join(30)
    assert done.is_set()
    assert codes_seen == ["X91-260302-0001"] and second == ["X91-260302-0002"]


@pytest.mark.django_db(transaction=True)
def test_a_receipt_that_fails_after_its_draw_leaves_a_gap_never_a_reuse(on_postgres: bool) -> None:
    world = make_world()
    with pytest.raises(RuntimeError), transaction.atomic():
        _receive(world, world.commune, 1)
        raise RuntimeError("the receipt's transaction fails after its code was drawn")
    later = _receive(world, world.commune, 2)
    assert Dossier.objects.count() == 1
    # Apart (PostgreSQL), the first number stays used; inside the receipt (SQLite) it rolled back with it.
    assert later.code == ("X91-260302-0002" if codes.apart() else "X91-260302-0001")
    assert DossierCodeSequence.objects.get().last == (2 if codes.apart() else 1)


@pytest.mark.django_db
def test_the_setting_keeps_the_draw_in_the_receipt(settings, world_codes: World) -> None:  # noqa: ANN001
    settings.MOTCUA_CODES_APART = False
    assert not codes.apart()
    with transaction.atomic():
        d = _receive(world_codes, world_codes.commune, 1)
        assert d.code == "X91-260302-0001"
        transaction.set_rollback(True)
    assert not DossierCodeSequence.objects.exists()  # rolled back with the receipt


@pytest.fixture
def world_codes() -> World:
    return make_world()


def _flushes_for(draw: Callable[[], object], times: int = 20) -> int:
    """How many times the log was flushed to the disk while ``draw`` ran ``times`` times on a fresh code
    connection (pg_stat_wal, which a session reports in full when it ends)."""
    def flushes() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute("SELECT wal_sync FROM pg_stat_wal")
            return cursor.fetchone()[0]

    codes.close_all()
    before = flushes()
    for _ in range(times):
        draw()
    codes.close_all()  # its session ends: its counts reported
    for _ in range(50):
        time.sleep(0.02)
        if flushes() != before:
            break
    return flushes() - before


@pytest.mark.django_db(transaction=True)
def test_a_draw_apart_commits_without_waiting_for_the_disk_in_its_own_transaction_only(on_postgres: bool) -> None:
    """The draw's transaction alone gives up waiting for the flush: twenty draws flush the log about once (the
    log writer's own), where twenty waiting commits flush it twenty times; the connection, kept for the next
    draw, is as it was (transaction pooling hands it to others), and the numbers are drawn."""
    if not on_postgres:
        pytest.skip("PostgreSQL: on SQLite the draw is the receipt's")
    table = connection.ops.quote_name(DossierCodeSequence._meta.db_table)
    with connection.cursor() as cursor:  # the server's setting, which a session starts with
        cursor.execute("SHOW synchronous_commit")
        setting = cursor.fetchone()[0]
    if setting != "on":
        pytest.skip("this server's commits do not wait for the disk anyway")

    def waiting() -> None:  # the same row's update, committed as a receipt commits: waiting for the disk
        conn = codes._take()
        conn.execute(f"UPDATE {table} SET last = last + 1 WHERE prefix = 'X91-260302'")
        codes._give_back(conn)

    assert codes.draw("X91-260302") == 1
    assert _flushes_for(waiting) >= 20  # the control: each commit that waits flushes the log
    assert _flushes_for(lambda: codes.draw("X91-260302")) <= 5
    assert DossierCodeSequence.objects.get(prefix="X91-260302").last == 41
    conn = codes._take()
    codes._give_back(conn)
    codes.draw("X91-260302")
    again = codes._take()
    assert again is conn  # given back to the pool, in no transaction, its session setting untouched
    assert conn.info.transaction_status == conn.info.transaction_status.IDLE
    assert conn.execute("SHOW synchronous_commit").fetchone()[0] == setting
    codes._give_back(again)
    assert codes.draw("X91-260302") == 43


@pytest.mark.django_db(transaction=True)
def test_a_receipt_draws_its_dossiers_key_with_its_code_and_a_failed_one_leaves_a_gap(on_postgres: bool) -> None:
    """Apart, the draw takes the dossier's key from its table's sequence in the same round trip: the receipt
    is written with it, the next one takes a later key, and a receipt that fails leaves the key and the
    number unused (gaps, never reused)."""
    if not on_postgres:
        pytest.skip("PostgreSQL: the draw apart")
    world = make_world()
    first = _receive(world, world.commune, 1)
    number, key = codes.draw_with_key("X91-260302-", Dossier)  # a number and a key taken, then not used
    second = _receive(world, world.commune, 2)
    assert first.pk < key < second.pk and number == 2
    assert [d.code for d in Dossier.objects.order_by("pk")] == ["X91-260302-0001", "X91-260302-0003"]
    assert Dossier.objects.get(pk=second.pk).events.get().seq == 1  # its rows refer to the key it was given


@pytest.mark.django_db(transaction=True)
def test_code_connections_prepare_statements_only_when_the_settings_do(on_postgres: bool, monkeypatch) -> None:  # noqa: ANN001
    """Behind pgbouncer in transaction mode (MOTCUA_PGBOUNCER=1: no server-side binding, no prepare_threshold in
    the settings) a draw must never be a prepared statement: the next draw may reach another server connection."""
    if not on_postgres:
        pytest.skip("PostgreSQL: the draw apart")
    codes.close_all()
    options = {k: v for k, v in (connection.settings_dict.get("OPTIONS") or {}).items()
               if k not in ("server_side_binding", "prepare_threshold")}
    monkeypatch.setitem(connection.settings_dict, "OPTIONS", options)  # as settings.py leaves them for pgbouncer
    for _ in range(8):  # past the driver's own threshold (5)
        codes.draw("X92-260302")
    conn = codes._take()
    try:
        assert conn.prepare_threshold is None
        assert conn.execute("SELECT count(*) FROM pg_prepared_statements").fetchone()[0] == 0
    finally:
        codes._give_back(conn)
        codes.close_all()
