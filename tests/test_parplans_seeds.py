"""Seed figures of PAR plans and internal procedures, built through the services and read back from the
screens' data and the xlsx exports: Ngân Sơn's 30 of 40 plan tasks done; Mê Linh's 26 of 46 internal
procedures cut (57 %) and 18/18 communes with an approved simplification plan. Overdue tasks are
computed at the instant, with no job; the lifecycle refuses wrong roles and missing inputs."""
from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from motcua.parplans import services
from motcua.statemachine import Forbidden, InvalidInput
from motcua.units.models import AdministrativeUnit, Agency, StaffRole
from tests.factories import at

pytestmark = pytest.mark.django_db


def _district(code: str, name: str) -> AdministrativeUnit:
    return AdministrativeUnit.objects.create(code=code, name=name, level="district", valid_from=dt.date(2000, 1, 1),
                                             valid_to=dt.date(2025, 6, 30))


def _user(name: str, role: str, unit: AdministrativeUnit) -> User:
    user = User.objects.create_user(name, password="mat-khau-dai-1234")
    StaffRole.objects.create(user=user, role=role, unit=unit)
    return user


def test_seed002_ngan_son_30_of_40_tasks_done(client) -> None:  # noqa: ANN001
    district = _district("Z066", "Huyện Ngân Sơn")
    officer = _user("cchc_ngan_son", "par_officer", district)
    office = Agency.objects.create(code="NS-NV", name="Phòng Nội vụ", unit=district, level="district")
    plan = services.create_plan(unit=district, year=2023, title="Kế hoạch CCHC năm 2023", issuer="UBND huyện Ngân Sơn")
    areas = ["institutions", "procedures", "organisation", "civil_service", "public_finance", "digital"]
    tasks = [services.add_task(plan, title=f"Nhiệm vụ {n}", area=areas[n % 6], owner=office if n % 2 else None,
                               owner_name="" if n % 2 else "Văn phòng HĐND-UBND",
                               deadline=at("2023-11-30 17:00"), at=at("2023-01-10 08:00")) for n in range(40)]
    for n, task in enumerate(tasks[:30]):
        services.perform(task, "complete", actor=officer, evidence=f"Báo cáo số {n}",
                         at=at("2023-11-20 10:00") if n < 25 else at("2023-12-05 10:00"))
    services.perform(tasks[30], "start", actor=officer, at=at("2023-03-01 08:00"))
    with pytest.raises(InvalidInput):
        services.perform(tasks[31], "complete", actor=officer, at=at("2023-11-01 08:00"))  # no evidence
    with pytest.raises(Forbidden):
        services.perform(tasks[31], "cancel", actor=officer, reason="x", at=at("2023-11-01 08:00"))  # leaders only
    out = io.StringIO()
    call_command("oversight_figures", "--unit", "Z066", "--from", "2023-01-01", "--to", "2023-12-31", stdout=out)
    figures = json.loads(out.getvalue())
    assert (figures["plan_tasks_total"], figures["plan_tasks_done"], figures["plan_tasks_done_on_time"],
            figures["plan_tasks_overdue"]) == (40, 30, 25, 10)
    assert figures["plan_tasks_overdue_by_owner"] == [{"owner": "Phòng Nội vụ", "overdue": 5},
                                                      {"owner": "Văn phòng HĐND-UBND", "overdue": 5}]
    client.force_login(officer)
    page = client.get(f"/ke-hoach-cchc/{plan.pk}/")
    assert (page.context["figures"]["plan_tasks_done"], page.context["figures"]["plan_tasks_total"]) == (30, 40)
    assert "30/40" in page.content.decode()
    overdue = client.get(f"/ke-hoach-cchc/{plan.pk}/?state=overdue")
    assert len(overdue.context["rows"]) == 10
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"/ke-hoach-cchc/{plan.pk}/?format=xlsx").content)).active
    states = [row[5] for row in sheet.iter_rows(min_row=4, values_only=True) if row[0]]
    assert (len(states), states.count("Đã hoàn thành"), states.count("Quá hạn")) == (40, 30, 10)
    # Overdue at an instant, no job: before the deadline nothing was.
    from motcua.parplans.figures import task_figures

    assert task_figures(list(plan.tasks.all()), at("2023-11-30 16:59"))["plan_tasks_overdue"] == 0
    # Another unit's staff do not see the plan.
    other = _user("cchc_khac", "par_officer", _district("Z067", "Huyện Khác"))
    client.force_login(other)
    assert client.get(f"/ke-hoach-cchc/{plan.pk}/").status_code == 404


def test_seed001_me_linh_26_of_46_internal_procedures_and_18_of_18_communes(client) -> None:  # noqa: ANN001
    district = _district("Z250", "Huyện Mê Linh")
    communes = [AdministrativeUnit.objects.create(code=f"Z25{n:03d}", name=f"Xã {n}", level="commune",
                                                  parent=district, valid_from=dt.date(2000, 1, 1),
                                                  valid_to=dt.date(2025, 6, 30)) for n in range(18)]
    procedures = [services.add_internal_procedure(unit=district, code=f"NB-{n:02d}", name=f"Thủ tục nội bộ {n}",
                                                  steps=6, time_limit_days=10) for n in range(46)]
    splan = services.create_simplification_plan(unit=district, year=2023, title="Phương án đơn giản hóa TTHC nội bộ",
                                                approved_on=dt.date(2023, 6, 1))
    for n, procedure in enumerate(procedures):
        if n < 6:
            services.propose(splan, procedure, "abolish", state="done")
        elif n < 26:
            services.propose(splan, procedure, "simplify", days_after=7, steps_after=4, state="approved")
        elif n < 30:
            services.propose(splan, procedure, "simplify", days_after=8, steps_after=5)  # proposed only
        else:
            services.propose(splan, procedure, "keep")
    for commune in communes:
        services.create_simplification_plan(unit=commune, year=2023, title="Phương án của xã",
                                            approved_on=dt.date(2023, 9, 1))
    with pytest.raises(InvalidInput):
        services.propose(splan, services.add_internal_procedure(unit=district, code="NB-99", name="X", steps=3,
                                                                time_limit_days=5), "simplify", days_after=9)
    out = io.StringIO()
    call_command("oversight_figures", "--unit", "Z250", "--from", "2021-01-01", "--to", "2024-04-30", stdout=out)
    figures = json.loads(out.getvalue())
    assert (figures["internal_procedures_planned"], figures["internal_procedures_simplified"],
            figures["internal_procedures_simplified_percent"]) == (46, 26, 57)
    assert (figures["communes_with_simplification_plan"], figures["communes_total"]) == (18, 18)
    assert figures["internal_procedures_days_cut"] == 6 * 10 + 20 * 3
    viewer = _user("lanhdao_me_linh", "leader", district)
    client.force_login(viewer)
    page = client.get(f"/ke-hoach-cchc/don-gian-hoa/{splan.pk}/")
    assert (page.context["figures"]["internal_procedures_simplified"],
            page.context["figures"]["internal_procedures_planned"]) == (26, 46)
    assert "26/46" in page.content.decode() and "(57%)" in page.content.decode()
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"/ke-hoach-cchc/don-gian-hoa/{splan.pk}/?format=xlsx")
                                              .content)).active
    cut = [row[8] for row in sheet.iter_rows(min_row=4, values_only=True) if row[0]]
    assert (len(cut), cut.count("x")) == (46, 26)


def test_a_simplification_proposal_cites_the_measured_step_times(client) -> None:  # noqa: ANN001
    from motcua.dossiers import services as dossiers
    from tests.factories import make_world

    w = make_world()
    for day in ("2026-03-02", "2026-03-03", "2026-03-04"):
        d = dossiers.receive(procedure=w.procedure, unit=w.commune, agency=w.agency, at=at(f"{day} 09:00"),
                             role="system")
        dossiers.perform(d, "hand_over", role="system", at=at(f"{day} 11:00"))  # step 1: 2 working hours
    proposal = services.propose_for_procedure(w.procedure, w.commune, "Rút ngắn bước tiếp nhận",
                                              dt.date(2026, 3, 1), dt.date(2026, 3, 31), at=at("2026-04-01 09:00"))
    first = proposal.cited_timing["steps"][0]
    assert (proposal.cited_timing["dossiers"], first["order"], first["median_minutes"], first["count"]) == (
        3, 1, 120.0, 3)
    viewer = _user("lanhdao_xa", "leader", w.commune)
    client.force_login(viewer)
    page = client.get("/ke-hoach-cchc/")
    body = page.content.decode()
    [shown] = page.context["proposals"]
    assert shown.pk == proposal.pk and "Rút ngắn bước tiếp nhận" in body and "120,0" in body
    with pytest.raises(InvalidInput):
        services.propose_for_procedure(w.procedure, w.commune, "x", dt.date(2026, 4, 1), dt.date(2026, 3, 1))


def test_plans_and_tasks_are_made_on_the_screens_with_their_history(client) -> None:  # noqa: ANN001
    from tests.factories import make_world

    w = make_world()
    officer = _user("cchc_xa", "par_officer", w.commune)
    outsider = _user("cchc_xa_hai", "par_officer", w.other_commune)
    client.force_login(outsider)
    assert client.post("/ke-hoach-cchc/", {"unit": w.commune.code, "year": 2026, "title": "KH",
                                           "issuer": "UBND"}).status_code == 404
    client.force_login(officer)
    bad = client.post("/ke-hoach-cchc/", {"unit": "KHONGCO", "year": 2026, "title": "KH", "issuer": "UBND"})
    assert "Không có đơn vị hành chính mã KHONGCO" in bad.content.decode()
    made = client.post("/ke-hoach-cchc/", {"unit": w.commune.code, "year": 2026, "title": "Kế hoạch CCHC 2026",
                                           "issuer": "UBND xã Một", "number": "12/KH-UBND"})
    assert made.status_code == 302
    plan = services.visible_plans(officer).get()
    holiday = client.post(f"/ke-hoach-cchc/{plan.pk}/nhiem-vu/", {"title": "Rà soát", "area": "procedures",
                                                                  "deadline": "2026-13-01"})
    assert holiday.status_code == 400 and "Thời hạn" in holiday.content.decode()
    added = client.post(f"/ke-hoach-cchc/{plan.pk}/nhiem-vu/", {"title": "Rà soát thủ tục", "area": "procedures",
                                                                "owner": w.agency.code, "deadline": "2026-06-30"})
    assert added.status_code == 302
    task = plan.tasks.get()
    assert task.deadline == at("2026-06-30 17:00") and task.owner_id == w.agency.pk
    done = client.post(f"/ke-hoach-cchc/nhiem-vu/{task.pk}/thao-tac/", {"action": "complete", "version": 1,
                                                                         "evidence": "Báo cáo số 3"})
    assert done.status_code == 302
    page = client.get(f"/ke-hoach-cchc/nhiem-vu/{task.pk}/").content.decode()
    assert "Giao nhiệm vụ" in page and "Báo cáo hoàn thành" in page and "Báo cáo số 3" in page
