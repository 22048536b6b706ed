"""API tokens kept per process (``ApiToken.lookup``, ``MOTCUA_TOKEN_CACHE_SECONDS``): read once, then kept;
a change made in this process refuses the token at once; a change made in another is seen within the
setting's seconds; unknown keys are never kept; each request gets its own objects."""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from motcua import process_cache
from motcua.api.models import ACTIVE, ApiToken, hash_key
from motcua.units.models import AdministrativeUnit, Agency, StaffRole

pytestmark = pytest.mark.django_db


@pytest.fixture
def key() -> str:
    unit = AdministrativeUnit.objects.create(code="X981", name="Xã Thử", level="commune",
                                             valid_from=dt.date(2020, 1, 1))
    agency = Agency.objects.create(code="UBND-X981", name="UBND xã Thử", kind="ubnd", unit=unit, level="commune",
                                   has_one_stop=True)
    user = get_user_model().objects.create_user("counter_cache")
    StaffRole.objects.create(user=user, role="counter", agency=agency)
    key = ApiToken.issue(user=user, role="counter", name="Kiosk")[1]
    ACTIVE.forget_changes()  # as in a process whose changes were committed (the test's transaction never is)
    ACTIVE.clear()
    yield key
    ACTIVE.clear()


def get(client, key: str) -> int:  # noqa: ANN001
    return client.get("/api/dossiers", HTTP_AUTHORIZATION=f"Bearer {key}").status_code


def token_reads(client, key: str) -> int:  # noqa: ANN001
    """The statements of one request that read the token table: 2 when it is read (the token, and its user's
    staff roles found by the token's key), 0 when kept."""
    with CaptureQueriesContext(connection) as captured:
        assert get(client, key) == 200
    return sum(ApiToken._meta.db_table in q["sql"] and q["sql"].lstrip().upper().startswith("SELECT")
               for q in captured.captured_queries)


def test_read_once_then_kept(client, key):
    assert token_reads(client, key) == 2
    assert token_reads(client, key) == 0
    assert hash_key(key) in ACTIVE._entries


def test_kept_no_longer_than_the_setting(client, key, settings, monkeypatch):
    assert token_reads(client, key) == 2
    later = process_cache.time.monotonic() + 6
    monkeypatch.setattr(process_cache.time, "monotonic", lambda: later)
    assert token_reads(client, key) == 2  # the default: 5 seconds
    settings.MOTCUA_TOKEN_CACHE_SECONDS = 0
    assert token_reads(client, key) == 2
    assert token_reads(client, key) == 2


@pytest.mark.parametrize("change", ["revoke", "withdraw_role", "deactivate_user", "delete_token"])
def test_changed_in_this_process_refused_at_once(client, key, change):
    assert get(client, key) == 200 and hash_key(key) in ACTIVE._entries
    token = ApiToken.objects.select_related("user").get(key_hash=hash_key(key))
    if change == "revoke":  # as the admin's form saves it
        token.revoked_at = timezone.now()
        token.save()
    elif change == "withdraw_role":
        StaffRole.objects.get(user=token.user).delete()
    elif change == "deactivate_user":
        token.user.is_active = False
        token.user.save()
    else:
        token.delete()
    assert ACTIVE._entries == {}
    assert get(client, key) == 401


def test_changed_in_another_process_seen_within_the_setting(client, key, monkeypatch):
    assert get(client, key) == 200
    # Another process revokes it: no signal reaches this one.
    ApiToken.objects.filter(key_hash=hash_key(key)).update(revoked_at=timezone.now())
    ACTIVE.forget_changes()
    assert get(client, key) == 200  # kept here for up to MOTCUA_TOKEN_CACHE_SECONDS
    later = process_cache.time.monotonic() + 5.5
    monkeypatch.setattr(process_cache.time, "monotonic", lambda: later)
    assert get(client, key) == 401


def test_unknown_keys_are_never_kept(client, key):
    for n in range(20):
        assert get(client, f"mc_unknown-{n}") == 401
    assert ACTIVE._entries == {}
    assert get(client, key) == 200 and list(ACTIVE._entries) == [hash_key(key)]


def test_each_request_has_its_own_objects(key):
    first, second = ApiToken.lookup(key), ApiToken.lookup(key)
    assert first is not None and second is not None
    assert first is not second and first.user is not second.user
    assert (first.pk, first.user.pk, first.role) == (second.pk, second.user.pk, second.role)
    first.user.marked_by_one_request = True
    first.user._scoping_staff_roles.clear()
    assert not hasattr(second.user, "marked_by_one_request")
    assert [r.role for r in second.user._scoping_staff_roles] == ["counter"]
    assert [r.role for r in ApiToken.lookup(key).user._scoping_staff_roles] == ["counter"]
