"""Council supervision through the REST API: programmes, a delegation set up under one, its sessions,
the records the deadlines wait for, its report through the lifecycle, publication; a token writes
only with the council role; bad input is ``{code, message}`` naming the field; another commune's
token gets 404."""
from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from motcua.api.models import ApiToken
from motcua.supervision.models import Delegation
from motcua.units.models import StaffRole
from tests.factories import make_world

pytestmark = pytest.mark.django_db
JSON = "application/json"


def _token(name: str, role: str, unit) -> dict:  # noqa: ANN001
    user = User.objects.create_user(name, password="mat-khau-dai-1234")
    StaffRole.objects.create(user=user, role=role, unit=unit)
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=user, role=role, name=name)[1]}"}


def test_programmes_delegations_sessions_reports_publication(client) -> None:  # noqa: ANN001
    w = make_world()
    council = _token("hdnd", "council", w.province)
    leader_a, leader_b = _token("lanhdao_a", "leader", w.commune), _token("lanhdao_b", "leader", w.other_commune)
    p = client.post("/api/oversight/programmes", {
        "council_unit_code": w.province.code, "year": 2022, "title": "Chương trình giám sát năm 2022",
        "adopted_on": "2021-07-16"}, content_type=JSON, **council)
    assert p.status_code == 201 and p.json()["proposals_deadline"] == "2021-03-01"
    refused = client.post("/api/oversight/programmes", {"council_unit_code": w.province.code, "year": 2022,
                                                        "title": "X"}, content_type=JSON, **leader_a)
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    bad_year = client.post("/api/oversight/programmes", {"council_unit_code": w.province.code, "year": 1990,
                                                         "title": "X"}, content_type=JSON, **council)
    assert bad_year.status_code == 400 and bad_year.json() == {"code": "bad_input",
                                                               "message": "Năm của chương trình phải từ 2000 đến 2100."}
    payload = {"council_unit_code": w.province.code, "programme_id": p.json()["id"],
               "committee": "Ban Pháp chế HĐND tỉnh", "number": "18", "decision_number": "18/QĐ-BPC",
               "decision_date": "2022-02-07", "topic": "Thực thi công vụ 2019–2021", "subject": "UBND xã Một",
               "period_from": "2019-01-01", "period_to": "2021-12-31", "starts_on": "2022-02-20",
               "ends_on": "2022-02-21", "unit_codes": [w.commune.code],
               "members": [["Trưởng Ban Pháp chế", "Trưởng đoàn"]]}
    wrong = client.post("/api/oversight/delegations", {**payload, "unit_codes": ["KHONGCO"]}, content_type=JSON,
                        **council)
    assert wrong.status_code == 400 and wrong.json()["message"].startswith("unit_codes: không có đơn vị")
    empty = client.post("/api/oversight/delegations", {**payload, "topic": "  "}, content_type=JSON, **council)
    assert empty.status_code == 400 and empty.json()["message"] == "Cần nhập nội dung giám sát."
    assert Delegation.objects.count() == 0
    created = client.post("/api/oversight/delegations", payload, content_type=JSON, **council)
    assert created.status_code == 201
    d = created.json()
    code = d["code"]
    assert (d["number"], d["unit_codes"], d["members"], d["programme_id"]) == (
        "18", [w.commune.code], [{"name": "Trưởng Ban Pháp chế", "position": "Trưởng đoàn"}], p.json()["id"])
    assert [(x["key"], x["due"]) for x in d["deadlines"]] == [("plan", "2022-02-22"), ("report", "2022-03-03")]
    base = f"/api/oversight/delegations/{code}"
    assert client.post(f"{base}/plan-sent", {"date": "2022-02-10"}, content_type=JSON,
                       **council).json()["deadlines"][0]["state"] == "on_time"
    s = client.post(f"{base}/sessions", {"date": "2022-02-20", "unit_code": w.commune.code}, content_type=JSON,
                    **council)
    assert s.status_code == 201 and s.json()["deadlines"][1]["state"] == "overdue"  # never sent, long past
    [session] = client.get(f"{base}/sessions", **leader_a).json()
    assert (session["date"], session["unit_code"], session["programme_sent_on"]) == ("2022-02-20", w.commune.code, None)
    sent = client.post(f"{base}/sessions/{session['id']}/programme-sent", {"date": "2022-02-11"}, content_type=JSON,
                       **council)
    assert sent.json()["deadlines"][1] | {"label": ""} == {"key": f"notice-{session['id']}", "label": "",
                                                           "due": "2022-02-10", "done": "2022-02-11", "state": "late"}
    outside = client.post(f"{base}/sessions", {"date": "2022-03-01", "unit_code": w.commune.code}, content_type=JSON,
                          **council)
    assert outside.status_code == 400 and outside.json()["message"].startswith("Ngày làm việc phải trong")
    assert client.post(f"{base}/actions/start", {}, content_type=JSON, **leader_a).status_code == 403
    assert client.post(f"{base}/actions/start", {}, content_type=JSON, **council).json()["status"] == "working"
    reported = client.post(f"{base}/actions/report", {"findings": "Hồ sơ một cửa lưu chưa đầy đủ."},
                           content_type=JSON, **council)
    assert reported.json()["status"] == "reported"
    [report] = client.get(f"{base}/reports", **leader_a).json()
    assert report["findings"] == "Hồ sơ một cửa lưu chưa đầy đủ." and report["published_at"] is None
    assert client.get(base, **leader_b).status_code == 404
    assert client.get(f"{base}/reports", **leader_b).status_code == 404
    assert client.get("/api/oversight/delegations", **leader_b).json() == []
    assert client.post(f"{base}/publish", content_type=JSON, **leader_a).status_code == 403
    published = client.post(f"{base}/publish", content_type=JSON, **council)
    assert published.status_code == 200 and published.json()["published_at"] is not None
    assert client.get(f"{base}/reports", **council).json()[0]["published_at"] is not None
    again = client.post(f"{base}/publish", content_type=JSON, **council)
    assert again.status_code == 409 and again.json()["code"] == "not_allowed"
    assert [x["year"] for x in client.get("/api/oversight/programmes?year=2022", **council).json()] == [2022]
    assert client.get("/api/oversight/programmes", **council).json()[0]["published_at"] is not None
