"""Bad input at any door is a 400 (or the API's 422) with a message naming it — never a 500 and never
half-written data: NUL characters, numbers out of range, texts longer than their columns."""
from __future__ import annotations

import json

import pytest

from motcua.dossiers.models import Dossier
from tests.test_api import APPLICANT, bearer, world  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def _post(client, path: str, body: object, key: str):  # noqa: ANN001, ANN202
    return client.post(path, json.dumps(body), content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1",
                       **bearer(key))


def test_nul_in_a_json_body_is_a_400_and_nothing_is_written(client, world) -> None:  # noqa: ANN001, F811
    body = {"procedure_code": "1.000656", "unit_code": "X991", "applicant": {**APPLICANT, "name": "An\u0000"}}
    response = _post(client, "/api/dossiers", body, world["system_key"])
    assert response.status_code == 400
    assert response.json()["code"] == "bad_input" and "NUL" in response.json()["message"]
    assert not Dossier.objects.exists()


def test_nul_in_a_query_or_a_form_is_a_400_page_in_vietnamese(client, world) -> None:  # noqa: ANN001, F811
    api = client.get("/api/dossiers?q=a%00b", **bearer(world["system_key"]))
    assert api.status_code == 400 and api.json()["code"] == "bad_input"
    page = client.post("/tra-cuu/", "code=HS%00&verification=1234", content_type="application/x-www-form-urlencoded")
    assert page.status_code == 400
    assert "Dữ liệu không hợp lệ" in page.content.decode() and "Traceback" not in page.content.decode()


@pytest.mark.parametrize("path", ["/api/dossiers?offset=9223372036854775808", "/api/dossiers?offset=-1",
                                  "/api/procedures?offset=9223372036854775807",
                                  "/api/dossiers?limit=99999999999999999999"])
def test_numbers_out_of_range_are_refused_not_500(client, world, path: str) -> None:  # noqa: ANN001, F811
    response = client.get(path, **bearer(world["system_key"]))
    assert response.status_code in (400, 422), response.content
    assert response.json()["code"] in ("invalid", "bad_input")


def test_a_document_name_of_10000_characters_is_refused_with_its_field(client, world) -> None:  # noqa: ANN001, F811
    body = {"procedure_code": "1.000656", "unit_code": "X991", "applicant": APPLICANT, "documents": ["x" * 10_000]}
    response = _post(client, "/api/dossiers", body, world["system_key"])
    assert response.status_code == 422
    assert any(err["loc"][-2:] == ["documents", 0] for err in response.json()["detail"])
    assert not Dossier.objects.exists()


def test_a_value_the_database_cannot_hold_is_a_400_even_past_the_forms(client, world, monkeypatch) -> None:  # noqa: ANN001, F811
    from django.db import DataError

    from motcua.api import dossiers

    def overflowing(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise DataError("value too long for type character varying(200)")

    monkeypatch.setattr(dossiers.services, "receive", overflowing)
    body = {"procedure_code": "1.000656", "unit_code": "X991", "applicant": APPLICANT}
    response = _post(client, "/api/dossiers", body, world["system_key"])
    assert response.status_code == 400 and response.json()["code"] == "bad_input"
