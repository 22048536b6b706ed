"""Inspection screens: scoping (another commune's leader gets 404), evidence attached in one click from
the dossier data, findings and recommendations, bad input named, the PDF report skeleton."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.contrib.auth.models import User

from motcua.dossiers import services as dossiers
from motcua.dossiers.models import Dossier
from motcua.inspections import evidence, services
from motcua.inspections.models import Evidence
from motcua.units.models import StaffRole
from tests.factories import at, make_world

pytestmark = pytest.mark.django_db


def _user(name, role, unit):  # noqa: ANN001, ANN201
    user = User.objects.create_user(name, password="mat-khau-dai-1234")
    StaffRole.objects.create(user=user, role=role, unit=unit)
    return user


def _dossier(w, received: str, finished: str | None = None, apologize: str | None = None):  # noqa: ANN001, ANN201
    d = dossiers.receive(procedure=w.procedure, unit=w.commune, agency=w.agency, at=at(received), role="system")
    dossiers.perform(d, "hand_over", role="system", at=at(received) + dt.timedelta(hours=1))
    if apologize:
        d.refresh_from_db()
        dossiers.perform(d, "apologize", role="system", at=at(apologize), reason="Chờ xác minh",
                         new_due_at=d.due_at + dt.timedelta(days=7))
    if finished:
        dossiers.perform(d, "resolve", role="system", at=at(finished))
    return d


@pytest.fixture
def world():  # noqa: ANN201
    w = make_world()
    w.inspector = _user("thanhtra", "inspector", w.province)
    w.leader_a = _user("lanhdao_a", "leader", w.commune)
    w.leader_b = _user("lanhdao_b", "leader", w.other_commune)
    w.inspection = services.plan_inspection(
        unit=w.commune, agency=w.agency, topic="Bộ phận một cửa", period_from=dt.date(2026, 3, 1),
        period_to=dt.date(2026, 3, 31), starts_on=dt.date(2026, 4, 6), ends_on=dt.date(2026, 4, 7),
        team=[("Nguyễn Văn An", "Chánh Thanh tra", "head")], actor=w.inspector)
    return w


def test_another_communes_leader_gets_404_and_the_inspected_leader_reads(client, world) -> None:  # noqa: ANN001
    code = world.inspection.code
    client.force_login(world.leader_b)
    assert client.get(f"/kiem-tra/{code}/").status_code == 404
    assert code not in client.get("/kiem-tra/").content.decode()
    assert client.post(f"/kiem-tra/{code}/phat-hien/", {"theme": "x", "description": "y",
                                                         "severity": "violation"}).status_code == 404
    client.force_login(world.leader_a)
    page = client.get(f"/kiem-tra/{code}/")
    assert page.status_code == 200 and not page.context["can_act"]  # reads, does not act
    assert client.post(f"/kiem-tra/{code}/bang-chung/").status_code == 403
    assert not Evidence.objects.exists()


def test_evidence_attached_in_one_click_matches_the_dossier_data(client, world) -> None:  # noqa: ANN001
    # 5 working days each: received 2/3 → due 9/3.
    _dossier(world, "2026-03-02 09:00", finished="2026-03-06 10:00")  # early
    _dossier(world, "2026-03-02 09:00", finished="2026-03-12 10:00")  # late, no apology
    _dossier(world, "2026-03-02 09:00", finished="2026-03-12 10:00", apologize="2026-03-05 09:00")  # late, apologized
    late_open = _dossier(world, "2026-03-03 09:00")  # open and overdue at the end of March, no apology
    _dossier(world, "2026-03-30 09:00")  # open, within time at the end of March
    client.force_login(world.inspector)
    response = client.post(f"/kiem-tra/{world.inspection.code}/bang-chung/")
    assert response.status_code == 302
    found = {e.kind: e for e in Evidence.objects.filter(inspection=world.inspection)}
    assert set(found) == {"report06", "late_without_apology", "logbook", "quality_index"}
    totals = found["report06"].summary["totals"]
    assert (totals["received_total"], totals["resolved_total"], totals["resolved_late"]) == (5, 3, 2)
    late = found["late_without_apology"].summary
    assert late["count"] == 2 and late_open.code in late["codes"]
    assert found["logbook"].summary["entries"] == 5 and found["logbook"].file
    assert found["report06"].file and found["quality_index"].summary.get("score") is not None
    # Each link says what it was computed with, and where today's figures are.
    params = {"unit": world.commune.code, "agency": world.agency.code, "from": "2026-03-01", "to": "2026-03-31"}
    assert all(e.parameters == params and e.computed_at and e.url for e in found.values())
    assert found["logbook"].summary["one_stop_code"] == world.agency.code
    live06 = client.get(found["report06"].url)
    assert live06.status_code == 200 and live06.context["report"]["totals"]["received_total"] == 5
    live766 = client.get(found["quality_index"].url)
    assert live766.status_code == 200 and live766.context["result"]["score"] == found["quality_index"].summary["score"]
    live_late = client.get(found["late_without_apology"].url)
    assert [d.code for d in live_late.context["page"]] == late["codes"]
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(found["late_without_apology"].url + "?format=xlsx").content))
    assert sorted(r[0] for r in sheet.active.iter_rows(min_row=4, values_only=True) if r[0]) == sorted(late["codes"])
    logbook = openpyxl.load_workbook(io.BytesIO(found["logbook"].file.open("rb").read())).active
    codes = set(Dossier.objects.values_list("code", flat=True))
    assert sum(1 for r in logbook.iter_rows(values_only=True) if codes & set(r)) == 5
    page = client.get(f"/kiem-tra/{world.inspection.code}/").content.decode()
    assert f'href="{found["report06"].url.replace("&", "&amp;")}"' in page
    assert "Hồ sơ trễ hạn chưa có phiếu xin lỗi" in page and "evidence" in [e.action for e in
                                                                         world.inspection.events.all()]
    # Attached again after the data changed (a March dossier entered since): a new set; the report cites the
    # latest, and the first set stays as the team saw it.
    _dossier(world, "2026-03-20 09:00")  # open, overdue at the end of March
    assert client.post(f"/kiem-tra/{world.inspection.code}/bang-chung/").status_code == 302
    latest = client.get(f"/kiem-tra/{world.inspection.code}/").context["latest_evidence"]
    assert len(latest) == 4 and world.inspection.evidence.count() == 8
    assert {e.kind: e.summary.get("count") for e in latest}["late_without_apology"] == 3
    found["late_without_apology"].refresh_from_db()
    assert found["late_without_apology"].summary["count"] == 2
    pdf = client.get(f"/kiem-tra/{world.inspection.code}/bao-cao.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_finding_recommendation_and_bad_input(client, world) -> None:  # noqa: ANN001
    client.force_login(world.inspector)
    code = world.inspection.code
    bad = client.post(f"/kiem-tra/{code}/phat-hien/", {"theme": "", "description": "y", "severity": "violation"})
    assert bad.status_code == 400 and "Nội dung" in bad.content.decode()
    assert client.post(f"/kiem-tra/{code}/phat-hien/", {"theme": "Niêm yết", "description": "Thiếu 5 thủ tục",
                                                         "severity": "shortcoming"}).status_code == 302
    finding = world.inspection.findings.get()
    rec = services.recommend(finding, text="Niêm yết đủ thủ tục", deadline=at("2027-01-29 17:00"),
                             actor=world.inspector)
    assert (rec.source_kind, rec.addressee_unit_id, rec.addressee_agency_id) == (
        "inspection", world.commune.pk, world.agency.pk)
    page = client.get(f"/kiem-tra/{code}/").content.decode()
    assert rec.code in page
    # The leader of the inspected commune answers it; the other commune cannot.
    from motcua.followup import policy

    assert policy.acting_roles(world.leader_a, rec) == ["leader"] and policy.acting_roles(world.leader_b, rec) == []
    refused = client.post("/kiem-tra/moi/", {"topic": "X", "unit": "KHONGCO", "kind": "planned",
                                              "period_from": "2026-01-01", "period_to": "2026-03-31",
                                              "starts_on": "2026-04-01", "ends_on": "2026-03-01"})
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "Không có đơn vị hành chính mã KHONGCO" in body
    stale = client.post(f"/kiem-tra/{code}/thao-tac/", {"action": "start", "version": 1})
    assert stale.status_code == 409
    evidence.attach_all(world.inspection, actor=world.inspector)  # the service itself, for the inspector: allowed
    # Once concluded, the record is closed: no more findings or evidence (the forms are gone, the posts refused).
    world.inspection.refresh_from_db()
    services.perform(world.inspection, "start", actor=world.inspector)
    services.perform(world.inspection, "conclude", actor=world.inspector, conclusion="Chấp hành tương đối tốt.")
    page = client.get(f"/kiem-tra/{code}/")
    html = page.content.decode()
    assert 'data-testid="finding-form"' not in html and 'data-testid="attach"' not in html
    late = client.post(f"/kiem-tra/{code}/phat-hien/", {"theme": "Muộn", "description": "y", "severity": "violation"})
    assert late.status_code == 409 and "không ghi thêm phát hiện" in late.context["error"]
    assert client.post(f"/kiem-tra/{code}/bang-chung/").status_code == 409
    assert world.inspection.findings.count() == 1 and world.inspection.evidence.count() == 4


def test_a_plan_shows_each_reader_only_the_inspections_of_their_scope(client, world) -> None:  # noqa: ANN001
    plan = services.create_plan(year=2026, title="Kế hoạch 2026", issuer="Sở Nội vụ", unit=world.province,
                                actor=world.inspector)
    target_a = services.add_target(plan, population="UBND cấp xã", unit=world.commune, actor=world.inspector)
    services.add_target(plan, population="UBND cấp xã", unit=world.other_commune, actor=world.inspector)
    i = services.plan_inspection(target=target_a, topic="Một cửa", period_from=dt.date(2026, 1, 1),
                                 period_to=dt.date(2026, 3, 31), starts_on=dt.date(2026, 4, 6),
                                 ends_on=dt.date(2026, 4, 6), actor=world.inspector)
    client.force_login(world.leader_b)
    page = client.get(f"/kiem-tra/ke-hoach/{plan.pk}/")
    assert page.status_code == 200 and i.code not in page.content.decode()
    for url in (f"/kiem-tra/{i.code}/", f"/kiem-tra/{i.code}/bao-cao.pdf", f"/kiem-tra/{i.code}/tre-han-chua-xin-loi/"):
        assert client.get(url).status_code == 404, url
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/kiem-tra/?format=xlsx").content)).active
    assert not [r for r in sheet.iter_rows(min_row=4, values_only=True) if r[0]]
    # A leader may not add targets; an inspector adding one twice, or outside the plan's unit, is told why.
    assert client.post(f"/kiem-tra/ke-hoach/{plan.pk}/", {"population": "X", "unit": world.commune.code}
                       ).status_code == 404
    client.force_login(world.leader_a)
    assert i.code in client.get(f"/kiem-tra/ke-hoach/{plan.pk}/").content.decode()
    assert client.get(f"/kiem-tra/{i.code}/").status_code == 200
    client.force_login(world.inspector)
    twice = client.post(f"/kiem-tra/ke-hoach/{plan.pk}/", {"population": "UBND cấp xã", "unit": world.commune.code})
    assert twice.status_code == 400 and "đã có trong kế hoạch" in twice.context["error"]
    bad = client.post(f"/kiem-tra/ke-hoach/{plan.pk}/", {"population": "", "unit": "KHONGCO"})
    assert bad.status_code == 400
    assert bad.context["form"].errors["population"] and "KHONGCO" in str(bad.context["form"].errors["unit"])
    assert plan.targets.count() == 2
