"""The follow-up register through the API: the same scoping and lifecycle as the screens."""
from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from motcua.api.models import ApiToken
from motcua.followup import services
from motcua.units.models import StaffRole
from tests.factories import at, make_world

pytestmark = pytest.mark.django_db


def _token(name: str, role: str, unit) -> str:  # noqa: ANN001
    user = User.objects.create_user(name, password="mat-khau-dai-1234")
    StaffRole.objects.create(user=user, role=role, unit=unit)
    return ApiToken.issue(user=user, role=role, name=name)[1]


def test_api_scoping_actions_and_creation(client) -> None:  # noqa: ANN001
    w = make_world()
    inspector = _token("thanhtra", "inspector", w.province)
    leader_a, leader_b = _token("lanhdao_a", "leader", w.commune), _token("lanhdao_b", "leader", w.other_commune)
    auth = {"inspector": {"HTTP_AUTHORIZATION": f"Bearer {inspector}"},
            "a": {"HTTP_AUTHORIZATION": f"Bearer {leader_a}"}, "b": {"HTTP_AUTHORIZATION": f"Bearer {leader_b}"}}
    created = client.post("/api/oversight/recommendations", {
        "addressee_unit_code": w.commune.code, "title": "Niêm yết", "text": "Niêm yết đủ thủ tục.",
        "deadline": "2027-06-30T17:00:00+07:00", "issuer_name": "Đoàn kiểm tra"},
        content_type="application/json", **auth["inspector"])
    assert created.status_code == 201, created.content
    code = created.json()["code"]
    assert created.json()["state"] == "open" and created.json()["addressee_unit_code"] == w.commune.code
    # Commune B neither reads nor answers it.
    assert client.get(f"/api/oversight/recommendations/{code}", **auth["b"]).status_code == 404
    answer = client.post(f"/api/oversight/recommendations/{code}/actions/respond", {"note": "x"},
                         content_type="application/json", **auth["b"])
    assert answer.status_code == 404
    assert client.get("/api/oversight/recommendations", **auth["b"]).json()["count"] == 0
    # A leader cannot make recommendations.
    refused = client.post("/api/oversight/recommendations", {
        "addressee_unit_code": w.commune.code, "text": "x", "deadline": "2027-06-30T17:00:00+07:00"},
        content_type="application/json", **auth["a"])
    assert refused.status_code == 403
    # Commune A answers; a missing note is named; a stale version is a conflict.
    assert [o["action"] for o in client.get(f"/api/oversight/recommendations/{code}/actions", **auth["a"]).json()] \
        == ["respond"]
    missing = client.post(f"/api/oversight/recommendations/{code}/actions/respond", {},
                          content_type="application/json", **auth["a"])
    assert (missing.status_code, missing.json()["code"]) == (400, "bad_input")
    assert "Nội dung" in missing.json()["message"]
    done = client.post(f"/api/oversight/recommendations/{code}/actions/respond", {"note": "Đã niêm yết"},
                       content_type="application/json", HTTP_IF_MATCH='"1"', **auth["a"])
    assert done.status_code == 200 and done.json()["status"] == "in_progress" and done.json()["version"] == 2
    stale = client.post(f"/api/oversight/recommendations/{code}/actions/respond", {"note": "Lần nữa"},
                        content_type="application/json", HTTP_IF_MATCH='"1"', **auth["a"])
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    events = client.get(f"/api/oversight/recommendations/{code}/events", **auth["inspector"]).json()
    assert [e["action"] for e in events] == ["recommend", "respond"]
    bad_unit = client.post("/api/oversight/recommendations", {
        "addressee_unit_code": "KHONGCO", "text": "x", "deadline": "2027-06-30T17:00:00+07:00"},
        content_type="application/json", **auth["inspector"])
    assert bad_unit.status_code == 400 and "KHONGCO" in bad_unit.json()["message"]


def test_overdue_state_in_the_api(client) -> None:  # noqa: ANN001
    w = make_world()
    inspector = _token("thanhtra", "inspector", w.province)
    rec = services.recommend(source=None, addressee_unit=w.commune, text="Cũ", deadline=at("2026-03-31 17:00"),
                             at=at("2026-03-02 09:00"))
    body = client.get("/api/oversight/recommendations?state=overdue",
                      HTTP_AUTHORIZATION=f"Bearer {inspector}").json()
    assert [r["code"] for r in body["results"]] == [rec.code] and body["results"][0]["state"] == "overdue"
