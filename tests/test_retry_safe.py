"""Writes a client may retry: an action sent again with its Idempotency-Key is done once and answered
the same; the key with another body is refused (409), after the caller's scope; an action with
neither the version read nor a key is refused (428)."""
from __future__ import annotations

import json

import pytest

from motcua.api.models import ApiToken
from motcua.dossiers.models import Dossier
from tests.test_api import APPLICANT, bearer, world  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def _submit(client, key: str, token: str, **changes):  # noqa: ANN001, ANN202
    body = {"procedure_code": "1.000656", "unit_code": "X991", "agency_code": "UBND-X991", "applicant": APPLICANT,
            **changes}
    return client.post("/api/dossiers", json.dumps(body), content_type="application/json",
                       HTTP_IDEMPOTENCY_KEY=key, **bearer(token))


def _act(client, code: str, action: str, token: str, key: str | None = None, **body):  # noqa: ANN001, ANN003, ANN202
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(f"/api/dossiers/{code}/actions/{action}", json.dumps(body), content_type="application/json",
                       **extra, **bearer(token))


def test_a_retried_hand_over_is_done_once_and_answered_the_same(client, world) -> None:  # noqa: ANN001, F811
    token = ApiToken.issue(user=world["users"]["counter_a"], role="counter", name="quầy")[1]
    code = _submit(client, "s-1", token).json()["code"]
    first = _act(client, code, "hand_over", token, key="h-1", note="chuyển thẩm định")
    again = _act(client, code, "hand_over", token, key="h-1", note="chuyển thẩm định")
    assert first.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    dossier = Dossier.objects.get(code=code)
    assert dossier.current_step == 2 and dossier.events.filter(action="hand_over").count() == 1

    reused = _act(client, code, "hand_over", token, key="h-1", note="một yêu cầu khác")
    assert reused.status_code == 409 and reused.json()["code"] == "idempotency_key_reused"
    assert Dossier.objects.get(code=code).version == dossier.version


def test_an_action_without_version_or_key_is_refused(client, world) -> None:  # noqa: ANN001, F811
    token = ApiToken.issue(user=world["users"]["counter_a"], role="counter", name="quầy")[1]
    code = _submit(client, "s-2", token).json()["code"]
    response = _act(client, code, "hand_over", token)
    assert response.status_code == 428 and response.json()["code"] == "precondition_required"
    assert Dossier.objects.get(code=code).events.count() == 1


def test_the_key_is_looked_at_after_the_callers_scope(client, world) -> None:  # noqa: ANN001, F811
    token = ApiToken.issue(user=world["users"]["counter_a"], role="counter", name="quầy")[1]
    code = _submit(client, "s-3", token).json()["code"]
    # Commune B's counter, with a key: the dossier is not theirs to see — 404, whatever the key.
    assert _act(client, code, "hand_over", world["counter_b_key"], key="h-1").status_code == 404


def test_a_submission_key_reused_with_another_body_is_refused(client, world) -> None:  # noqa: ANN001, F811
    first = _submit(client, "s-4", world["system_key"])
    assert first.status_code == 201
    same = _submit(client, "s-4", world["system_key"])
    assert same.status_code == 200 and same.json()["code"] == first.json()["code"]
    other = _submit(client, "s-4", world["system_key"], applicant={**APPLICANT, "name": "Người khác"})
    assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"
    assert "Người khác" not in other.content.decode() and Dossier.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_key_recorded_by_another_request_is_refused_at_the_write_and_nothing_is_kept(client, world) -> None:  # noqa: ANN001, F811
    """The key's record is written last (on PostgreSQL with the COMMIT): a key the user's earlier request
    recorded, which the receipt's read did not find (an action's key, not a dossier's), is refused there
    — 409, and no dossier of this request is left."""
    token = ApiToken.issue(user=world["users"]["counter_a"], role="counter", name="quầy")[1]
    code = _submit(client, "s-5", token).json()["code"]
    assert _act(client, code, "hand_over", token, key="k-5").status_code == 200
    refused = _submit(client, "k-5", token, matter="Một hồ sơ khác")
    assert refused.status_code == 409 and refused.json()["code"] == "idempotency_key_reused"
    assert list(Dossier.objects.values_list("code", flat=True)) == [code]
    again = _submit(client, "s-6", token)  # the connection and the caller go on
    assert again.status_code == 201 and Dossier.objects.count() == 2
