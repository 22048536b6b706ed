"""The officials' dossier search, on the screen (/office/tim-kiem/) and in the API (GET /api/dossiers)."""
from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from motcua.dossiers import services
from motcua.dossiers.lifecycle import Action
from motcua.dossiers.models import Dossier
from motcua.office import views_search
from tests.factories import at, make_procedure
from tests.office_support import Office, make_office

pytestmark = pytest.mark.django_db
URL = "/office/tim-kiem/"



def make(office: Office, name: str, id_number: str = "001203004567", phone: str = "0912345678",
         when: str = "2026-03-16 09:00", agency: object = None, procedure: object = None) -> Dossier:
    agency = agency or office.world.agency
    return services.receive(
        procedure=procedure or office.procedure, unit=agency.unit, agency=agency, at=at(when),
        applicant=services.Applicant(name=name, id_number=id_number, phone=phone), actor=office.counter,
        role="counter",
    )


@pytest.fixture
def found(client: Client) -> object:
    def search(user: object, **params: str) -> list[str]:
        client.force_login(user)
        response = client.get(URL, params)
        assert response.status_code == 200, response.content.decode()[:500]
        return re.findall(r'<tr data-code="([^"]+)"', response.content.decode())
    return search


@pytest.fixture
def office() -> Office:
    return make_office()


@pytest.fixture
def people(office: Office) -> dict[str, Dossier]:
    return {
        "hong": make(office, "Đặng Thị Hồng", id_number="038190000111", phone="0987654321", when="2026-03-02 09:00"),
        "an": make(office, "Nguyễn Văn An", id_number="001203004567", phone="0912345678", when="2026-03-10 09:00"),
        "bao": make(office, "Trần Quốc Bảo", id_number="001099000222", phone="0933000111", when="2026-03-20 09:00"),
        "theirs": make(office, "Đặng Thị Hồng", id_number="038190000111", phone="0987654321",
                       agency=office.world.other_agency),
    }


def test_name_typed_without_or_with_diacritics(office: Office, people: dict, found) -> None:  # noqa: ANN001
    hong = people["hong"].code
    assert found(office.counter, name="dang thi hong") == [hong]
    assert found(office.counter, name="Đặng Thị Hồng") == [hong]
    assert found(office.counter, name="  DANG   thi ") == [hong]  # case and spaces ignored
    assert found(office.counter, name="hong") == [hong]  # a part of the name
    assert found(office.counter, name="nguyen van") == [people["an"].code]
    assert found(office.counter, name="khong ai ten nay") == []


def test_a_full_name_matches_from_its_beginning_else_anywhere(office: Office, people: dict, found) -> None:  # noqa: ANN001
    # Two names containing "tran quoc bao": one begins with it, one (a compound family name) does not.
    compound = make(office, "Nguyễn Trần Quốc Bảo", id_number="001099000333", when="2026-03-21 09:00")
    bao = people["bao"].code
    assert found(office.counter, name="tran quoc bao") == [bao]  # typed from the family name: from the start
    assert found(office.counter, name="nguyen tran quoc") == [compound.code]
    # No name the user sees begins with it: every name containing it, latest received first.
    assert found(office.counter, name="quoc bao") == [compound.code, bao]
    assert found(office.counter, name="bao") == [compound.code, bao]  # one word: anywhere in the name
    # The other unit's "Đặng Thị Hồng" begins with the name, but the user does not see it: still found
    # through "contains" among the user's own, never revealed by the choice.
    assert found(office.counter, name="thi hong") == [people["hong"].code]


def test_code_id_number_phone_exact(office: Office, people: dict, found) -> None:  # noqa: ANN001
    an = people["an"]
    assert found(office.counter, code=an.code) == [an.code]
    assert found(office.counter, code=an.code.lower()) == [an.code]  # case-insensitive
    assert found(office.counter, code=an.code[:-1]) == []  # exact, not a prefix
    assert found(office.counter, id_number="001203004567") == [an.code]
    assert found(office.counter, id_number="00120300456") == []
    assert found(office.counter, phone="0912 345 678") == [an.code]
    assert found(office.counter, phone="+84912345678") == [an.code]


def test_procedure_status_and_dates(office: Office, people: dict, found) -> None:  # noqa: ANN001
    other = make_procedure("T.000002")
    moved = make(office, "Phạm Minh Tâm", procedure=other, when="2026-03-12 09:00")
    assert found(office.counter, procedure="T.000002") == [moved.code]
    services.perform(people["bao"], Action.HAND_OVER, actor=office.counter, at=at("2026-03-20 10:00"))
    assert found(office.counter, status="in_processing") == [people["bao"].code]
    assert set(found(office.counter, **{"from": "2026-03-10", "to": "2026-03-12"})) == {people["an"].code, moved.code}
    assert found(office.counter, **{"from": "20/03/2026"}) == [people["bao"].code]  # dd/mm/yyyy too
    assert found(office.counter, **{"to": "02/03/2026"}) == [people["hong"].code]  # the day itself counts
    assert found(office.counter, name="dang", status="received", **{"to": "2026-03-05"}) == [people["hong"].code]


def test_another_units_dossier_is_never_found(office: Office, people: dict, found) -> None:  # noqa: ANN001
    theirs = people["theirs"].code
    for params in ({"name": "dang thi hong"}, {"code": theirs}, {"id_number": "038190000111"},
                   {"phone": "0987654321"}, {"status": "received"}):
        assert theirs not in found(office.counter, **params), params
    assert found(office.other_counter, name="dang thi hong") == [theirs]


def test_results_come_a_page_at_a_time_from_one_query(office: Office, found, client: Client) -> None:  # noqa: ANN001
    made = [make(office, f"Lê Văn Trang {i}") for i in range(views_search.PER_PAGE + 2)]
    client.force_login(office.counter)

    def dossier_reads(params: dict) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL, params).status_code == 200
        return [q["sql"] for q in queries.captured_queries if 'FROM "dossiers_dossier"' in q["sql"]]

    assert len(dossier_reads({"name": "trang"})) == 1  # the page, in one query
    # A full name: a one-row probe for names beginning with it, then the page in one query.
    probe, page_read = dossier_reads({"name": "le van trang"})
    assert probe.startswith("SELECT 1 AS") and probe.endswith(" LIMIT 1") and "LIKE 'le van trang%'" in probe
    assert page_read.endswith(f" LIMIT {views_search.PER_PAGE + 1}")
    first = client.get(URL, {"name": "le van trang"}).content.decode()
    page1 = re.findall(r'<tr data-code="([^"]+)"', first)
    assert len(page1) == views_search.PER_PAGE and 'rel="next"' in first
    second = client.get(URL, {"name": "le van trang", "page": "2"}).content.decode()
    page2 = re.findall(r'<tr data-code="([^"]+)"', second)
    assert len(page2) == 2 and 'rel="next"' not in second
    assert set(page1) | set(page2) == {d.code for d in made}
    for bad in ("0", "-3", "abc", "99999999999"):
        assert client.get(URL, {"name": "le van trang", "page": bad}).status_code == 200


def test_the_api_finds_the_same(office: Office, people: dict, found, client: Client) -> None:  # noqa: ANN001
    for params in ({"name": "dang thi hong"}, {"phone": "0912345678"}, {"code": people["bao"].code.lower()},
                   {"status": "received", "from": "2026-03-09"}):
        screen = found(office.counter, **params)
        api = client.get("/api/dossiers", params).json()
        assert [d["code"] for d in api["items"]] == screen and api["count"] == len(screen), params
    assert client.get("/api/dossiers", {"name": "dang thi hong"}).json()["count"] == 1  # never the other unit's


def test_bad_criteria_get_a_clear_message_never_a_500(office: Office, people: dict, client: Client) -> None:
    client.force_login(office.counter)
    for params, words in (
        ({"from": "31/02/2026"}, "không phải là một ngày"),
        ({"to": "hôm qua"}, "không phải là một ngày"),
        ({"from": "2026-03-20", "to": "2026-03-01"}, "“đến ngày” đứng trước “từ ngày”"),
        ({"name": "a"}, "ít nhất 3 ký tự"),
        ({"status": "bogus"}, "Trạng thái không hợp lệ"),
    ):
        response = client.get(URL, params)
        assert response.status_code == 400, params
        message = re.search(r'data-testid="search-error">([^<]+)<', response.content.decode()).group(1)
        assert words in message.replace("&quot;", '"'), (params, message)
    api = client.get("/api/dossiers", {"name": "a"})
    assert api.status_code == 422 and api.json()["code"] == "bad_filter" and "3 ký tự" in api.json()["message"]
    assert client.get("/api/dossiers", {"from": "31/02/2026"}).status_code == 422
    for where in (URL, "/api/dossiers"):  # a NUL byte: refused before the search (motcua.middleware)
        assert client.get(where, {"name": "abc\x00def"}).status_code == 400


def test_search_needs_login_and_is_in_the_nav(office: Office, client: Client) -> None:
    assert client.get(URL).status_code == 302
    client.force_login(office.counter)
    page = client.get(reverse("office:inbox")).content.decode()
    assert f'href="{URL}"' in page
    assert "Nhập ít nhất một điều kiện" in client.get(URL).content.decode()
