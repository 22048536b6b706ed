"""The REST API: catalogue, submission with idempotency, scoping, the lifecycle through HTTP, errors."""
from __future__ import annotations

import datetime as dt
import io
import re
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from motcua.api.models import ApiToken, hash_key
from motcua.catalog.models import Field, Procedure, RequiredDocument, RouteStep
from motcua.dossiers import services
from motcua.dossiers.lifecycle import TABLE, Action
from motcua.dossiers.models import Dossier
from motcua.units.models import AdministrativeUnit, Agency, StaffRole

pytestmark = pytest.mark.django_db

APPLICANT = {"name": "Nguyễn Văn An", "id_number": "001090000001", "phone": "0912345678",
             "email": "an@example.vn", "address": "Thôn 1"}


@pytest.fixture
def world() -> dict:
    since = dt.date(2020, 1, 1)
    province = AdministrativeUnit.objects.create(code="T99", name="Tỉnh Thử", level="province", valid_from=since)
    commune_a = AdministrativeUnit.objects.create(
        code="X991", name="Xã A", level="commune", parent=province, valid_from=since)
    commune_b = AdministrativeUnit.objects.create(
        code="X992", name="Xã B", level="commune", parent=province, valid_from=since)
    agency_a = Agency.objects.create(code="UBND-X991", name="UBND xã A", kind="ubnd", unit=commune_a,
                                     level="commune", has_one_stop=True)
    agency_b = Agency.objects.create(code="UBND-X992", name="UBND xã B", kind="ubnd", unit=commune_b,
                                     level="commune", has_one_stop=True)
    field = Field.objects.create(code="HT", name="Hộ tịch")
    procedure = Procedure.objects.create(
        code="1.000656", name="Thủ tục đăng ký khai sinh", field=field, levels=["commune"],
        legal_minutes=3 * 480, channels=["counter", "online_full"])
    Procedure.objects.create(code="2.000001", name="Cấp giấy phép xây dựng", levels=["province"],
                             legal_minutes=15 * 480)
    Procedure.objects.create(code="9.999999", name="Thủ tục đã bãi bỏ", levels=["commune"], active=False)
    RequiredDocument.objects.create(procedure=procedure, order=1, name="Tờ khai đăng ký khai sinh")
    RouteStep.objects.create(procedure=procedure, order=1, name="Tiếp nhận", role="counter", share_minutes=60)
    RouteStep.objects.create(procedure=procedure, order=2, name="Thẩm định", role="specialist", share_minutes=900)
    RouteStep.objects.create(procedure=procedure, order=3, name="Phê duyệt", role="leader", share_minutes=480)
    users = {}
    User = get_user_model()
    for name, role, agency in [
        ("counter_a", "counter", agency_a), ("specialist_a", "specialist", agency_a), ("head_a", "head", agency_a),
        ("counter_b", "counter", agency_b), ("inspector_a", "inspector", agency_a),
    ]:
        users[name] = User.objects.create_user(name)
        StaffRole.objects.create(user=users[name], role=role, agency=agency)
    users["integration"] = User.objects.create_user("integration")
    StaffRole.objects.create(user=users["integration"], role="admin", unit=province)
    _, system_key = ApiToken.issue(user=users["integration"], role="system", name="Cổng DVC")
    _, counter_b_key = ApiToken.issue(user=users["counter_b"], role="counter", name="Kiosk xã B")
    return {"procedure": procedure, "commune_a": commune_a, "commune_b": commune_b, "agency_a": agency_a,
            "agency_b": agency_b, "users": users, "system_key": system_key, "counter_b_key": counter_b_key}


def bearer(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def login(name: str, world: dict) -> Client:
    client = Client()
    client.force_login(world["users"][name])
    return client


def submit(client: Client, key: str, unit: str = "X991", agency: str | None = "UBND-X991", **headers: str):
    body = {"procedure_code": "1.000656", "unit_code": unit, "agency_code": agency, "applicant": APPLICANT,
            "matter": "Đăng ký khai sinh cho con", "documents": ["Tờ khai đăng ký khai sinh"]}
    return client.post("/api/dossiers", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key, **headers)


def act(client: Client, code: str, action: str, **body: object):
    """An action as a client that retries safely: each with its own Idempotency-Key."""
    return client.post(f"/api/dossiers/{code}/actions/{action}", body, content_type="application/json",
                       HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)


# --- catalogue ----------------------------------------------------------------------------------

def test_catalogue_is_public_and_filters(client, world):
    everything = client.get("/api/procedures").json()
    assert everything["count"] == 2  # the inactive procedure is not listed
    communal = client.get("/api/procedures", {"level": "commune"}).json()
    assert [p["code"] for p in communal["items"]] == ["1.000656"]
    assert [p["code"] for p in client.get("/api/procedures", {"field": "HT"}).json()["items"]] == ["1.000656"]
    assert [p["code"] for p in client.get("/api/procedures", {"q": "xây dựng"}).json()["items"]] == ["2.000001"]
    assert client.get("/api/procedures", {"level": "galaxy"}).status_code == 422

    detail = client.get("/api/procedures/1.000656").json()
    assert detail["legal_time_label"] == "3 ngày làm việc"
    assert detail["field_code"] == "HT"
    assert [d["name"] for d in detail["documents"]] == ["Tờ khai đăng ký khai sinh"]
    assert [s["share_minutes"] for s in detail["steps"]] == [60, 900, 480]
    missing = client.get("/api/procedures/9.999999")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


# --- submission ---------------------------------------------------------------------------------

def test_submit_twice_with_same_idempotency_key_gives_one_dossier(client, world):
    first = submit(client, "req-1", **bearer(world["system_key"]))
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["status"] == "submitted" and body["channel"] == "online"
    assert body["applicant"]["name"] == APPLICANT["name"] and body["unit_code"] == "X991"
    again = submit(client, "req-1", **bearer(world["system_key"]))
    assert again.status_code == 200
    assert again.json()["code"] == body["code"]
    assert Dossier.objects.count() == 1
    other = submit(client, "req-2", **bearer(world["system_key"]))
    assert other.status_code == 201 and other.json()["code"] != body["code"]
    assert Dossier.objects.count() == 2
    # another client using the same key gets its own dossier, not the first client's
    elsewhere = submit(client, "req-1", unit="X992", agency="UBND-X992", **bearer(world["counter_b_key"]))
    assert elsewhere.status_code == 201 and elsewhere.json()["code"] != body["code"]


def test_the_counters_are_the_last_write_before_the_commit(world):
    """The unit's counter rows, shared by every receipt of the unit, are written after the dossier's
    other rows and its idempotency record: locked only until the commit that follows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login("counter_a", world)
    with CaptureQueriesContext(connection) as q:
        received = submit(client, "cuoi-cung-1")
    assert received.status_code == 201
    writes = [s["sql"] for s in q.captured_queries if "INSERT " in s["sql"] or "UPDATE " in s["sql"]]
    assert "api_idempotencyrecord" in " ".join(writes)
    # PostgreSQL: the four tables in one statement; SQLite: one per table, the last of them
    assert re.search(r'INTO "reports_(daily|unitmonthly)counter"', writes[-1])


def test_submit_requires_idempotency_key_and_known_references(client, world):
    headers = bearer(world["system_key"])
    no_key = client.post("/api/dossiers", {"procedure_code": "1.000656", "unit_code": "X991", "applicant": APPLICANT},
                         content_type="application/json", **headers)
    assert no_key.status_code == 422 and no_key.json()["code"] == "invalid"
    assert no_key.json()["detail"]
    bad_unit = submit(client, "k-unit", unit="NOPE", agency=None, **headers)
    assert bad_unit.status_code == 422 and bad_unit.json()["code"] == "unknown_unit"
    # The names are read together: each unknown one is told by its own code, the others being right.
    bad_agency = submit(client, "k-agency", agency="NOPE", **headers)
    assert bad_agency.status_code == 422 and bad_agency.json()["code"] == "unknown_agency"
    body = {"procedure_code": "9.999999", "unit_code": "X991", "agency_code": "UBND-X991", "applicant": APPLICANT}
    bad_procedure = client.post("/api/dossiers", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-p",
                                **headers)
    assert bad_procedure.status_code == 422 and bad_procedure.json()["code"] == "unknown_procedure"
    assert "9.999999" in bad_procedure.json()["message"]
    assert Dossier.objects.count() == 0


def test_the_unit_a_code_names_is_kept_per_process_and_follows_a_new_version(world):
    """The receipt's unit: which row a code names today is looked up once, then kept per process; a unit
    saved (here a new version of it, the old one closed) drops what was kept, at once in this process."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from motcua.api import dossiers as api_dossiers

    api_dossiers._unit_ids.forget_changes()  # as in a process whose changes were committed
    api_dossiers._unit_ids.clear()
    old = api_dossiers._unit_id("X991")
    with CaptureQueriesContext(connection) as q:
        assert api_dossiers._unit_id("X991") == old
    assert len(q.captured_queries) == 0  # kept: the code is not looked up again
    today = timezone.localdate()
    AdministrativeUnit.objects.filter(pk=old).update(valid_to=today - dt.timedelta(days=1))
    was = AdministrativeUnit.objects.get(pk=old)
    new = AdministrativeUnit.objects.create(code="X991", name="Xã mới", level=was.level, parent=was.parent,
                                            valid_from=today)
    api_dossiers._unit_ids.forget_changes()
    assert api_dossiers._unit_id("X991") == new.pk
    # A code no unit has is never kept: codes sent at random cannot fill the process's memory.
    assert [api_dossiers._unit_id(f"NOPE{n}") for n in range(5)] == [None] * 5
    assert {code for code, _day in api_dossiers._unit_ids._entries} == {"X991"}


def test_counter_token_receives_at_the_counter_and_only_in_its_scope(client, world):
    headers = bearer(world["counter_b_key"])
    own = submit(client, "kiosk-1", unit="X992", agency="UBND-X992", **headers)
    assert own.status_code == 201
    assert own.json()["status"] == "received" and own.json()["channel"] == "counter"
    assert own.json()["due_at"] is not None
    foreign = submit(client, "kiosk-2", **headers)  # commune A's agency
    assert foreign.status_code == 403 and foreign.json()["code"] == "forbidden"


# --- scoping ------------------------------------------------------------------------------------

def test_list_and_detail_are_scoped_to_the_caller(client, world):
    code_a = submit(client, "a-1", **bearer(world["system_key"])).json()["code"]
    code_b = submit(client, "b-1", unit="X992", agency="UBND-X992", **bearer(world["system_key"])).json()["code"]
    officer_a = login("counter_a", world)
    listed = officer_a.get("/api/dossiers").json()
    assert [d["code"] for d in listed["items"]] == [code_a] and listed["count"] == 1
    assert officer_a.get(f"/api/dossiers/{code_a}").status_code == 200
    hidden = officer_a.get(f"/api/dossiers/{code_b}")
    assert hidden.status_code == 404
    assert hidden.json() == officer_a.get("/api/dossiers/NO-SUCH-CODE").json()  # existence not revealed
    assert officer_a.get(f"/api/dossiers/{code_b}/events").status_code == 404
    assert act(officer_a, code_b, "accept").status_code == 404
    integration = {d["code"] for d in client.get("/api/dossiers", **bearer(world["system_key"])).json()["items"]}
    assert integration == {code_a, code_b}
    # one dossier by its code: the same rule as the list, for each caller
    for caller, seen in ((officer_a, {code_a}), (login("counter_b", world), {code_b})):
        assert {c for c in (code_a, code_b) if caller.get(f"/api/dossiers/{c}").status_code == 200} == seen
    assert all(client.get(f"/api/dossiers/{c}", **bearer(world["system_key"])).status_code == 200
               for c in (code_a, code_b))


def test_list_filters_and_pagination(client, world):
    headers = bearer(world["system_key"])
    codes = [submit(client, f"p-{i}", **headers).json()["code"] for i in range(3)]
    officer = login("counter_a", world)
    assert act(officer, codes[0], "accept").status_code == 200
    received = officer.get("/api/dossiers", {"status": "received"}).json()
    assert [d["code"] for d in received["items"]] == [codes[0]]
    page = officer.get("/api/dossiers", {"limit": 2, "offset": 0}).json()
    rest = officer.get("/api/dossiers", {"limit": 2, "offset": 2}).json()
    assert page["count"] == 3 and len(page["items"]) == 2 and len(rest["items"]) == 1
    assert {d["code"] for d in page["items"] + rest["items"]} == set(codes)
    today = dt.date.today()
    tomorrow = (today + dt.timedelta(days=2)).isoformat()
    assert officer.get("/api/dossiers", {"from": tomorrow}).json()["count"] == 0
    assert officer.get("/api/dossiers", {"to": tomorrow, "procedure": "1.000656"}).json()["count"] == 3
    assert officer.get("/api/dossiers", {"procedure": "2.000001"}).json()["count"] == 0
    assert officer.get("/api/dossiers", {"status": "nonsense"}).status_code == 422


# --- the lifecycle through HTTP -----------------------------------------------------------------

def test_happy_path_through_the_api(client, world):
    code = submit(client, "happy", **bearer(world["system_key"])).json()["code"]
    counter, specialist, head = (login(n, world) for n in ("counter_a", "specialist_a", "head_a"))

    offered = counter.get(f"/api/dossiers/{code}/actions").json()
    assert offered["roles"] == ["counter"]
    assert {a["action"] for a in offered["actions"]} == {"request_completion", "accept", "reject_intake", "withdraw"}

    steps = [
        (counter, "accept", {}, "received"),
        (counter, "hand_over", {"note": "Chuyển thẩm định"}, "in_processing"),
        (specialist, "request_supplement", {"note": "Thiếu giấy chứng sinh"}, "awaiting_supplement"),
        (counter, "supply", {}, "in_processing"),
        (head, "resolve", {"note": "Đồng ý"}, "result_ready"),
        (counter, "return", {}, "returned"),
    ]
    for who, action, body, expected in steps:
        response = act(who, code, action, **body)
        assert response.status_code == 200, (action, response.content)
        assert response.json()["status"] == expected
    final = counter.get(f"/api/dossiers/{code}").json()
    assert final["outcome"] == "approved" and final["finished_at"] and final["returned_at"]
    events = counter.get(f"/api/dossiers/{code}/events").json()
    assert [e["action"] for e in events] == ["submit"] + [s[1] for s in steps]
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert [e["to_status"] for e in events[1:]] == [s[3] for s in steps]
    assert "head_a (Lãnh đạo phòng)" in events[5]["actor"]
    assert events[3]["note"] == "Thiếu giấy chứng sinh"
    assert counter.get(f"/api/dossiers/{code}/actions").json()["actions"] == []


def test_every_action_of_the_table_is_an_endpoint(client, world):
    schema = client.get("/api/openapi.json").json()
    operation = schema["paths"]["/api/dossiers/{code}/actions/{action}"]["post"]
    parameter = next(p for p in operation["parameters"] if p["name"] == "action")
    ref = parameter["schema"].get("$ref", "")
    enum = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]["enum"] if ref else parameter["schema"]["enum"]
    table_actions = {a.value for row in TABLE.values() for a in row}
    assert set(enum) == {a.value for a in Action} >= table_actions


# --- errors ---------------------------------------------------------------------------------------

def test_errors_map_to_documented_statuses(client, world, monkeypatch):
    code = submit(client, "err", **bearer(world["system_key"])).json()["code"]
    counter, head = login("counter_a", world), login("head_a", world)

    not_allowed = act(head, code, "resolve")  # a submitted dossier cannot be resolved
    assert not_allowed.status_code == 409 and not_allowed.json()["code"] == "not_allowed"
    assert not_allowed.json()["message"]
    assert act(counter, code, "accept").status_code == 200
    assert act(counter, code, "hand_over").status_code == 200
    forbidden = act(counter, code, "resolve")  # the move exists, not for the counter
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "forbidden"
    no_role = act(login("inspector_a", world), code, "resolve")  # sees the dossier, has no lifecycle role
    assert no_role.status_code == 403
    no_reason = act(head, code, "refuse")  # a refusal needs a reason: the message names the input
    assert no_reason.status_code == 400 and no_reason.json()["code"] == "bad_input"
    assert "Lý do" in no_reason.json()["message"]
    unknown_action = act(head, code, "teleport")
    assert unknown_action.status_code == 422 and unknown_action.json()["detail"]
    bad_body = act(head, code, "apologize", new_due_at="not a date")
    assert bad_body.status_code == 422 and bad_body.json()["detail"]
    unknown_agency = act(head, code, "hand_over", agency_code="NOPE")
    assert unknown_agency.status_code == 422 and unknown_agency.json()["code"] == "unknown_agency"
    assert act(head, "NO-SUCH", "resolve").status_code == 404

    def lose_the_race(*args: object, **kwargs: object) -> None:
        raise services.Conflict("Hồ sơ vừa được người khác cập nhật.")

    monkeypatch.setattr(services, "perform", lose_the_race)
    conflict = act(head, code, "resolve", note="x")
    assert conflict.status_code == 409 and conflict.json()["code"] == "conflict"
    assert Dossier.objects.get(code=code).status == "in_processing"


def test_openapi_documents_the_errors(client, world):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    operation = schema["paths"]["/api/dossiers/{code}/actions/{action}"]["post"]
    for status in ("401", "403", "404", "409", "422"):
        assert operation["responses"][status]["content"]["application/json"]["schema"]["$ref"].endswith("/Error")
    assert {"code", "message"} <= set(schema["components"]["schemas"]["Error"]["required"])
    submit_op = schema["paths"]["/api/dossiers"]["post"]
    assert any(p["name"] == "Idempotency-Key" and p["required"] for p in submit_op["parameters"])
    assert client.get("/api/docs").status_code == 200


# --- authentication -----------------------------------------------------------------------------

def test_bad_missing_or_revoked_token_is_401(client, world):
    assert client.get("/api/dossiers").status_code == 401
    bad = client.get("/api/dossiers", **bearer("mc_not-a-token"))
    assert bad.status_code == 401 and bad.json()["code"] == "unauthorized"
    assert submit(client, "k", **bearer("mc_not-a-token")).status_code == 401
    assert client.get("/api/dossiers", **bearer(world["system_key"])).status_code == 200
    # revoked as an administrator does it, in the admin: revoked_at set
    ApiToken.objects.filter(key_hash=hash_key(world["system_key"])).update(revoked_at=timezone.now())
    assert client.get("/api/dossiers", **bearer(world["system_key"])).status_code == 401


def test_token_is_stored_hashed_and_marked_used(client, world):
    token = ApiToken.objects.get(key_hash=hash_key(world["system_key"]))
    assert world["system_key"] not in {token.key_hash, token.prefix} and world["system_key"].startswith(token.prefix)
    assert token.last_used_at is None
    client.get("/api/dossiers", **bearer(world["system_key"]))
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_session_writes_need_csrf(world):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world["users"]["counter_b"])
    assert browser.get("/api/dossiers").status_code == 200  # reads need no token
    refused = submit(browser, "csrf-1", unit="X992", agency="UBND-X992")
    assert refused.status_code == 403
    assert Dossier.objects.count() == 0
    browser.get("/admin/login/")  # any page that sets the CSRF cookie
    csrf = browser.cookies["csrftoken"].value
    accepted = submit(browser, "csrf-1", unit="X992", agency="UBND-X992", HTTP_X_CSRFTOKEN=csrf)
    assert accepted.status_code == 201


def test_create_api_token_command(client, world):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_token", "--user", "counter_a", "--role", "counter", "--name", "Kiosk A",
                 stdout=out, stderr=err)
    key = out.getvalue().strip()
    assert key.startswith("mc_") and ApiToken.objects.filter(key_hash=hash_key(key), role="counter").exists()
    assert client.get("/api/dossiers", **bearer(key)).status_code == 200
    with pytest.raises(CommandError, match="^--role: không có vai trò 'emperor'"):
        call_command("create_api_token", "--user", "counter_a", "--role", "emperor", "--name", "x")
    with pytest.raises(CommandError, match="^--user: không có người dùng 'ghost'$"):
        call_command("create_api_token", "--user", "ghost", "--role", "system", "--name", "x")
    get_user_model().objects.filter(username="counter_a").update(is_active=False)
    with pytest.raises(CommandError, match="^--user: người dùng 'counter_a' đã bị vô hiệu hóa$"):
        call_command("create_api_token", "--user", "counter_a", "--role", "counter", "--name", "x")


def test_session_user_acts_with_the_role_the_table_allows(client, world):
    user = get_user_model().objects.create_user("multi")
    StaffRole.objects.create(user=user, role="counter", agency=world["agency_a"])
    StaffRole.objects.create(user=user, role="head", agency=world["agency_a"])
    StaffRole.objects.create(user=user, role="head", agency=world["agency_b"])
    code = submit(client, "multi", **bearer(world["system_key"])).json()["code"]
    officer = Client()
    officer.force_login(user)
    assert officer.get(f"/api/dossiers/{code}/actions").json()["roles"] == ["counter", "head"]
    for action in ("accept", "hand_over", "resolve"):
        assert act(officer, code, action).status_code == 200, action
    actors = [e["actor"] for e in officer.get(f"/api/dossiers/{code}/events").json()]
    assert actors[1:] == ["multi (Cán bộ một cửa)", "multi (Cán bộ một cửa)", "multi (Lãnh đạo phòng)"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("token_kept", [True, False])
def test_a_receipt_and_a_hand_over_by_the_api_take_few_round_trips(client, world, settings, token_kept):
    """Counted on PostgreSQL as bench/transitions.py counts them (the driver's waits for an answer), as a
    counter's token (the test client keeps its connection from one request to the next, so there is no
    health check, which a server makes once per request): a receipt is 3 round trips — the procedure,
    unit, agency and key together, the code drawn apart with the dossier's key, then one transaction in one
    pipeline: the BEGIN, the dossier, its steps, documents and event, the applicant's messages with their
    task, the key's record, the counters and the COMMIT. A hand-over is 3: the dossier with the caller's
    record of the key, then the BEGIN with the locked row and its steps, the write with the key's record
    and the COMMIT. The token with its user's roles is one more, when the process does not keep it
    (``MOTCUA_TOKEN_CACHE_SECONDS`` = 0, or once every so many seconds). (Each had a savepoint of its own
    inside the request's transaction, and read one thing at a time: 17 and 11; then 8 and 6, before the
    writes nothing reads went with the COMMIT.)"""
    from django.db import connection

    from bench.exchanges import counting_exchanges

    if connection.vendor != "postgresql":
        pytest.skip("the driver's pipeline mode: PostgreSQL")
    if not token_kept:
        settings.MOTCUA_TOKEN_CACHE_SECONDS = 0
    token = 0 if token_kept else 1
    headers = bearer(world["counter_b_key"])
    submit(client, "warm", unit="X992", agency="UBND-X992", **headers)  # the process's caches filled
    with counting_exchanges() as trips:
        receipt = submit(client, "rt-1", unit="X992", agency="UBND-X992", **headers)
    assert receipt.status_code == 201 and trips[0] == 3 + token
    with counting_exchanges() as trips:
        handed = client.post(f"/api/dossiers/{receipt.json()['code']}/actions/hand_over", {},
                             content_type="application/json", HTTP_IDEMPOTENCY_KEY="rt-2", **headers)
    assert handed.status_code == 200 and trips[0] == 3 + token
    assert Dossier.objects.get(code=receipt.json()["code"]).status != receipt.json()["status"]
