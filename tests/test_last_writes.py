"""Rows nothing reads before the commit, sent with the end of the ``batched`` block (motcua.last_writes)."""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from motcua.api.models import IdempotencyRecord
from motcua.prepared import insert_rows_last
from motcua.reports import rollups

pytestmark = pytest.mark.django_db(transaction=True)


def _record(user, key: str) -> IdempotencyRecord:  # noqa: ANN001
    return IdempotencyRecord(user=user, key=key, fingerprint="f" * 64, status=200, response={"key": key})


def _user():  # noqa: ANN202
    return get_user_model().objects.create_user("last_writes")


def test_deferred_rows_go_with_the_commit_and_a_nested_block_rolled_back_drops_its_own(pipelines) -> None:
    user = _user()
    kept, dropped = _record(user, "kept"), _record(user, "dropped")
    with CaptureQueriesContext(connection), rollups.batched():
        insert_rows_last([[kept]], "default")
        if connection.vendor == "postgresql":  # queued, not sent: no key yet, no row
            assert kept.pk is None and not IdempotencyRecord.objects.filter(key="kept").exists()
        with pytest.raises(ValueError), rollups.batched():  # nested, with its savepoint
            insert_rows_last([[dropped]], "default")
            raise ValueError
    assert not connection.in_atomic_block
    assert list(IdempotencyRecord.objects.values_list("pk", "key")) == [(kept.pk, "kept")]
    assert kept.pk is not None and kept._state.adding is False
    if connection.vendor == "postgresql":  # the row and the COMMIT: one pipeline, the last; the other never sent
        assert dropped.pk is None
        *rows, commit = pipelines[-1]
        assert commit == "COMMIT" and len(rows) == 1 and "api_idempotencyrecord" in rows[0]


def test_outside_a_block_the_rows_are_written_at_once() -> None:
    record = _record(_user(), "now")
    insert_rows_last([[record]], "default")
    assert IdempotencyRecord.objects.get(key="now").pk == record.pk


def test_a_deferred_row_that_fails_fails_the_whole_block_at_its_end() -> None:
    user = _user()
    insert_rows_last([[_record(user, "taken")]], "default")
    with pytest.raises(IntegrityError), rollups.batched():
        insert_rows_last([[_record(user, "fresh")]], "default")
        insert_rows_last([[_record(user, "taken")]], "default")  # the key's unique constraint, at the end
    assert not connection.in_atomic_block
    assert sorted(IdempotencyRecord.objects.values_list("key", flat=True)) == ["taken"]  # "fresh" rolled back
    with rollups.batched():  # the connection goes on
        insert_rows_last([[_record(user, "after")]], "default")
    assert IdempotencyRecord.objects.filter(key="after").exists()


def test_a_forgivable_write_that_fails_is_rolled_back_alone_and_the_rest_goes_on(pipelines) -> None:
    """A write sent in a savepoint of its own (a notification's task): when the server refuses it, the block's
    end rolls back to that savepoint, hands the error to ``forgiven``, sends what followed it again and
    commits the rest. Off PostgreSQL nothing is deferred, so the rows are written where they are made."""
    from motcua import last_writes

    user = _user()
    forgiven: list[BaseException] = []
    before, after = _record(user, "before"), _record(user, "after")
    with CaptureQueriesContext(connection), rollups.batched():
        insert_rows_last([[before]], "default")
        deferred = last_writes.defer("default", "SELECT 1 / %s", [0], forgiven=forgiven.append)
        insert_rows_last([[after]], "default")
    assert deferred is (connection.vendor == "postgresql")
    assert not connection.in_atomic_block
    assert sorted(IdempotencyRecord.objects.values_list("key", flat=True)) == ["after", "before"]
    assert before.pk is not None and after.pk is not None
    if connection.vendor == "postgresql":
        assert len(forgiven) == 1 and "division by zero" in str(forgiven[0])
        assert pipelines[-1][0].startswith('INSERT INTO "api_idempotencyrecord"') and pipelines[-1][-1] == "COMMIT"


def test_a_refusal_is_the_refused_writes_own() -> None:
    """Only the write the server refused names the error raised (``refused``): another write's translation
    is not applied to it."""
    user = _user()
    insert_rows_last([[_record(user, "taken")]], "default")

    def mine(exc: BaseException) -> Exception:
        return LookupError("this write's refusal")

    with pytest.raises(IntegrityError), rollups.batched():
        insert_rows_last([[_record(user, "fine")]], "default", refused=mine)  # answered: not the one refused
        insert_rows_last([[_record(user, "taken")]], "default")
    with pytest.raises(LookupError if connection.vendor == "postgresql" else IntegrityError), rollups.batched():
        insert_rows_last([[_record(user, "taken")]], "default", refused=mine)  # off PostgreSQL: at once
    assert sorted(IdempotencyRecord.objects.values_list("key", flat=True)) == ["taken"]
