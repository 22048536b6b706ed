"""Limits a province can rely on: the counts live in one shared store (every worker process sees the
same, a restart keeps them, filling the other caches evicts nothing), and anonymous online
submission is throttled per address."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache, caches
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.dossiers.models import Dossier
from motcua.portal import ratelimit
from tests.subprocess_support import child_env
from tests.test_portal import PDF, world  # noqa: F401 - the fixture

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _clean() -> None:
    caches["limits"].clear()
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
    assert caches["limits"] is not cache and settings.CACHES["limits"]["LOCATION"] != settings.CACHES[
        "default"].get("LOCATION")


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


@pytest.mark.django_db
def test_with_redis_configured_the_counts_live_there(settings) -> None:  # noqa: ANN001
    """MOTCUA_REDIS_URL puts the limits in Redis (a store every worker and host shares)."""
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    import redis

    settings.CACHES = {**settings.CACHES, "limits": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:6379/15",
        "KEY_PREFIX": "motcua-test-limits"}}
    caches["limits"].clear()
    try:
        for _ in range(4):
            ratelimit.fail("lookup-client:203.0.113.77", 900)
        assert ratelimit.count("lookup-client:203.0.113.77", 900) == 4
        keys = redis.Redis.from_url("redis://127.0.0.1:6379/15").keys("motcua-test-limits*")
        assert len(keys) == 1  # the one bucket, hashed, with its window
    finally:
        caches["limits"].clear()
