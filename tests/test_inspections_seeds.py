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


def test_seed003_loc_binh_28_of_81_schools_35_percent_and_21_agencies(client) -> None:  # noqa: ANN001
    """Seed 003: the education office's team inspected 28 of the 81 schools (35 %); the district's team
    inspected 21 agencies and units — 6 specialised offices and 15 communes' People's Committees —, said
    to be 70 % of them (so 30 planned: how they split between offices and communes is ours, 9 and 21);
    1 to 3 re-inspections expected (here 3)."""
    district = _district("Z185", "Huyện Lộc Bình")
    inspector = _inspector(district)
    schools_plan = services.create_plan(
        year=2019, title="Kế hoạch kiểm tra KLKCHC các trường học năm học 2019 – 2020",
        issuer="Phòng Giáo dục và Đào tạo huyện Lộc Bình", unit=district, actor=inspector,
        themes="Thực hiện Chỉ thị 02/CT-UBND ngày 4/1/2018 của Chủ tịch UBND tỉnh")
    plan = services.create_plan(year=2019, title="Kế hoạch kiểm tra KLKCHC năm 2019", issuer="UBND huyện Lộc Bình",
                                unit=district, actor=inspector, decision_number="15/KH-UBND",
                                themes="Thực hiện Chỉ thị 02/CT-UBND ngày 4/1/2018 của Chủ tịch UBND tỉnh")
    schools = [services.add_target(schools_plan, population="Trường học", name=f"Trường {n}", kind="school")
               for n in range(81)]
    offices = [services.add_target(plan, population="Phòng chuyên môn", agency=Agency.objects.create(
        code=f"LB-P{n:02d}", name=f"Phòng chuyên môn {n}", unit=district, level="district")) for n in range(9)]
    communes = [services.add_target(plan, population="UBND cấp xã", unit=AdministrativeUnit.objects.create(
        code=f"Z18{n:03d}", name=f"Xã {n}", level="commune", parent=district, valid_from=dt.date(2000, 1, 1),
        valid_to=dt.date(2025, 6, 30))) for n in range(21)]
    for n, target in enumerate(schools[:28] + offices[:6] + communes[:15]):
        _inspect(target, n, 2019, inspector)
    _inspect(schools[0], 41, 2019, inspector)  # inspected twice: still one school
    first = services.visible(inspector).filter(target=communes[0]).get()
    for target in communes[:3]:
        services.plan_inspection(target=target, topic="Kiểm tra lại", kind="reinspection", follows=first,
                                 period_from=dt.date(2019, 1, 1), period_to=dt.date(2020, 3, 31),
                                 starts_on=dt.date(2020, 4, 20), ends_on=dt.date(2020, 4, 20), actor=inspector)
    out = io.StringIO()
    call_command("oversight_figures", "--unit", "Z185", "--from", "2019-01-01", "--to", "2020-06-30", stdout=out)
    figures = json.loads(out.getvalue())
    by_population = {r["population"]: (r["planned"], r["inspected"], r["percent"])
                     for r in figures["coverage_by_population"]}
    assert by_population == {"Trường học": (81, 28, 35), "Phòng chuyên môn": (9, 6, 67), "UBND cấp xã": (21, 15, 71)}
    agencies = [by_population[p] for p in ("Phòng chuyên môn", "UBND cấp xã")]
    assert sum(i for _p, i, _r in agencies) == 21 and round(100 * 21 / sum(p for p, _i, _r in agencies)) == 70
    assert (figures["inspections_done"], figures["targets_planned"], figures["targets_inspected"],
            figures["coverage"], figures["reinspections_planned"]) == (50, 111, 49, 0.44, 3)

    client.force_login(inspector)
    assert [(r["population"], r["planned"], r["inspected"], r["percent"]) for r in
            client.get(f"/kiem-tra/ke-hoach/{schools_plan.pk}/").context["coverage"]] == [("Trường học", 81, 28, 35)]
    assert [(r["population"], r["planned"], r["inspected"]) for r in
            client.get(f"/kiem-tra/ke-hoach/{plan.pk}/").context["coverage"]] == [
        ("Phòng chuyên môn", 9, 6), ("UBND cấp xã", 21, 15)]
    rows = list(openpyxl.load_workbook(io.BytesIO(
        client.get(f"/kiem-tra/ke-hoach/{schools_plan.pk}/?format=xlsx").content)).active.iter_rows(
        min_row=4, values_only=True))
    assert rows == [("Trường học", 81, 28, 35)]
    rows = list(openpyxl.load_workbook(io.BytesIO(client.get(f"/kiem-tra/ke-hoach/{plan.pk}/?format=xlsx").content))
                .active.iter_rows(min_row=4, values_only=True))
    assert rows == [("Phòng chuyên môn", 9, 6, 67), ("UBND cấp xã", 21, 15, 71)]
    assert sum(r[2] for r in rows) == 21
    register = client.get("/kiem-tra/?kind=reinspection&status=planned")
    assert register.context["page"].paginator.count == 3
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/kiem-tra/?kind=reinspection&format=xlsx").content)).active
    assert [r[4] for r in sheet.iter_rows(min_row=4, values_only=True) if r[0]] == ["Kiểm tra lại"] * 3
