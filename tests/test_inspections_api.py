"""Inspections through the API: a plan with its targets and coverage, an inspection planned from a
target with its team, a re-inspection, findings and evidence; scope (404), the token's role (403)
and bad input named by its key."""
from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from motcua.api.models import ApiToken
from motcua.inspections.models import Inspection, InspectionPlan
from motcua.units.models import StaffRole
from tests.factories import make_world

pytestmark = pytest.mark.django_db
JSON = "application/json"


def _token(name: str, role: str, unit) -> dict:  # noqa: ANN001
    user = User.objects.create_user(name, password="mat-khau-dai-1234")
    StaffRole.objects.create(user=user, role=role, unit=unit)
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=user, role=role, name=name)[1]}"}


def test_plan_targets_inspections_and_coverage_through_the_api(client) -> None:  # noqa: ANN001
    w = make_world()
    inspector = _token("thanhtra", "inspector", w.province)
    leader_a, leader_b = _token("lanhdao_a", "leader", w.commune), _token("lanhdao_b", "leader", w.other_commune)

    plan = client.post("/api/oversight/inspection-plans", {
        "year": 2026, "title": "Kế hoạch kiểm tra công vụ 2026", "issuer": "Sở Nội vụ", "unit_code": w.province.code,
        "decision_number": "45/KH-SNV", "decision_date": "2026-01-15"}, content_type=JSON, **inspector)
    assert plan.status_code == 201, plan.content
    pk = plan.json()["id"]
    targets = [client.post(f"/api/oversight/inspection-plans/{pk}/targets", body, content_type=JSON, **inspector)
               for body in ({"population": "UBND cấp xã", "unit_code": w.commune.code},
                            {"population": "UBND cấp xã", "unit_code": w.other_commune.code},
                            {"population": "Trường học", "name": "Trường Tiểu học Kim Đồng", "kind": "school"})]
    assert [t.status_code for t in targets] == [201, 201, 201]
    assert targets[2].json()["kind"] == "school" and targets[2].json()["name"] == "Trường Tiểu học Kim Đồng"

    created = client.post("/api/oversight/inspections", {
        "topic": "Kỷ luật, kỷ cương tại Bộ phận một cửa", "target_id": targets[0].json()["id"],
        "agency_code": w.agency.code, "period_from": "2026-01-01", "period_to": "2026-03-31",
        "starts_on": "2026-04-06", "ends_on": "2026-04-07", "decision_number": "52/QĐ-SNV",
        "decision_date": "2026-04-01", "decision_issuer": "Giám đốc Sở Nội vụ",
        "team": [{"name": "Nguyễn Văn An", "position": "Chánh Thanh tra", "team_role": "head"},
                 {"name": "Trần Thị Bình", "team_role": "secretary"}]}, content_type=JSON, **inspector)
    assert created.status_code == 201, created.content
    body = created.json()
    code = body["code"]
    assert (body["plan_id"], body["unit_code"], body["agency_code"], body["decision_issuer"]) == (
        pk, w.commune.code, w.agency.code, "Giám đốc Sở Nội vụ")
    assert [(m["name"], m["team_role"]) for m in body["team"]] == [("Nguyễn Văn An", "head"),
                                                                  ("Trần Thị Bình", "secretary")]
    # The inspected commune's leader reads it; the other commune's gets 404, and no list shows it.
    assert client.get(f"/api/oversight/inspections/{code}", **leader_a).status_code == 200
    assert client.get(f"/api/oversight/inspections/{code}", **leader_b).status_code == 404
    assert code not in [i["code"] for i in client.get("/api/oversight/inspections", **leader_b).json()]
    # A leader's token does not write.
    assert client.post(f"/api/oversight/inspections/{code}/findings", {"theme": "x", "description": "y"},
                       content_type=JSON, **leader_a).status_code == 403

    moved = client.post(f"/api/oversight/inspections/{code}/actions/start", {}, content_type=JSON, **inspector)
    assert moved.status_code == 200 and moved.json()["status"] == "in_progress"
    finding = client.post(f"/api/oversight/inspections/{code}/findings", {
        "theme": "Công khai thủ tục", "description": "Thiếu 5 thủ tục", "severity": "violation",
        "people_concerned": "Công chức một cửa"}, content_type=JSON, **inspector)
    assert finding.status_code == 201
    assert [f["theme"] for f in client.get(f"/api/oversight/inspections/{code}/findings", **leader_a).json()] == [
        "Công khai thủ tục"]
    assert set(client.post(f"/api/oversight/inspections/{code}/evidence", **inspector).json()) == {
        "report06", "late_without_apology", "logbook", "quality_index"}
    links = client.get(f"/api/oversight/inspections/{code}/evidence", **inspector).json()
    assert {e["parameters"]["unit"] for e in links} == {w.commune.code} and all(e["url"] for e in links)

    moved = client.post(f"/api/oversight/inspections/{code}/actions/conclude", {"conclusion": "Chấp hành khá tốt."},
                        content_type=JSON, HTTP_IF_MATCH=f'"{moved.json()["version"] + 2}"', **inspector)
    assert moved.status_code == 200 and moved.json()["status"] == "concluded", moved.content
    closed = client.post(f"/api/oversight/inspections/{code}/findings", {"theme": "x", "description": "y"},
                         content_type=JSON, **inspector)
    assert closed.status_code == 409 and closed.json()["code"] == "not_allowed"
    detail = client.get(f"/api/oversight/inspection-plans/{pk}", **inspector).json()
    assert [(c["population"], c["planned"], c["inspected"], c["percent"]) for c in detail["coverage"]] == [
        ("Trường học", 1, 0, 0), ("UBND cấp xã", 2, 1, 50)]
    assert len(detail["targets"]) == 3

    again = client.post("/api/oversight/inspections", {
        "topic": "Kiểm tra lại", "target_id": targets[0].json()["id"], "kind": "reinspection", "follows_code": code,
        "period_from": "2026-04-01", "period_to": "2026-06-30", "starts_on": "2026-07-06", "ends_on": "2026-07-06"},
        content_type=JSON, **inspector)
    assert again.status_code == 201 and again.json()["follows_code"] == code
    assert [i["code"] for i in client.get("/api/oversight/inspections?kind=reinspection", **inspector).json()] == [
        again.json()["code"]]


def test_bad_input_names_the_key_and_writes_nothing(client) -> None:  # noqa: ANN001
    w = make_world()
    inspector = _token("thanhtra", "inspector", w.province)
    base = {"topic": "Một cửa", "unit_code": w.commune.code, "period_from": "2026-01-01", "period_to": "2026-03-31",
            "starts_on": "2026-04-06", "ends_on": "2026-04-07"}
    cases = [({"unit_code": "KHONGCO"}, "unit_code: không có đơn vị hành chính mã KHONGCO"),
             ({"agency_code": "KHONGCO"}, "agency_code: không có cơ quan mã KHONGCO"),
             ({"ends_on": "2026-04-01"}, "ends_on: Ngày kết thúc làm việc trước ngày bắt đầu"),
             ({"period_to": "2025-12-31"}, "period_to: Thời kỳ được kiểm tra"),
             ({"topic": "  "}, "topic: Cần nhập nội dung kiểm tra"),
             ({"kind": "reinspection"}, "follows_code: Kiểm tra lại phải chỉ ra cuộc kiểm tra trước"),
             ({"kind": "surprise"}, "kind: Loại kiểm tra không hợp lệ"),
             ({"target_id": 999}, "target_id: không có đối tượng kế hoạch số 999"),
             ({"team": [{"name": " "}]}, "team: mỗi thành viên đoàn cần có họ tên")]
    for change, message in cases:
        response = client.post("/api/oversight/inspections", {**base, **change}, content_type=JSON, **inspector)
        assert response.status_code == 400, (change, response.content)
        assert response.json()["code"] == "bad_input" and message in response.json()["message"], response.json()
    bad_date = client.post("/api/oversight/inspections", {**base, "starts_on": "06/04/2026"}, content_type=JSON,
                           **inspector)
    assert bad_date.status_code == 422 and "starts_on" in str(bad_date.json()["detail"])
    bad_plan = client.post("/api/oversight/inspection-plans", {"year": 1990, "title": "X", "issuer": "Y",
                                                               "unit_code": w.province.code},
                           content_type=JSON, **inspector)
    assert bad_plan.status_code == 400 and bad_plan.json()["message"].startswith("year: ")
    assert not Inspection.objects.exists() and not InspectionPlan.objects.exists()
    small = client.post("/api/oversight/inspection-plans", {"year": 2026, "title": "Kế hoạch của xã", "issuer": "UBND",
                                                            "unit_code": w.commune.code},
                        content_type=JSON, **inspector).json()["id"]
    for body, message in (({"population": "UBND cấp xã", "unit_code": w.other_commune.code},
                           f"unit_code: {w.other_commune.name} không thuộc phạm vi của kế hoạch"),
                          ({"population": " ", "unit_code": w.commune.code}, "population: Cần nhập nhóm đối tượng"),
                          ({"population": "Trường học", "kind": "school"}, "name: Cần chọn đơn vị, cơ quan hoặc nhập"),
                          ({"population": "Cơ quan", "kind": "agency", "name": "Sở"},
                           "agency_code: Đối tượng là cơ quan")):
        refused = client.post(f"/api/oversight/inspection-plans/{small}/targets", body, content_type=JSON, **inspector)
        assert refused.status_code == 400 and message in refused.json()["message"], refused.json()
    assert not InspectionPlan.objects.get(pk=small).targets.exists()
