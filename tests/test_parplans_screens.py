"""The figures panels of the PAR plans' list and the internal procedures' list, with the seeds' numbers built
through the services: Mê Linh's 26/46 internal procedures cut (57 %) and 18/18 communes with an approved
simplification plan, Ngân Sơn's 30/40 tasks done; read back from the screens' data, their HTML and the
internal procedures' xlsx export; another unit's staff see none of it."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.contrib.auth.models import User

from motcua.parplans import services
from motcua.units.models import AdministrativeUnit, StaffRole
from tests.factories import at

pytestmark = pytest.mark.django_db


def _user(name: str, role: str, unit: AdministrativeUnit) -> User:
    user = User.objects.create_user(name, password="mat-khau-dai-1234")
    StaffRole.objects.create(user=user, role=role, unit=unit)
    return user


def _unit(code: str, name: str, level: str, parent: AdministrativeUnit | None = None) -> AdministrativeUnit:
    return AdministrativeUnit.objects.create(code=code, name=name, level=level, parent=parent,
                                             valid_from=dt.date(2000, 1, 1), valid_to=dt.date(2025, 6, 30))


def _me_linh() -> AdministrativeUnit:
    district = _unit("Z250", "Huyện Mê Linh", "district")
    communes = [_unit(f"Z25{n:03d}", f"Xã {n}", "commune", district) for n in range(18)]
    procedures = [services.add_internal_procedure(unit=district, code=f"NB-{n:02d}", name=f"Quy trình nội bộ {n}",
                                                  field="Nội vụ", steps=6, time_limit_days=10) for n in range(46)]
    splan = services.create_simplification_plan(unit=district, year=2023, title="Phương án đơn giản hóa",
                                                decision_number="1234/QĐ-UBND", decision_date=dt.date(2023, 6, 1),
                                                approved_on=dt.date(2023, 6, 1))
    for n, procedure in enumerate(procedures):
        proposal = "abolish" if n < 6 else "simplify" if n < 30 else "keep"
        state = "done" if n < 6 else "approved" if n < 26 else "proposed"
        services.propose(splan, procedure, proposal, days_after=7, steps_after=4, state=state)
    for n, commune in enumerate(communes):
        # Approved in 2023, except one commune whose plan waited until 2024.
        approved = dt.date(2023, 9, 1) if n else dt.date(2024, 2, 1)
        services.create_simplification_plan(unit=commune, year=2023, title="Phương án của xã", approved_on=approved)
    return district


def test_seed001_on_the_figures_panels_and_the_xlsx(client) -> None:  # noqa: ANN001
    district = _me_linh()
    client.force_login(_user("lanhdao", "leader", district))
    page = client.get("/ke-hoach-cchc/?year=2023")
    f = page.context["figures"]
    assert (f["internal_procedures_simplified"], f["internal_procedures_planned"],
            f["internal_procedures_simplified_percent"]) == (26, 46, 57)
    # One commune approved its plan only in 2024: 17/18 at the end of 2023, 18/18 a year later.
    assert (f["communes_with_simplification_plan"], f["communes_total"]) == (17, 18)
    body = page.content.decode()
    assert "26/46" in body and "(57%)" in body and "17/18" in body
    later = client.get("/ke-hoach-cchc/thu-tuc-noi-bo/?year=2024")
    assert (later.context["figures"]["communes_with_simplification_plan"],
            later.context["figures"]["communes_total"]) == (18, 18)
    assert "18/18" in later.content.decode()
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/ke-hoach-cchc/thu-tuc-noi-bo/?format=xlsx").content)).active
    codes = [row[0] for row in sheet.iter_rows(values_only=True) if row[0] and str(row[0]).startswith("NB-")]
    assert len(codes) == 46
    client.force_login(_user("khac", "leader", _unit("Z999", "Huyện Khác", "district")))
    other = client.get("/ke-hoach-cchc/?year=2023").context["figures"]
    assert (other["internal_procedures_planned"], other["communes_total"]) == (0, 0)
    assert client.get("/ke-hoach-cchc/thu-tuc-noi-bo/").context["procedures"].count() == 0


def test_seed002_on_the_plans_panel_overdue_at_the_end_of_the_year(client) -> None:  # noqa: ANN001
    district = _unit("Z066", "Huyện Ngân Sơn", "district")
    officer = _user("cchc", "par_officer", district)
    plan = services.create_plan(unit=district, year=2021, title="Kế hoạch CCHC năm 2021", issuer="UBND huyện",
                                number="05/KH-UBND", date=dt.date(2021, 1, 8))
    tasks = [services.add_task(plan, title=f"Nhiệm vụ {n}", area="procedures", owner_name="Phòng Nội vụ",
                               deadline=at("2021-09-15 17:00"), at=at("2021-01-10 08:00")) for n in range(40)]
    for n, task in enumerate(tasks[:30]):
        services.perform(task, "complete", actor=officer, evidence=f"Báo cáo {n}",
                         at=at("2021-09-10 10:00") if n < 28 else at("2021-10-01 10:00"))
    services.perform(tasks[30], "cancel", role="leader", reason="Điều chỉnh kế hoạch", at=at("2021-06-01 08:00"))
    client.force_login(officer)
    f = client.get("/ke-hoach-cchc/?year=2021").context["figures"]
    # The cancelled task leaves the count: 30 done of 39 live tasks, 28 by the deadline, 9 overdue at year end.
    assert (f["plan_tasks_done"], f["plan_tasks_total"], f["plan_tasks_done_on_time"], f["plan_tasks_overdue"]) == (
        30, 39, 28, 9)
    assert f["plan_tasks_overdue_by_owner"] == [{"owner": "Phòng Nội vụ", "overdue": 9}]
    assert client.get("/ke-hoach-cchc/?year=2022").context["figures"]["plan_tasks_total"] == 0


def test_route_approvals_and_proposals_on_the_plans_page(client) -> None:  # noqa: ANN001
    from motcua.dossiers import services as dossiers
    from motcua.parplans.models import ProcedureProposal, RouteApproval
    from tests.factories import make_world

    w = make_world()
    d = dossiers.receive(procedure=w.procedure, unit=w.commune, agency=w.agency, at=at("2026-03-02 09:00"),
                         role="system")
    dossiers.perform(d, "hand_over", role="system", at=at("2026-03-02 13:30"))  # step 1: 3.5 working hours
    officer = _user("cchc_tinh", "par_officer", w.province)
    commune_officer = _user("cchc_xa", "par_officer", w.commune)
    route = {"procedure": w.procedure.code, "decision_number": "1520/QĐ-UBND", "decision_date": "2025-08-20",
             "issuer": "Chủ tịch UBND tỉnh"}
    client.force_login(commune_officer)
    assert client.post("/ke-hoach-cchc/quy-trinh-dien-tu/", route).status_code == 404  # a commune does not
    client.force_login(officer)
    bad = client.post("/ke-hoach-cchc/quy-trinh-dien-tu/", {**route, "decision_date": "20/13/2025"})
    assert bad.status_code == 400 and "Ngày quyết định" in bad.context["extra_error"]
    unknown = client.post("/ke-hoach-cchc/quy-trinh-dien-tu/", {**route, "procedure": "9.999"})
    assert unknown.status_code == 400 and "Mã thủ tục" in unknown.context["extra_error"]
    assert RouteApproval.objects.count() == 0
    assert client.post("/ke-hoach-cchc/quy-trinh-dien-tu/", route).status_code == 302
    assert "1520/QĐ-UBND" in client.get("/ke-hoach-cchc/").content.decode()

    proposal = {"procedure": w.procedure.code, "unit": w.commune.code, "timing_from": "2026-03-01",
                "timing_to": "2026-03-31", "proposal": "Rút ngắn bước tiếp nhận còn 2 giờ"}
    reversed_period = client.post("/ke-hoach-cchc/de-xuat/", {**proposal, "timing_from": "2026-04-01"})
    assert reversed_period.status_code == 400 and "Số liệu từ ngày" in reversed_period.context["extra_error"]
    empty = client.post("/ke-hoach-cchc/de-xuat/", {**proposal, "proposal": ""})
    assert empty.status_code == 400 and "Nội dung đề xuất" in empty.context["extra_error"]
    assert ProcedureProposal.objects.count() == 0
    assert client.post("/ke-hoach-cchc/de-xuat/", proposal).status_code == 302
    made = ProcedureProposal.objects.get()
    assert made.cited_timing["steps"][0]["median_minutes"] == 210.0 and made.computed_at is not None
    page = client.get("/ke-hoach-cchc/").content.decode()
    assert "Rút ngắn bước tiếp nhận còn 2 giờ" in page and "210,0" in page
    client.force_login(_user("cchc_khac", "par_officer", w.other_commune))
    assert client.post("/ke-hoach-cchc/de-xuat/", proposal).status_code == 404


def test_a_task_with_co_agencies_on_the_form_and_in_the_export(client) -> None:  # noqa: ANN001
    from tests.factories import make_world

    w = make_world()
    client.force_login(_user("cchc_xa", "par_officer", w.commune))
    plan = services.create_plan(unit=w.commune, year=2026, title="Kế hoạch CCHC 2026", issuer="UBND xã Một")
    url = f"/ke-hoach-cchc/{plan.pk}/nhiem-vu/"
    body = {"title": "Công khai ngân sách", "area": "public_finance", "owner": w.agency.code,
            "co_agencies": f"{w.other_agency.code}, KHONGCO", "deadline": "2026-04-30"}
    bad = client.post(url, body)
    assert bad.status_code == 400 and "Mã cơ quan phối hợp: không có cơ quan mã KHONGCO" in bad.content.decode()
    assert plan.tasks.count() == 0
    assert client.post(url, {**body, "co_agencies": w.other_agency.code}).status_code == 302
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"/ke-hoach-cchc/{plan.pk}/?format=xlsx").content)).active
    [row] = [r for r in sheet.iter_rows(min_row=4, values_only=True) if r[0]]
    assert (row[0], row[2], row[8]) == ("Công khai ngân sách", w.agency.name, w.other_agency.name)
    page = client.get(f"/ke-hoach-cchc/nhiem-vu/{plan.tasks.get().pk}/").content.decode()
    assert f"Cơ quan phối hợp: {w.other_agency.name}" in page
