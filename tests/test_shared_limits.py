"""Limits a province can rely on: the counts live in one shared store (every worker process sees the
same, a restart keeps them, filling the caches evicts nothing, failures made at once are all counted),
and anonymous online submission is throttled per address."""
from __future__ import annotations

import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.cache import cache, caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from motcua.dossiers.models import Dossier
from motcua.portal import ratelimit
from motcua.portal.models import LimitCount
from tests.subprocess_support import child_env
from tests.test_portal import PDF, world  # noqa: F401 - the fixture

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _clean() -> None:
    ratelimit.clear()
    cache.clear()


@pytest.mark.django_db(transaction=True)
def test_a_count_made_in_another_process_is_seen_here(tmp_path_factory) -> None:  # noqa: ANN001
    env = child_env(tmp_path_factory)
    if "sqlite" in env["DATABASE_URL"]:
        pytest.skip("on SQLite the child works on a copy of the database (PostgreSQL runs it)")
    script = ("import django; django.setup()\nfrom motcua.portal import ratelimit\n"
              "for _ in range(5): ratelimit.fail('lookup-client:203.0.113.9', 900)\n")
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True, timeout=120,
                   env={**env, "DJANGO_SETTINGS_MODULE": "motcua.settings"})
    assert ratelimit.count("lookup-client:203.0.113.9", 900) == 5
    assert ratelimit.blocked("lookup-client:203.0.113.9", 5, 900)


@pytest.mark.django_db
def test_filling_the_other_caches_evicts_no_count(settings) -> None:  # noqa: ANN001
    if settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        pytest.skip("Redis evicts by its own policy; the database caches are what this test is about")
    for _ in range(3):
        ratelimit.fail("lookup-client:198.51.100.7", 900)
    # A count kept where the pages are cached (as the limits once were): what the filling evicts.
    cache.set("a-count-kept-with-the-pages", 3, 900)
    # Hundreds of entries from the public dashboards into a cache at its limit: it culls.
    limit, cache._max_entries = cache._max_entries, 100  # noqa: SLF001 - a small limit (the setting's: 100,000)
    try:
        for i in range(300):
            cache.set(f"public-dashboard:{i:04d}", "x" * 100, 300)
    finally:
        cache._max_entries = limit  # noqa: SLF001
    assert cache.get("public-dashboard:0000") is None  # the cache did evict
    assert cache.get("a-count-kept-with-the-pages") is None  # ... counts kept there too
    assert ratelimit.count("lookup-client:198.51.100.7", 900) == 3  # never the limits' own store
    assert "limits" not in settings.CACHES and LimitCount.objects.get().count == 3  # rows of their own table


@pytest.mark.django_db
def test_anonymous_submissions_are_throttled_per_address(client, world, settings, tmp_path) -> None:  # noqa: ANN001, F811
    settings.MEDIA_ROOT = tmp_path
    settings.MOTCUA_SUBMIT_MAX_PER_HOUR = 3
    doc = world.procedure.documents.get()
    form = {"agency": world.agency.pk, "name": "Vàng Thị Mỷ", "id_number": "002200001111", "phone": "0911222333",
            "address": "Thôn Nà Khoang", "matter": ""}
    url = f"/thu-tuc/{world.procedure.code}/nop/"
    for _ in range(3):
        ok = client.post(url, {**form, f"doc_{doc.pk}": SimpleUploadedFile("a.pdf", PDF)})
        assert ok.status_code == 302
    refused = client.post(url, {**form, f"doc_{doc.pk}": SimpleUploadedFile("a.pdf", PDF)})
    assert refused.status_code == 429 and "Vui lòng thử lại sau" in refused.text and refused["Retry-After"]
    assert Dossier.objects.count() == 3
    other = client.post(url, {**form, f"doc_{doc.pk}": SimpleUploadedFile("a.pdf", PDF)}, REMOTE_ADDR="192.0.2.50")
    assert other.status_code == 302  # another address is not held back


@pytest.mark.django_db(transaction=True)
def test_submissions_posted_at_once_from_one_address_stop_at_the_limit(world, settings, tmp_path) -> None:  # noqa: ANN001, F811
    """Six posts at once from one address, with room for three: three dossiers, three refusals. Each post
    is counted before it goes on, by one atomic increment (a read of the count, then the post, then its
    increment, let posts made together all through)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite takes one writer at a time; PostgreSQL runs the posts at once")
    settings.MEDIA_ROOT = tmp_path
    settings.MOTCUA_SUBMIT_MAX_PER_HOUR = 3
    doc = world.procedure.documents.get()
    url = f"/thu-tuc/{world.procedure.code}/nop/"
    start, statuses = threading.Barrier(6), []

    def citizen(n: int) -> None:
        form = {"agency": world.agency.pk, "name": f"Người nộp {n}", "id_number": f"00220000{n:04d}",
                "phone": "0911222333", "address": "Thôn Nà Khoang", "matter": "",
                f"doc_{doc.pk}": SimpleUploadedFile("a.pdf", PDF)}
        try:
            start.wait()
            statuses.append(Client().post(url, form, REMOTE_ADDR="198.51.100.20").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=citizen, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [302, 302, 302, 429, 429, 429]
    assert Dossier.objects.count() == 3


def with_redis(settings) -> None:  # noqa: ANN001
    """The limits in Redis, as MOTCUA_REDIS_URL configures them (a database of its own for the tests)."""
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    settings.CACHES = {**settings.CACHES, "limits": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:6379/15",
        "KEY_PREFIX": "motcua-test-limits"}}
    caches["limits"].clear()


@pytest.mark.django_db
def test_with_redis_configured_the_counts_live_there(settings) -> None:  # noqa: ANN001
    """MOTCUA_REDIS_URL puts the limits in Redis (a store every worker and host shares)."""
    import redis

    with_redis(settings)
    try:
        for _ in range(4):
            ratelimit.fail("lookup-client:203.0.113.77", 900)
        assert ratelimit.count("lookup-client:203.0.113.77", 900) == 4
        keys = redis.Redis.from_url("redis://127.0.0.1:6379/15").keys("motcua-test-limits*")
        assert len(keys) == 1  # the one bucket, hashed, with its window
    finally:
        caches["limits"].clear()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("store", ["database", "redis"])
def test_failures_made_at_once_are_all_counted(store, settings) -> None:  # noqa: ANN001
    """Eight clients failing ten times each at once, each on its own connection, as worker threads do: 80
    failures counted, none lost (a cache's read-then-write increment lost most of them)."""
    if store == "database" and connection.vendor != "postgresql":
        pytest.skip("SQLite takes one writer at a time; PostgreSQL runs the writers at once")
    if store == "redis":
        with_redis(settings)
    start, errors = threading.Barrier(8), []

    def client() -> None:
        try:
            start.wait()
            for _ in range(10):
                ratelimit.fail("lookup-code-client:X-1|203.0.113.5", 900, now=1_800_000_100.0)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=client) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert errors == []
        assert ratelimit.count("lookup-code-client:X-1|203.0.113.5", 900, now=1_800_000_100.0) == 80
    finally:
        ratelimit.clear()


@pytest.mark.django_db
def test_a_passed_windows_counts_are_pruned() -> None:
    """Each window's counts are rows of their own; the first failure of a later window deletes the rows of
    the windows that have passed, and a new window starts from nothing."""
    t0 = 1_800_000_100.0  # 100 s into a window of 900 s
    for _ in range(3):
        assert ratelimit.fail("lookup-client:192.0.2.1", 900, now=t0) in (1, 2, 3)
    assert ratelimit.fail("lookup-client:192.0.2.2", 900, now=t0) == 1
    assert LimitCount.objects.count() == 2
    assert ratelimit.fail("lookup-client:192.0.2.1", 900, now=t0 + 700) == 4  # the same window
    assert LimitCount.objects.count() == 2
    later = t0 + 900  # the next window: the earlier rows have expired (at its start + 1 s)
    assert ratelimit.count("lookup-client:192.0.2.1", 900, now=later) == 0
    assert ratelimit.fail("lookup-client:192.0.2.1", 900, now=later) == 1
    assert LimitCount.objects.count() == 1
    assert ratelimit.any_blocked([("lookup-client:192.0.2.1", 1), ("lookup-client:192.0.2.2", 1)], 900, now=later)
    assert not ratelimit.any_blocked([("lookup-client:192.0.2.1", 2), ("lookup-client:192.0.2.2", 1)], 900, now=later)
    # several buckets counted by one statement, each its own count, in the order given
    assert ratelimit.fail_all(["lookup-client:192.0.2.2", "lookup-client:192.0.2.1"], 900, now=later) == [1, 2]
