"""The citizens' lookup resists guessing without locking citizens out (issue 14, item 5).

Only wrong attempts count, per (code, client) and per client — never per code alone; successes count
toward nothing, so a kiosk at a centre (one address, many citizens) keeps working; past a limit the
page says the lookup is temporarily limited (429) and for how long; codes are found whatever their case.
"""
from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from motcua.dossiers import services
from motcua.portal import ratelimit
from motcua.portal.links import public_path
from tests.factories import at, make_world
from tests.test_shared_limits import with_redis

pytestmark = pytest.mark.django_db
LIMITED = "Tra cứu tạm thời bị giới hạn"


@pytest.fixture(autouse=True, params=["database", "redis"])
def _store(request, settings):
    """Every test with the counts in the database (the lookup reads them with the dossier, in one
    statement) and in Redis (MOTCUA_REDIS_URL: read apart)."""
    if request.param == "redis":
        with_redis(settings)
    ratelimit.clear()
    yield
    ratelimit.clear()


@pytest.fixture
def world():
    return make_world()


def _receive(world, phone: str, minute: int = 0):
    applicant = services.Applicant(name="Hoàng Thị Ngọc Lan", phone=phone, id_number="001190012345")
    return services.receive(procedure=world.procedure, unit=world.commune, agency=world.agency,
                            applicant=applicant, at=at(f"2026-03-02 09:{minute:02d}"))


@pytest.fixture
def dossier(world):
    return _receive(world, "0912345678")


def _client(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def _look(client: Client, code: str, digits: str):
    return client.post("/tra-cuu/", {"code": code, "verification": digits})


def test_wrong_attempts_from_one_client_do_not_block_the_owner_from_another(dossier):
    stranger = _client("203.0.113.7")
    assert [_look(stranger, dossier.code, "1111").status_code for _ in range(5)] == [404] * 5
    owner = _look(_client("198.51.100.20"), dossier.code, "5678")
    assert owner.status_code == 302 and owner["Location"] == public_path(dossier.code)


def test_wrong_attempts_against_one_code_from_many_clients_do_not_lock_the_owner_out(dossier):
    for n in range(1, 31):  # thirty addresses, each under its own limit: 150 wrong attempts on one code
        for _ in range(5):
            assert _look(_client(f"203.0.113.{n}"), dossier.code, "0000").status_code == 404
    assert _look(_client("198.51.100.20"), dossier.code, "5678").status_code == 302


def test_fifty_successful_lookups_from_one_address_pass(world):
    dossiers = [_receive(world, f"09123456{n:02d}", minute=n) for n in range(50)]
    kiosk = _client("192.0.2.10")
    for n, d in enumerate(dossiers):
        response = _look(kiosk, d.code, f"56{n:02d}")
        assert response.status_code == 302 and response["Location"] == public_path(d.code), n
    # and a citizen who mistypes at the kiosk among them is still answered "not found", not limited
    assert _look(kiosk, dossiers[0].code, "9999").status_code == 404


def test_wrong_attempts_beyond_the_limit_get_the_temporarily_limited_message(dossier, settings):
    settings.MOTCUA_LOOKUP_WINDOW_MINUTES = 15
    client = _client("203.0.113.7")
    for _ in range(5):
        assert _look(client, dossier.code, "1111").status_code == 404
    limited = _look(client, dossier.code, "1111")
    assert limited.status_code == 429 and LIMITED in limited.text
    assert "phút" in limited.text and 1 <= int(limited["Retry-After"]) <= 15 * 60
    # while limited, the right value from the same client is refused too (no oracle)
    assert _look(client, dossier.code, "5678").status_code == 429


def test_the_limit_per_client_spans_codes_and_is_a_setting(dossier, settings):
    settings.MOTCUA_LOOKUP_MAX_FAILURES_PER_ADDRESS = 3
    client = _client("203.0.113.9")
    statuses = [_look(client, f"KHONG-CO-{n}", "1234").status_code for n in range(4)]
    assert statuses == [404, 404, 404, 429]
    assert LIMITED in _look(client, dossier.code, "5678").text  # this client is limited for every code
    assert _look(_client("198.51.100.20"), dossier.code, "5678").status_code == 302


def test_a_lower_case_code_is_found(dossier):
    assert dossier.code != dossier.code.lower()
    for typed in (dossier.code.lower(), f"  {dossier.code.lower()} ", dossier.code.replace("-", "–")):
        response = _look(_client("198.51.100.20"), typed, "5678")
        assert response.status_code == 302 and response["Location"] == public_path(dossier.code), typed


def test_an_ipv6_client_is_one_client_across_its_64(dossier, settings):
    settings.MOTCUA_LOOKUP_MAX_FAILURES_PER_ADDRESS = 2
    for suffix in ("1", "2"):
        assert _look(_client(f"2001:db8:1:2::{suffix}"), f"KHONG-CO-{suffix}", "1234").status_code == 404
    assert _look(_client("2001:db8:1:2::3"), "KHONG-CO-3", "1234").status_code == 429
    assert _look(_client("2001:db8:1:3::1"), "KHONG-CO-3", "1234").status_code == 404


def test_a_lookup_reads_the_dossier_and_the_counts_in_one_statement_whether_the_code_exists_or_not(
        dossier, request):  # noqa: ANN001
    """With the counts in the database: a right lookup is one statement; a wrong code, a wrong value and a
    code that no dossier has are read by that same statement (then counted), so neither the answer nor the
    statements tell whether a code exists."""
    if request.node.callspec.params["_store"] == "redis":
        pytest.skip("the counts in Redis are read apart")
    client = _client("198.51.100.20")
    with CaptureQueriesContext(connection) as right:
        assert _look(client, dossier.code, "5678").status_code == 302
    assert len(right.captured_queries) == 1
    reads = []
    for code, digits in ((dossier.code, "1111"), ("KHONG-CO-9", "5678")):
        with CaptureQueriesContext(connection) as wrong:
            assert _look(client, code, digits).status_code == 404
        reads.append(_shape(wrong.captured_queries[0]["sql"]))
        # the failure counted in both buckets by one statement (then the passed windows pruned)
        assert [q["sql"].startswith("INSERT") for q in wrong.captured_queries[1:]].count(True) == 1
        assert ratelimit.count(f"lookup-code-client:{code}|198.51.100.20", 900) == 1
    assert ratelimit.count("lookup-client:198.51.100.20", 900) == 2
    assert reads[0] == reads[1] == _shape(right.captured_queries[0]["sql"])


def _shape(sql: str) -> str:
    """A statement without its values (the code, the buckets' keys)."""
    return re.sub(r"'[^']*'", "?", sql)
