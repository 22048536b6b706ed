"""A pipeline's statements held by TCP_CORK and sent at its end (``motcua.corked``): the same answers,
the socket never left corked, every pipeline of a transition corked, nothing done where it cannot be."""
from __future__ import annotations

import socket
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import override_settings

from motcua import corked as corked_module
from motcua.corked import corked
from motcua.dossiers import services
from tests.factories import at, make_procedure, make_world

POSTGRES_TCP = pytest.mark.skipif(
    connection.vendor != "postgresql" or not connection.settings_dict.get("HOST", "").startswith(("127.", "localhost"))
    or not hasattr(socket, "TCP_CORK"), reason="TCP_CORK: PostgreSQL over TCP on Linux")


def _corked(fd: int) -> int:
    sock = socket.socket(fileno=fd)
    try:
        return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_CORK)
    finally:
        sock.detach()


@POSTGRES_TCP
@pytest.mark.django_db
def test_statements_corked_in_a_pipeline_are_answered_and_the_socket_is_uncorked_after() -> None:
    connection.ensure_connection()
    pg = connection.connection
    fd = pg.pgconn.socket
    with pg.cursor() as c1, pg.cursor() as c2:
        with pg.pipeline():
            with corked(pg):
                assert _corked(fd) == 1
                c1.execute("SELECT 1 + %s", [1])
                c2.execute("SELECT upper(%s)", ["một cửa"])
            assert _corked(fd) == 0  # sent before the pipeline's Sync
        assert c1.fetchone() == (2,) and c2.fetchone() == ("MỘT CỬA",)
    with pytest.raises(ZeroDivisionError), corked(pg):
        assert _corked(fd) == 1
        raise ZeroDivisionError
    assert _corked(fd) == 0


@POSTGRES_TCP
@pytest.mark.django_db(transaction=True)
def test_every_pipeline_of_a_receipt_and_a_hand_over_is_corked_then_uncorked(monkeypatch) -> None:  # noqa: ANN001
    world = make_world()
    procedure = make_procedure("T.009903")
    calls: list[tuple[int, int]] = []
    real = corked_module._set

    def recording(fd: int, on: int) -> bool:
        calls.append((fd, on))
        return real(fd, on)

    monkeypatch.setattr(corked_module, "_set", recording)
    d = services.receive(procedure=procedure, unit=world.commune, agency=world.agency, role="counter",
                         at=at("2025-03-03 09:00"))
    receipt = list(calls)
    services.perform(d.pk, "hand_over", role="counter", at=at("2025-03-03 10:00"))
    hand_over = calls[len(receipt):]
    # The receipt: its pipeline (the code's draw, on its own connection, is one statement: no pipeline); the
    # hand-over: its read, then its write with the COMMIT. Each corked, then uncorked on the same socket.
    for pipelines, made in ((receipt, 1), (hand_over, 2)):
        assert [on for _fd, on in pipelines] == [1, 0] * made
        assert all(pipelines[i][0] == pipelines[i + 1][0] for i in range(0, len(pipelines), 2))
    assert len({fd for fd, _on in hand_over}) == 1 and hand_over[0][0] == connection.connection.pgconn.socket


class _Closed:
    """A closed connection's libpq handle: psycopg raises when its socket is asked for."""

    @property
    def socket(self) -> int:
        raise OSError("the connection is closed")


def test_where_the_option_cannot_be_set_the_block_does_nothing(monkeypatch) -> None:  # noqa: ANN001
    a, b = socket.socketpair()  # a Unix-domain socket: no TCP_CORK on it
    try:
        pg = SimpleNamespace(pgconn=SimpleNamespace(socket=a.fileno()))
        ran = []
        with corked(pg):
            ran.append(True)
        assert ran == [True]
        a.sendall(b"x")
        assert b.recv(1) == b"x"  # the descriptor is still the caller's, open
        with corked(SimpleNamespace(pgconn=_Closed())):
            ran.append(True)
        assert ran == [True, True]
        with override_settings(MOTCUA_PG_CORK=False):
            monkeypatch.setattr(corked_module, "_set", lambda fd, on: pytest.fail("set while turned off"))
            with corked(pg):
                pass
    finally:
        a.close()
        b.close()
