"""The API's dossier built straight from the row (``DossierOut.of``) is what validating the row through
ninja's getters gives, field by field and byte for byte once encoded, whatever the dossier's state and
whoever asks (in full or masked)."""
from __future__ import annotations

import copy
import datetime as dt
import json
from types import SimpleNamespace

import pytest
from ninja.responses import NinjaJSONEncoder

from motcua.api.auth import Caller
from motcua.api.models import ApiToken
from motcua.api.schemas import DossierOut
from motcua.dossiers.models import Dossier
from tests.test_api import bearer, submit, world  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

AT = dt.datetime(2026, 3, 2, 8, 30, tzinfo=dt.UTC)


def _variants(dossier: Dossier) -> list[Dossier]:
    """The dossier as received, and in other states: without an agency, closed, paused, withdrawn."""
    closed = copy.copy(dossier)
    closed.status, closed.outcome, closed.finished_at, closed.returned_at = "returned", "late", AT, AT
    closed.extended_due_at, closed.current_step, closed.version = AT + dt.timedelta(days=3), 3, 9
    no_agency = copy.copy(dossier)
    no_agency.agency = None
    paused = copy.copy(dossier)
    paused.status, paused.paused_at, paused.submitted_at = "awaiting_supplement", AT, None
    withdrawn = copy.copy(dossier)
    withdrawn.status, withdrawn.withdrawn_at, withdrawn.applicant_email = "withdrawn", AT, ""
    return [dossier, closed, no_agency, paused, withdrawn]


def _instants(answer: dict) -> dict:
    return {name: dt.datetime.fromisoformat(value) if name.endswith("_at") and value else value
            for name, value in answer.items()}


def _encoded(out: DossierOut) -> str:
    return json.dumps(out.model_dump(by_alias=False), cls=NinjaJSONEncoder, sort_keys=True)


@pytest.mark.parametrize("who", ["counter_a", "specialist_a"])
def test_built_from_the_row_as_validated(client, world, who: str) -> None:  # noqa: ANN001, F811
    key = ApiToken.issue(user=world["users"]["counter_a"], role="counter", name="quầy")[1]
    assert submit(client, "o-1", **bearer(key)).status_code == 201
    dossier = Dossier.objects.select_related("procedure", "unit", "agency").get()
    user = world["users"][who]
    token = ApiToken.objects.filter(user=user).first()
    request = SimpleNamespace(auth=Caller(user=user, token=token))
    seen = []
    for variant in _variants(dossier):
        built = DossierOut.of(variant, request)
        validated = DossierOut.model_validate(variant, context={"request": request})
        assert built.model_dump() == validated.model_dump()
        assert _encoded(built) == _encoded(validated)
        seen.append(json.loads(_encoded(built)))
    # The variants do differ where they were made to, and the applicant is masked for the specialist.
    assert seen[1]["outcome"] == "late" and seen[0]["outcome"] == ""
    assert seen[2]["agency_code"] is None and seen[0]["agency_code"] == "UBND-X991"
    assert (seen[0]["applicant"]["id_number"] == "001090000001") == (who == "counter_a")


def test_the_answers_are_built_from_the_row(client, world) -> None:  # noqa: ANN001, F811
    """Receipt, replay, read and action: each answer is the row's, as validated."""
    key = ApiToken.issue(user=world["users"]["counter_a"], role="counter", name="quầy")[1]
    request = SimpleNamespace(auth=Caller(user=world["users"]["counter_a"], token=ApiToken.lookup(key)))

    def validated(code: str) -> dict:
        dossier = Dossier.objects.select_related("procedure", "unit", "agency").get(code=code)
        return json.loads(_encoded(DossierOut.model_validate(dossier, context={"request": request})))

    first = submit(client, "o-2", **bearer(key))
    again = submit(client, "o-2", **bearer(key))
    assert (first.status_code, again.status_code) == (201, 200)
    code = first.json()["code"]
    read = client.get(f"/api/dossiers/{code}", **bearer(key))
    assert again.json() == read.json() == validated(code)
    # The receipt's own answer gives the instants as computed (Vietnam's offset), the others as read back.
    assert _instants(first.json()) == _instants(read.json())
    acted = client.post(f"/api/dossiers/{code}/actions/hand_over", {}, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="o-3", **bearer(key))
    assert acted.status_code == 200, acted.content
    assert acted.json() == validated(code) != read.json()


def test_the_list_is_the_rows_as_validated(client, world) -> None:  # noqa: ANN001, F811
    """A page of the list, built item by item from the rows, is the page ninja's validation gives, for a
    caller who sees the applicants in full and one who sees them masked."""
    from motcua.api.schemas import DossierPage

    counter = ApiToken.issue(user=world["users"]["counter_a"], role="counter", name="quầy")[1]
    specialist = ApiToken.issue(user=world["users"]["specialist_a"], role="specialist", name="chuyên viên")[1]
    for n in range(3):
        assert submit(client, f"o-list-{n}", **bearer(counter)).status_code == 201
    for key, who in ((counter, "counter_a"), (specialist, "specialist_a")):
        page = client.get("/api/dossiers?limit=2&offset=1", **bearer(key))
        assert page.status_code == 200, page.content
        request = SimpleNamespace(auth=Caller(user=world["users"][who], token=ApiToken.lookup(key)))
        rows = list(Dossier.objects.select_related("procedure", "unit", "agency").order_by("-received_at", "-pk"))
        validated = DossierPage.model_validate({"count": 3, "limit": 2, "offset": 1, "items": rows[1:3]},
                                               context={"request": request})
        expected = json.loads(json.dumps(validated.model_dump(by_alias=False), cls=NinjaJSONEncoder))
        assert page.json() == expected
        assert [item["code"] for item in page.json()["items"]] == [d.code for d in rows[1:3]]
        assert (page.json()["items"][0]["applicant"]["phone"] == "0912345678") == (who == "counter_a")
