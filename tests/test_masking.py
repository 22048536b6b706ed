"""One rule for the applicant's particulars: the API shows exactly what the officials' screen shows
to the same person — in full to the counter of the dossier's agency, masked to the others."""
from __future__ import annotations

import json

import pytest

from motcua.api.models import ApiToken
from tests.test_api import APPLICANT, bearer, world  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def _receive(client, key: str) -> str:  # noqa: ANN001
    body = {"procedure_code": "1.000656", "unit_code": "X991", "agency_code": "UBND-X991", "applicant": APPLICANT}
    response = client.post("/api/dossiers", json.dumps(body), content_type="application/json",
                           HTTP_IDEMPOTENCY_KEY="m-1", **bearer(key))
    assert response.status_code == 201, response.content
    return response.json()["code"]


def test_the_api_and_the_screen_mask_alike(client, world) -> None:  # noqa: ANN001, F811
    users = world["users"]
    counter_key = ApiToken.issue(user=users["counter_a"], role="counter", name="quầy")[1]
    specialist_key = ApiToken.issue(user=users["specialist_a"], role="specialist", name="chuyên viên")[1]
    code = _receive(client, counter_key)

    full = client.get(f"/api/dossiers/{code}", **bearer(counter_key)).json()["applicant"]
    assert (full["id_number"], full["phone"], full["email"]) == ("001090000001", "0912345678", "an@example.vn")

    masked = client.get(f"/api/dossiers/{code}", **bearer(specialist_key)).json()["applicant"]
    assert (masked["id_number"], masked["phone"], masked["email"]) == ("********0001", "091*****78", "a***@example.vn")
    assert masked["name"] == full["name"] == APPLICANT["name"]

    client.force_login(users["specialist_a"])
    page = client.get(f"/office/dossiers/{code}/").content.decode()
    assert "********0001" in page and "001090000001" not in page and "0912345678" not in page
    client.force_login(users["counter_a"])
    assert "001090000001" in client.get(f"/office/dossiers/{code}/").content.decode()


def test_a_form_printed_by_someone_who_sees_masked_values_shows_them_masked(client, world, tmp_path) -> None:  # noqa: ANN001, F811
    from tests.browser_support import pdf_text

    users = world["users"]
    counter_key = ApiToken.issue(user=users["counter_a"], role="counter", name="quầy")[1]
    code = _receive(client, counter_key)
    client.force_login(users["specialist_a"])
    masked = pdf_text(client.get(f"/office/dossiers/{code}/forms/receipt.pdf").content, tmp_path)
    assert "0001" in masked and "001090000001" not in masked and "0912345678" not in masked
    client.force_login(users["counter_a"])
    full = pdf_text(client.get(f"/office/dossiers/{code}/forms/receipt.pdf").content, tmp_path)
    assert "001090000001" in full or "0912345678" in full
