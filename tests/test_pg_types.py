"""Timestamps read by psycopg's compiled loader (``motcua.pg_types``) are the values Django's own loader
gives: the same instants, in UTC, with ``datetime.timezone.utc``."""
from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, models
from hypothesis import given, settings
from hypothesis import strategies as st
from psycopg.pq import Format

from motcua import pg_types
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from tests.factories import at, make_procedure, make_world

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="psycopg's loaders: PostgreSQL only")]

OID = 1184  # timestamptz


def _loader_class() -> type:
    connection.ensure_connection()
    return connection.connection.adapters.get_loader(OID, Format.TEXT)


def test_the_connection_reads_timestamps_with_the_compiled_loader_and_django_keeps_it() -> None:
    loader = _loader_class()
    assert loader.__module__ == "motcua.pg_types"
    compiled = loader(OID, connection.connection).load.__self__  # what each value is parsed by
    assert type(compiled).__module__.startswith(("psycopg_binary", "psycopg_c"))
    with connection.cursor() as cursor:  # Django's cursor does not register its own loader over it
        assert cursor.cursor.adapters.get_loader(OID, Format.TEXT) is loader


def test_a_dossiers_timestamps_are_what_djangos_loader_gives() -> None:
    from django.db.backends.postgresql.psycopg_any import register_tzloader

    world = make_world()
    dossier = services.receive(procedure=make_procedure("T.009902"), unit=world.commune, agency=world.agency,
                               role="counter", at=at("2025-03-03 09:00:00.123456"))
    fields = [f.attname for f in Dossier._meta.concrete_fields if isinstance(f, models.DateTimeField)]
    ours = Dossier.objects.values(*fields).get(pk=dossier.pk)
    register_tzloader(dt.UTC, connection.connection)  # Django's, as without motcua.pg_types
    try:
        djangos = Dossier.objects.values(*fields).get(pk=dossier.pk)
    finally:
        connection.connection.adapters.register_loader("timestamptz", pg_types._compiled_loader())
    assert ours == djangos and ours["received_at"] is not None
    for name in fields:
        if ours[name] is not None:
            assert ours[name].tzinfo is dt.UTC and djangos[name].tzinfo is dt.UTC


@settings(max_examples=40, deadline=None)
@given(st.lists(st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30),
                             timezones=st.just(dt.UTC)), min_size=1, max_size=20))
def test_any_instant_is_read_as_djangos_loader_reads_it(instants: list[dt.datetime]) -> None:
    from django.db.backends.postgresql.psycopg_any import BaseTzLoader

    class Djangos(BaseTzLoader):
        timezone = dt.UTC

    with connection.cursor() as cursor:
        cursor.execute("SELECT unnest(%s::timestamptz[])::text", [instants])
        texts = [row[0].encode() for row in cursor.fetchall()]
    ours, djangos = _loader_class()(OID, connection.connection), Djangos(OID, connection.connection)
    got = [ours.load(t) for t in texts]
    assert got == [djangos.load(t) for t in texts] == instants
    assert all(value.tzinfo is dt.UTC for value in got)
