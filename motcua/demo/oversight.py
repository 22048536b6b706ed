"""The demo's oversight side, built through the services (idempotent: each part is skipped once it exists):

- a council supervision modelled on seed 000: the provincial council's Ban Pháp chế, delegation
  no. 18, working on 20–21/02/2022 with Lâm Bình district and Minh Quang commune over 2019–2021,
  its report and five recommendations half followed up (two closed, one answered, two overdue),
  published; the district's recommendations passed to the communes after 01/07/2025;
- a 2026 inspection plan with the two communes as targets, one inspection of a one-stop section
  concluded with its evidence, a finding and a recommendation (coverage 1 of 2);
- a 2026 PAR plan of a commune with ten tasks (six done, some overdue);
- the example criteria set, and the communes' 2025 assessments (sub-criteria computed from the
  demo dossiers); the seeds' districts ranked in their real provinces' peer groups with district sets
  built from the example: Vũ Quang 2022 (89.30, 12th of 13) and Mê Linh 2021 and 2023 (23rd, then
  13th of 30);
- the province's internal procedures and a simplification plan.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model

from motcua.demo.world import DemoWorld
from motcua.followup import services as followup
from motcua.inspections import evidence
from motcua.inspections import services as inspections
from motcua.inspections.models import InspectionPlan
from motcua.parindex import loader
from motcua.parindex import services as parindex
from motcua.parindex.models import IndexSet, SubCriterion
from motcua.parplans import services as parplans
from motcua.parplans.models import ParPlan
from motcua.supervision import services as supervision
from motcua.supervision.models import Delegation
from motcua.units.models import AdministrativeUnit, Level
from motcua.workdays import TZ

EXAMPLE = Path(__file__).resolve().parents[1] / "parindex" / "sets" / "example-commune-2025.yaml"


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


def _user(username: str) -> Any:
    return get_user_model().objects.get(username=username)


def _legacy(name: str, level: str) -> AdministrativeUnit | None:
    versions = AdministrativeUnit.objects.filter(name=name, level=level, valid_to__isnull=False)
    return versions.order_by("-valid_from").first()


def supervision_demo(world: DemoWorld) -> int:
    if Delegation.objects.filter(number="18", council_unit=world.province).exists():
        return 0
    council = _user("hdnd")
    district = _legacy("Huyện Lâm Bình", Level.DISTRICT)
    minh_quang = next((c for c in world.communes if c.unit.name == "Xã Minh Quang"), world.communes[-1])
    commune = minh_quang.legacy_unit or minh_quang.unit
    bodies = [u for u in (district, commune) if u is not None]
    d = supervision.create_delegation(
        council_unit=world.province, committee="Ban Pháp chế HĐND tỉnh", number="18", decision_number="18/QĐ-BPC",
        decision_date=dt.date(2022, 2, 7), topic="Việc thực thi công vụ của cán bộ, công chức, viên chức "
        "giai đoạn 2019–2021", period_from=dt.date(2019, 1, 1), period_to=dt.date(2021, 12, 31),
        starts_on=dt.date(2022, 2, 20), ends_on=dt.date(2022, 2, 21), units=bodies,
        members=[("Trưởng Ban Pháp chế", "Trưởng đoàn"), ("Phó Trưởng Ban Pháp chế", "Phó Trưởng đoàn")],
        actor=council, at=_at("2022-02-07 09:00"))
    supervision.record_plan_sent(d, dt.date(2022, 2, 10), actor=council)
    for day, unit in zip((dt.date(2022, 2, 20), dt.date(2022, 2, 21)), bodies, strict=False):
        supervision.add_session(d, date=day, unit=unit, programme_sent_on=day - dt.timedelta(days=12), actor=council)
    supervision.perform(d, "start", actor=council, at=_at("2022-02-20 08:00"))
    supervision.perform(d, "report", actor=council, at=_at("2022-02-28 15:00"), findings=(
        "Báo cáo về văn hóa công vụ gửi chậm; một số cán bộ, công chức được đánh giá không hoàn thành nhiệm vụ và bị "
        "kỷ luật; hồ sơ lưu trữ tại Bộ phận một cửa chưa đầy đủ; còn đơn thư khiếu nại kéo dài; việc đăng ký khai sinh "
        "chưa được liên thông với cấp thẻ bảo hiểm y tế cho trẻ em."))
    supervision.perform(d, "conclude", actor=council, at=_at("2022-03-10 09:00"),
                        conclusion="Đề nghị huyện và xã khắc phục các hạn chế theo 5 kiến nghị của Đoàn.")
    report = d.reports.get()
    texts = [
        ("Gửi báo cáo văn hóa công vụ đúng hạn", "Gửi báo cáo về văn hóa công vụ đúng thời hạn quy định.", "close"),
        ("Hoàn thiện lưu trữ hồ sơ một cửa", "Hoàn thiện việc lưu trữ hồ sơ tại Bộ phận một cửa.", "close"),
        ("Giải quyết dứt điểm khiếu nại kéo dài", "Giải quyết dứt điểm các vụ khiếu nại kéo dài.", "respond"),
        ("Liên thông khai sinh – bảo hiểm y tế", "Thực hiện liên thông đăng ký khai sinh và cấp thẻ bảo hiểm y tế "
         "cho trẻ em dưới 6 tuổi.", ""),
        ("Chấn chỉnh kỷ luật, kỷ cương", "Chấn chỉnh kỷ luật, kỷ cương hành chính; xử lý công chức vi phạm.", ""),
    ]
    for n, (title, text, follow) in enumerate(texts):
        unit = district if district is not None and n % 2 == 0 else commune
        rec = supervision.recommend(report, addressee_unit=unit, text=text, title=title,
                                    deadline=_at("2022-06-30 17:00"), actor=council, at=_at("2022-03-10 10:00"))
        if follow:
            followup.perform(rec, "respond", role="leader", at=_at("2022-05-20 09:00"),
                             note="Đã triển khai; báo cáo kết quả gửi kèm.")
        if follow == "respond":  # a long case: the delegation gives it more time
            followup.perform(rec, "extend", actor=council, at=_at("2022-06-20 09:00"), new_deadline=_at(
                "2027-06-30 17:00"), reason="Vụ việc phức tạp, cần thêm thời gian xác minh.")
        if follow == "close":
            followup.perform(rec, "close", actor=council, at=_at("2022-07-15 09:00"),
                             note="Đoàn đã kiểm tra lại: đã thực hiện.")
    supervision.publish(d, actor=council, at=_at("2022-03-15 09:00"))
    return 1


def inspections_demo(world: DemoWorld) -> int:
    if InspectionPlan.objects.filter(unit=world.province, year=2026).exists():
        return 0
    inspector = _user("thanhtra")
    plan = inspections.create_plan(year=2026, title="Kế hoạch kiểm tra công vụ năm 2026", issuer="Sở Nội vụ",
                                   unit=world.province, decision_number="45/KH-SNV", actor=inspector)
    targets = [inspections.add_target(plan, population="UBND cấp xã", unit=c.unit) for c in world.communes]
    site = world.communes[-1]
    i = inspections.plan_inspection(
        target=targets[-1], agency=site.centre, topic="Kỷ luật, kỷ cương tại Bộ phận một cửa",
        period_from=dt.date(2026, 1, 1), period_to=dt.date(2026, 3, 31), starts_on=dt.date(2026, 4, 7),
        ends_on=dt.date(2026, 4, 8), decision_number="52/QĐ-SNV", decision_issuer="Giám đốc Sở Nội vụ",
        team=[("Trưởng phòng Cải cách hành chính", "Sở Nội vụ", "head"), ("Chuyên viên", "Sở Nội vụ", "member")],
        actor=inspector, at=_at("2026-04-01 09:00"))
    inspections.perform(i, "start", actor=inspector, at=_at("2026-04-07 08:00"))
    evidence.attach_all(i, actor=inspector, at=_at("2026-04-07 09:00"))
    finding = inspections.record_finding(i, theme="Công khai thủ tục hành chính", severity="shortcoming",
                                         description="Chưa niêm yết đầy đủ danh mục thủ tục hành chính.",
                                         actor=inspector, at=_at("2026-04-07 15:00"))
    inspections.recommend(finding, text="Niêm yết đầy đủ danh mục thủ tục hành chính tại Bộ phận một cửa.",
                          title="Niêm yết thủ tục", deadline=_at("2026-05-29 17:00"), actor=inspector,
                          at=_at("2026-04-08 16:00"))
    inspections.perform(i, "conclude", actor=inspector, at=_at("2026-04-08 17:00"),
                        conclusion="Bộ phận một cửa chấp hành tương đối tốt; còn hạn chế về công khai thủ tục.")
    return 1


def plans_demo(world: DemoWorld) -> int:
    site = world.communes[0]
    if ParPlan.objects.filter(unit=site.unit, year=2026).exists():
        return 0
    plan = parplans.create_plan(unit=site.unit, year=2026, title=f"Kế hoạch cải cách hành chính năm 2026 – "
                                f"{site.unit.name}", issuer=f"UBND {site.unit.name}", number="12/KH-UBND")
    areas = ["institutions", "procedures", "organisation", "civil_service", "public_finance", "digital"]
    for n in range(10):
        deadline = _at(f"2026-{3 + n:02d}-2{n % 8} 17:00")
        task = parplans.add_task(plan, title=f"Nhiệm vụ {n + 1}: {['Rà soát văn bản', 'Đơn giản hóa thủ tục'][n % 2]}",
                                 area=areas[n % 6], owner=site.ubnd, deadline=deadline, at=_at("2026-01-15 08:00"))
        if n < 6:
            parplans.perform(task, "complete", role="par_officer", evidence=f"Báo cáo số {n + 1}/BC-UBND",
                             at=deadline - dt.timedelta(days=3 if n != 5 else -4))
    procedures = [parplans.add_internal_procedure(unit=world.province, code=f"NB.{n:03d}",
                                                  name=f"Thủ tục nội bộ số {n}", steps=5, time_limit_days=10)
                  for n in range(1, 11)]
    splan = parplans.create_simplification_plan(unit=world.province, year=2026, title="Phương án đơn giản hóa "
                                                "thủ tục hành chính nội bộ năm 2026", approved_on=dt.date(2026, 3, 1))
    for n, proc in enumerate(procedures):
        proposal = "abolish" if n < 2 else "simplify" if n < 6 else "keep"
        parplans.propose(splan, proc, proposal, days_after=7, steps_after=4, state="approved" if n < 6 else "proposed")
    return 1


def _district_set(code: str, year: int) -> IndexSet:
    existing = IndexSet.objects.filter(code=code).first()
    if existing is not None:
        return existing
    text = EXAMPLE.read_text(encoding="utf-8").replace("code: vi-du-cap-xa-2025", f"code: {code}")
    text = text.replace("year: 2025", f"year: {year}").replace("level: commune", "level: district")
    return loader.load(text.replace("name: Bộ chỉ số CCHC cấp xã (ví dụ)",
                                    f"name: Bộ chỉ số CCHC cấp huyện {year} (ví dụ)"))


def _ranked(index_set: IndexSet, unit: AdministrativeUnit, lost: Decimal, reasons: dict[str, tuple[str, str]]) -> int:
    """A published assessment losing ``lost`` points on 2.2.1/2.2.2, or the ``reasons`` given; 1 if made."""
    if index_set.assessments.filter(unit=unit).exists():
        return 0
    a = parindex.start(index_set, unit, at=_dt(index_set.year + 1, 1, 10))
    subs = list(SubCriterion.objects.filter(index_set=index_set))
    parindex.record_table(a, "self", {s.code: s.max_points for s in subs if s.method == "self_assessed"},
                          at=_dt(index_set.year + 1, 1, 15))
    parindex.perform(a, "submit", role="par_officer", at=_dt(index_set.year + 1, 1, 20))
    marks = {s.code: s.max_points for s in subs if s.method != "self_assessed"}
    notes = {s.code: "Theo số liệu tổng hợp của tỉnh" for s in subs if s.method != "self_assessed"}
    first = min(lost, Decimal(5))
    if lost:
        marks["2.2.1"], notes["2.2.1"] = Decimal(5) - first, "Rà soát thủ tục chưa đầy đủ"
        marks["2.2.2"], notes["2.2.2"] = Decimal(5) - (lost - first), "Xử lý phản ánh, kiến nghị chậm"
    for code, (points, note) in reasons.items():
        marks[code], notes[code] = Decimal(points), note
    parindex.record_table(a, "appraised", marks, notes, at=_dt(index_set.year + 1, 2, 15))
    parindex.perform(a, "appraise", role="appraiser", at=_dt(index_set.year + 1, 2, 20))
    parindex.perform(a, "publish", role="appraiser", at=_dt(index_set.year + 1, 3, 1))
    return 1


def _dt(year: int, month: int, day: int) -> dt.datetime:
    return dt.datetime(year, month, day, 9, tzinfo=TZ)


def _peers(province_name: str, first: str, on: dt.date) -> list[AdministrativeUnit]:
    """The district-level units of a province as they were on ``on`` (``first`` first), by name."""
    provinces = AdministrativeUnit.objects.filter(name=province_name, level=Level.PROVINCE)
    province = provinces.valid_on(on).first()
    if province is None:
        return []
    units = list(AdministrativeUnit.objects.filter(parent=province, level=Level.DISTRICT).valid_on(on).order_by("name"))
    return sorted(units, key=lambda u: u.name != first)


def _loc_ha() -> None:
    """Hà Tĩnh had 13 district-level units in 2022; the unit data (the 2025 crosswalk) no longer lists Lộc Hà,
    merged into Thạch Hà on 01/01/2025, so the demo adds that closed version for the 2022 peer group."""
    province = AdministrativeUnit.objects.filter(name="Tỉnh Hà Tĩnh", level=Level.PROVINCE).valid_on(
        dt.date(2022, 6, 30)).first()
    if province is None or AdministrativeUnit.objects.filter(name="Huyện Lộc Hà", parent=province).exists():
        return
    AdministrativeUnit.objects.create(code="DEMO-LOCHA", name="Huyện Lộc Hà", level=Level.DISTRICT, parent=province,
                                      valid_from=dt.date(2000, 1, 1), valid_to=dt.date(2024, 12, 31))


def par_index_demo(world: DemoWorld) -> int:
    made = 0
    if not IndexSet.objects.filter(code="vi-du-cap-xa-2025").exists():
        loader.load_file(EXAMPLE)
        made += 1
    commune_set = IndexSet.objects.get(code="vi-du-cap-xa-2025")
    for site in world.communes:
        if not commune_set.assessments.filter(unit=site.unit).exists():
            a = parindex.start(commune_set, site.unit, at=_dt(2026, 1, 5))
            parindex.compute(a, at=_dt(2026, 1, 5))
            made += 1
    _loc_ha()
    ha_tinh = _peers("Tỉnh Hà Tĩnh", "Huyện Vũ Quang", dt.date(2022, 6, 30))
    if ha_tinh and ha_tinh[0].name == "Huyện Vũ Quang":
        s2022 = _district_set("vi-du-cap-huyen-2022", 2022)
        vu_quang, others = ha_tinh[0], ha_tinh[1:]
        for n, unit in enumerate(others):  # 89.30 is 12th of 13 when 11 are above (100 … 95) and 1 below (86)
            if n < len(others) - 1:
                made += _ranked(s2022, unit, Decimal(n) / 2, {})
            else:
                made += _ranked(s2022, unit, Decimal(0), {"2.2.1": ("0", "Chưa rà soát thủ tục"), "5.1.1": (
                    "0", "Chưa công khai ngân sách"), "2.2.2": ("0", "Không xử lý phản ánh, kiến nghị")})
        made += _ranked(s2022, vu_quang, Decimal(0), {"1.3.1": ("0", "Không có sáng kiến trong cải cách hành chính"),
                                              "4.1.1": ("0", "Có công chức bị kỷ luật"),
                                              "3.1.1": ("4.30", "Vượt số lượng cấp phó theo quy định")})
    ha_noi = _peers("Thành phố Hà Nội", "Huyện Mê Linh", dt.date(2023, 6, 30))
    if ha_noi and ha_noi[0].name == "Huyện Mê Linh":
        me_linh, others = ha_noi[0], ha_noi[1:]
        for year, place in ((2021, 23), (2023, 13)):
            index_set = _district_set(f"vi-du-cap-huyen-{year}", year)
            rest = iter(others)
            for rank in range(1, len(ha_noi) + 1):
                unit = me_linh if rank == min(place, len(ha_noi)) else next(rest, None)
                if unit is not None:
                    made += _ranked(index_set, unit, Decimal(rank) / 4, {})
    return made


def build(world: DemoWorld) -> dict[str, int]:
    return {"supervision": supervision_demo(world), "inspections": inspections_demo(world),
            "plans": plans_demo(world), "par_index": par_index_demo(world)}
