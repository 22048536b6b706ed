"""PAR plans through the API: a PAR officer's token issues a plan, assigns tasks (deadline as a date on the
legal clock, co-agencies), reads a task with its history and the actions open to it, acts through the
lifecycle; internal procedures and a simplification plan with items; refusals are ``{code, message}``
naming the field, and other units' callers get 404/403."""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User

from motcua.api.models import ApiToken
from motcua.parplans.models import ParPlan, Task
from motcua.units.models import Agency, StaffRole
from tests.factories import at, make_world

pytestmark = pytest.mark.django_db
JSON = "application/json"


def _token(name: str, role: str, unit) -> dict:  # noqa: ANN001
    user = User.objects.create_user(name, password="mat-khau-dai-1234")
    StaffRole.objects.create(user=user, role=role, unit=unit)
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=user, role=role, name=name)[1]}"}


def test_plans_tasks_and_actions(client) -> None:  # noqa: ANN001
    w = make_world()
    officer = _token("cchc", "par_officer", w.commune)
    other = _token("cchc_khac", "par_officer", w.other_commune)
    specialist = _token("chuyenvien", "specialist", w.commune)
    co = Agency.objects.create(code="X9-CA", name="Công an xã Một", unit=w.commune, level="commune")
    body = {"unit_code": w.commune.code, "year": 2026, "title": "Kế hoạch CCHC năm 2026", "issuer": "UBND xã Một",
            "number": "12/KH-UBND", "date": "2026-01-05"}
    assert client.post("/api/oversight/par-plans", body, content_type=JSON, **other).status_code == 403
    assert client.post("/api/oversight/par-plans", body, content_type=JSON, **specialist).status_code == 403
    created = client.post("/api/oversight/par-plans", body, content_type=JSON, **officer)
    assert created.status_code == 201, created.content
    plan_id = created.json()["id"]
    assert ParPlan.objects.get(pk=plan_id).unit == w.commune
    bad = client.post("/api/oversight/par-plans", {**body, "title": " "}, content_type=JSON, **officer)
    assert bad.status_code == 400 and bad.json()["message"].startswith("title:")
    unknown = client.post("/api/oversight/par-plans", {**body, "unit_code": "KHONGCO"}, content_type=JSON, **officer)
    assert unknown.status_code == 400 and "unit_code" in unknown.json()["message"]

    url = f"/api/oversight/par-plans/{plan_id}/tasks"
    task_body = {"title": "Số hóa kết quả giải quyết TTHC", "area": "digital", "owner_code": w.agency.code,
                 "co_agency_codes": [co.code], "expected_output": "Báo cáo", "deadline_date": "2026-05-01"}
    task = client.post(url, task_body, content_type=JSON, **officer)
    assert task.status_code == 201, task.content
    # 1 May is a holiday: the deadline is the close of the next working day.
    assert dt.datetime.fromisoformat(task.json()["deadline"]) == at("2026-05-04 17:00")
    wrong_area = client.post(url, {**task_body, "area": "khac"}, content_type=JSON, **officer)
    assert wrong_area.status_code == 400 and wrong_area.json()["message"].startswith("area:")
    two = client.post(url, {**task_body, "working_days": 5}, content_type=JSON, **officer)
    assert two.status_code == 400 and "deadline_date" in two.json()["message"]
    same = client.post(url, {**task_body, "co_agency_codes": [w.agency.code]}, content_type=JSON, **officer)
    assert same.status_code == 400 and same.json()["message"].startswith("co_agencies:")
    no_owner = client.post(url, {**task_body, "owner_code": "KHONG"}, content_type=JSON, **officer)
    assert no_owner.status_code == 400 and "owner_code" in no_owner.json()["message"]
    assert Task.objects.count() == 1
    assert client.post(url, task_body, content_type=JSON, **other).status_code == 404

    tid = task.json()["id"]
    actions = client.get(f"/api/oversight/par-tasks/{tid}/actions", **officer).json()
    assert {a["action"] for a in actions["actions"]} == {"start", "complete"}  # cancel: leaders only
    complete = next(a for a in actions["actions"] if a["action"] == "complete")
    assert complete["required"] == ["evidence"]
    missing = client.post(f"/api/oversight/par-tasks/{tid}/actions/complete", {}, content_type=JSON, **officer)
    assert missing.status_code == 400 and missing.json()["code"] == "bad_input"
    refused = client.post(f"/api/oversight/par-tasks/{tid}/actions/reopen", {"reason": "x"}, content_type=JSON,
                          **officer)
    assert refused.status_code == 409 and refused.json()["code"] == "not_allowed"
    done = client.post(f"/api/oversight/par-tasks/{tid}/actions/complete", {"evidence": "Báo cáo số 3"},
                       content_type=JSON, HTTP_IF_MATCH='"1"', **officer)
    assert done.status_code == 200 and done.json()["status"] == "done"
    stale = client.post(f"/api/oversight/par-tasks/{tid}/actions/reopen", {"reason": "x"}, content_type=JSON,
                        HTTP_IF_MATCH='"1"', **officer)
    assert stale.status_code in (403, 409)
    detail = client.get(f"/api/oversight/par-tasks/{tid}", **officer).json()
    assert [e["action"] for e in detail["events"]] == ["create", "complete"]
    assert detail["co_agencies"] == [co.code] and detail["evidence"] == "Báo cáo số 3"
    assert client.get(f"/api/oversight/par-tasks/{tid}", **other).status_code == 404
    plan = client.get(f"/api/oversight/par-plans/{plan_id}", **officer).json()
    assert (plan["figures"]["plan_tasks_done"], plan["figures"]["plan_tasks_total"]) == (1, 1)


def test_internal_procedures_and_simplification_plans(client) -> None:  # noqa: ANN001
    w = make_world()
    officer = _token("cchc", "par_officer", w.commune)
    other = _token("cchc_khac", "par_officer", w.other_commune)
    for n in range(4):
        made = client.post("/api/oversight/internal-procedures", {
            "unit_code": w.commune.code, "code": f"NB.{n}", "name": f"Quy trình nội bộ {n}", "field": "Nội vụ",
            "steps": 6, "time_limit_days": 10, "legal_basis": "Quyết định 1085/QĐ-TTg"}, content_type=JSON, **officer)
        assert made.status_code == 201, made.content
    dup = client.post("/api/oversight/internal-procedures", {"unit_code": w.commune.code, "code": "NB.0",
                                                              "name": "Trùng"}, content_type=JSON, **officer)
    assert dup.status_code == 400 and dup.json()["message"].startswith("code:")
    assert len(client.get("/api/oversight/internal-procedures", **officer).json()) == 4
    assert client.get("/api/oversight/internal-procedures", **other).json() == []

    splan = client.post("/api/oversight/simplification-plans", {
        "unit_code": w.commune.code, "year": 2026, "title": "Phương án đơn giản hóa 2026", "decision_number": "5/QĐ",
        "decision_date": "2026-03-01", "approved_on": "2026-03-01"}, content_type=JSON, **officer)
    assert splan.status_code == 201, splan.content
    url = f"/api/oversight/simplification-plans/{splan.json()['id']}/items"
    for code, proposal, state in (("NB.0", "abolish", "done"), ("NB.1", "simplify", "approved"),
                                  ("NB.2", "simplify", "proposed"), ("NB.3", "keep", "approved")):
        item = client.post(url, {"procedure_code": code, "proposal": proposal, "days_after": 6, "steps_after": 4,
                                 "state": state}, content_type=JSON, **officer)
        assert item.status_code == 201, item.content
    more = client.post(url, {"procedure_code": "NB.1", "proposal": "keep"}, content_type=JSON, **officer)
    assert more.status_code == 400 and more.json()["message"].startswith("procedure_code:")
    out = client.get("/api/oversight/simplification-plans", **officer).json()[0]
    assert (out["internal_procedures_planned"], out["internal_procedures_simplified"]) == (4, 2)
    assert (out["internal_procedures_days_cut"], out["internal_procedures_steps_cut"]) == (10 + 4, 6 + 2)
    assert client.post(url, {"procedure_code": "NB.2", "proposal": "keep"}, content_type=JSON,
                       **other).status_code == 404
