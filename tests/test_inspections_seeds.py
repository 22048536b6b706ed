"""Seed figures of inspections, built through the services and read back from the screens' data and
the xlsx exports: Mê Linh's 210 inspections since 2021 covering 20/20 offices and 18/18 communes;
Lộc Bình's 28 of 81 schools (35 %) and 21 agencies, with re-inspections planned."""
from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from motcua.inspections import services
from motcua.units.models import AdministrativeUnit, Agency, StaffRole
from tests.factories import at

pytestmark = pytest.mark.django_db


def _district(code: str, name: str) -> AdministrativeUnit:
    province = AdministrativeUnit.objects.create(code=f"ZP{code}", name=f"Tỉnh của {name}", level="province",
                                                 valid_from=dt.date(2000, 1, 1))
    return AdministrativeUnit.objects.create(code=code, name=name, level="district", parent=province,
                                             valid_from=dt.date(2000, 1, 1), valid_to=dt.date(2025, 6, 30))


def _inspector(unit: AdministrativeUnit) -> User:
    user = User.objects.create_user(f"thanhtra{unit.code}", password="mat-khau-dai-1234")
    StaffRole.objects.create(user=user, role="inspector", unit=unit)
    return user


def _inspect(target, n: int, year: int, actor) -> None:  # noqa: ANN001
    day = dt.date(year, 3, 1) + dt.timedelta(days=7 * (n % 40))
    i = services.plan_inspection(target=target, topic="Kỷ luật, kỷ cương hành chính", period_from=dt.date(year, 1, 1),
                                 period_to=day, starts_on=day, ends_on=day, actor=actor,
                                 at=dt.datetime.combine(day, dt.time(8), tzinfo=at("2021-01-01 00:00").tzinfo))
    services.perform(i, "start", actor=actor, at=at(f"{day} 08:30"))
    services.perform(i, "conclude", actor=actor, at=at(f"{day} 16:00"), conclusion="Chấp hành tốt.")


def test_seed001_me_linh_210_inspections_cover_20_of_20_offices_and_18_of_18_communes(client) -> None:  # noqa: ANN001
    district = _district("Z250", "Huyện Mê Linh")
    inspector = _inspector(district)
    offices = [Agency.objects.create(code=f"ML-P{n:02d}", name=f"Phòng chuyên môn {n}", unit=district,
                                     level="district") for n in range(20)]
    communes = [AdministrativeUnit.objects.create(code=f"Z25{n:03d}", name=f"Xã {n}", level="commune", parent=district,
                                                  valid_from=dt.date(2000, 1, 1), valid_to=dt.date(2025, 6, 30))
                for n in range(18)]
    done = 0
    for year in (2021, 2022, 2023):
        plan = services.create_plan(year=year, title=f"Kế hoạch kiểm tra công vụ năm {year}",
                                    issuer="UBND huyện Mê Linh",
                                    unit=district, actor=inspector)
        targets = [services.add_target(plan, population="Phòng chuyên môn", agency=a) for a in offices]
        targets += [services.add_target(plan, population="UBND cấp xã", unit=c) for c in communes]
        for n, target in enumerate(targets):  # 38 targets a year, some twice: 70 inspections a year
            for repeat in range(2 if n < 32 else 1):
                _inspect(target, n + repeat, year, inspector)
                done += 1
    assert done == 210
    # An inspection cancelled, and one planned, are not "done".
    extra = services.plan_inspection(unit=communes[0], topic="Đột xuất", kind="unannounced",
                                     period_from=dt.date(2024, 1, 1), period_to=dt.date(2024, 3, 31),
                                     starts_on=dt.date(2024, 4, 2), ends_on=dt.date(2024, 4, 2), actor=inspector)
    services.perform(extra, "cancel", actor=inspector, reason="Trùng lịch")

    out = io.StringIO()
    call_command("oversight_figures", "--unit", "Z250", "--from", "2021-01-01", "--to", "2024-04-30", stdout=out)
    figures = json.loads(out.getvalue())
    assert (figures["inspections_done"], figures["targets_planned"], figures["targets_inspected"],
            figures["coverage"]) == (210, 38, 38, 1.0)
    assert figures["coverage_by_population"] == [
        {"population": "Phòng chuyên môn", "planned": 20, "inspected": 20, "percent": 100},
        {"population": "UBND cấp xã", "planned": 18, "inspected": 18, "percent": 100}]

    client.force_login(inspector)
    page = client.get("/kiem-tra/?status=concluded")
    assert page.context["page"].paginator.count == 210
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/kiem-tra/?status=concluded&format=xlsx").content)).active
    assert sum(1 for row in sheet.iter_rows(min_row=4, values_only=True) if row[0]) == 210
    plan_page = client.get(f"/kiem-tra/ke-hoach/{plan.pk}/")
    assert [(r["population"], r["planned"], r["inspected"]) for r in plan_page.context["coverage"]] == [
        ("Phòng chuyên môn", 20, 20), ("UBND cấp xã", 18, 18)]
    coverage = openpyxl.load_workbook(io.BytesIO(client.get(f"/kiem-tra/ke-hoach/{plan.pk}/?format=xlsx").content))
    assert [r for r in coverage.active.iter_rows(min_row=4, values_only=True)] == [
        ("Phòng chuyên môn", 20, 20, 100), ("UBND cấp xã", 18, 18, 100)]


def test_seed003_loc_binh_28_of_81_schools_and_21_agencies(client) -> None:  # noqa: ANN001
    district = _district("Z185", "Huyện Lộc Bình")
    inspector = _inspector(district)
    plan = services.create_plan(year=2018, title="Kế hoạch kiểm tra công vụ năm 2018", issuer="UBND huyện Lộc Bình",
                                unit=district, actor=inspector, decision_number="02/CT-UBND")
    schools = [services.add_target(plan, population="Trường học", name=f"Trường {n}") for n in range(81)]
    agencies = [services.add_target(plan, population="Cơ quan, đơn vị", agency=Agency.objects.create(
        code=f"LB-{n:02d}", name=f"Cơ quan {n}", unit=district, level="district")) for n in range(21)]
    for target in schools[:28] + agencies:
        _inspect(target, 1, 2018, inspector)
    first = services.visible(inspector).filter(target=schools[0]).get()
    for target in schools[:3]:
        services.plan_inspection(target=target, topic="Kiểm tra lại", kind="reinspection", follows=first,
                                 period_from=dt.date(2018, 1, 1), period_to=dt.date(2018, 10, 31),
                                 starts_on=dt.date(2018, 11, 20), ends_on=dt.date(2018, 11, 20), actor=inspector)
    out = io.StringIO()
    call_command("oversight_figures", "--unit", "Z185", "--from", "2018-01-01", "--to", "2018-12-31", stdout=out)
    figures = json.loads(out.getvalue())
    by_population = {r["population"]: (r["planned"], r["inspected"], r["percent"])
                     for r in figures["coverage_by_population"]}
    assert by_population == {"Trường học": (81, 28, 35), "Cơ quan, đơn vị": (21, 21, 100)}
    assert figures["inspections_done"] == 49 and figures["reinspections_planned"] == 3
    client.force_login(inspector)
    assert [(r["population"], r["inspected"], r["percent"]) for r in
            client.get(f"/kiem-tra/ke-hoach/{plan.pk}/").context["coverage"]] == [
        ("Cơ quan, đơn vị", 21, 100), ("Trường học", 28, 35)]
    rows = list(openpyxl.load_workbook(io.BytesIO(client.get(f"/kiem-tra/ke-hoach/{plan.pk}/?format=xlsx").content))
                .active.iter_rows(min_row=4, values_only=True))
    assert ("Trường học", 81, 28, 35) in rows
