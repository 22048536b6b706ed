"""The oversight registers through the API, with the dossiers' conventions: a caller sees what its
user sees (404 otherwise), a token acts only with its own role where its user holds it, refusals are
``{code, message}``."""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User

from motcua.api.models import ApiToken
from motcua.inspections import services as inspections
from motcua.parplans import services as parplans
from motcua.supervision import services as supervision
from motcua.units.models import StaffRole
from tests.factories import at, make_world

pytestmark = pytest.mark.django_db


def _token(name: str, role: str, unit) -> tuple[User, dict]:  # noqa: ANN001
    user = User.objects.create_user(name, password="mat-khau-dai-1234")
    StaffRole.objects.create(user=user, role=role, unit=unit)
    return user, {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=user, role=role, name=name)[1]}"}


def test_inspections_supervision_and_plans_through_the_api(client) -> None:  # noqa: ANN001
    w = make_world()
    inspector, as_inspector = _token("thanhtra", "inspector", w.province)
    _leader_b, as_b = _token("lanhdao_b", "leader", w.other_commune)
    created = client.post("/api/oversight/inspections", {
        "topic": "Bộ phận một cửa", "unit_code": w.commune.code, "agency_code": w.agency.code,
        "period_from": "2026-01-01", "period_to": "2026-03-31", "starts_on": "2026-04-06", "ends_on": "2026-04-07"},
        content_type="application/json", **as_inspector)
    assert created.status_code == 201, created.content
    code = created.json()["code"]
    assert client.get(f"/api/oversight/inspections/{code}", **as_b).status_code == 404
    started = client.post(f"/api/oversight/inspections/{code}/actions/start", {}, content_type="application/json",
                          HTTP_IF_MATCH='"1"', **as_inspector)
    assert started.status_code == 200 and started.json()["status"] == "in_progress"
    finding = client.post(f"/api/oversight/inspections/{code}/findings",
                          {"theme": "Niêm yết", "description": "Thiếu 5 thủ tục"}, content_type="application/json",
                          **as_inspector)
    assert finding.status_code == 201
    evidence = client.post(f"/api/oversight/inspections/{code}/evidence", **as_inspector)
    assert set(evidence.json()) == {"report06", "late_without_apology", "logbook", "quality_index"}
    missing = client.post(f"/api/oversight/inspections/{code}/actions/conclude", {},
                          content_type="application/json", **as_inspector)
    assert missing.status_code == 400 and missing.json()["code"] == "bad_input"

    council, as_council = _token("hdnd", "council", w.province)
    d = supervision.create_delegation(council_unit=w.province, committee="Ban Pháp chế", decision_number="18/QĐ",
                                      decision_date=dt.date(2026, 3, 2), topic="Công vụ", starts_on=dt.date(2026, 4, 1),
                                      ends_on=dt.date(2026, 4, 2), period_from=dt.date(2025, 1, 1),
                                      period_to=dt.date(2025, 12, 31), units=[w.commune], actor=council)
    body = client.get(f"/api/oversight/delegations/{d.code}", **as_council).json()
    assert [x["key"] for x in body["deadlines"]] == ["plan", "report"] and body["deadlines"][0]["due"] == "2026-03-17"
    assert client.get(f"/api/oversight/delegations/{d.code}", **as_b).status_code == 404
    # An inspector's token is not the council's.
    refused = client.post(f"/api/oversight/delegations/{d.code}/actions/start", {}, content_type="application/json",
                          **as_inspector)
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    session = client.post(f"/api/oversight/delegations/{d.code}/sessions",
                          {"date": "2026-04-01", "unit_code": w.commune.code, "programme_sent_on": "2026-03-20"},
                          content_type="application/json", **as_council)
    assert session.status_code == 201 and len(session.json()["deadlines"]) == 3

    via_api = client.post("/api/oversight/delegations", {
        "council_unit_code": w.province.code, "committee": "Ban Văn hóa - Xã hội", "decision_number": "20/QĐ",
        "decision_date": "2026-05-04", "topic": "Chuyển đổi số", "period_from": "2025-01-01",
        "period_to": "2025-12-31", "starts_on": "2026-05-20", "ends_on": "2026-05-21",
        "unit_codes": [w.commune.code], "members": [["Lê Văn Tám", "Trưởng ban"]]},
        content_type="application/json", **as_council)
    assert via_api.status_code == 201 and via_api.json()["deadlines"][0]["due"] == "2026-05-19"
    wrong = client.post("/api/oversight/delegations", {
        "council_unit_code": "KHONGCO", "committee": "Ban", "decision_number": "1", "decision_date": "2026-05-04",
        "topic": "T", "period_from": "2025-01-01", "period_to": "2025-12-31", "starts_on": "2026-05-20",
        "ends_on": "2026-05-21"}, content_type="application/json", **as_council)
    assert wrong.status_code == 400 and "KHONGCO" in wrong.json()["message"]

    officer, as_officer = _token("cchc", "par_officer", w.commune)
    plan = parplans.create_plan(unit=w.commune, year=2026, title="Kế hoạch CCHC 2026", issuer="UBND xã")
    task = parplans.add_task(plan, title="Rà soát thủ tục", area="procedures", deadline=at("2026-06-30 17:00"))
    tasks = client.get(f"/api/oversight/par-plans/{plan.pk}/tasks", **as_officer).json()
    assert [t["id"] for t in tasks] == [task.pk]
    done = client.post(f"/api/oversight/par-tasks/{task.pk}/actions/complete", {"evidence": "Báo cáo số 5"},
                       content_type="application/json", **as_officer)
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert client.get(f"/api/oversight/par-plans/{plan.pk}/tasks", **as_b).status_code == 404
    assert inspections.visible(inspector).filter(code=code).exists()
