"""The demo's inspections, built through the services on the demo province of ``motcua.demo.world``
(units and agencies found by code, the inspector ``thanhtra``):

- the Department of Home Affairs' 2026 plan with its targets in three populations — the two demo
  communes ("UBND cấp xã"), two provincial agencies ("Sở, ban, ngành") and two schools
  ("Trường học") —;
- an inspection of a commune's one-stop section, concluded, with the evidence from the dossier data
  attached in one click, a finding and its recommendation (through the follow-up register);
- an inspection of the Department of Justice, concluded with an observation; one of the other
  commune, in progress; one of a school, planned; and a re-inspection of the one-stop section
  planned for October.

Coverage then reads 1 of 2 communes, 1 of 2 agencies and 0 of 2 schools. Idempotent: nothing is
made once the province has a 2026 inspection plan (whoever made it).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model

from motcua.demo.world import DEMO_PROVINCE_CODE, DemoError, pick_units
from motcua.inspections import evidence, services
from motcua.inspections.models import InspectionPlan, PlanTarget
from motcua.units.models import Agency
from motcua.workdays import TZ

YEAR = 2026
TEAM = [("Trưởng phòng Cải cách hành chính", "Sở Nội vụ", "head"), ("Chuyên viên Thanh tra", "Sở Nội vụ", "member"),
        ("Chuyên viên Phòng Công chức, viên chức", "Sở Nội vụ", "secretary")]
TOPIC = "Kỷ luật, kỷ cương hành chính trong thực thi công vụ"


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


def _agency(code: str) -> Agency:
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        raise DemoError(f"Chưa có cơ quan mã {code}: hãy dựng tỉnh mẫu (seed_demo) trước.")
    return agency


def load_demo(province_code: str = DEMO_PROVINCE_CODE) -> dict[str, int]:
    """Counts of what was made (all 0 when the plan already exists)."""
    province, communes = pick_units(province_code)
    made = {"plans": 0, "targets": 0, "inspections": 0, "findings": 0, "evidence": 0, "recommendations": 0}
    if InspectionPlan.objects.filter(unit=province, year=YEAR).exists():
        return made
    inspector = get_user_model().objects.filter(username="thanhtra").first()
    if inspector is None:
        raise DemoError("Chưa có tài khoản thanh tra 'thanhtra': hãy dựng tỉnh mẫu (seed_demo) trước.")
    p = province.code
    centres = [_agency(f"{c.code}-TTPVHCC") for c in communes]
    justice, land = _agency(f"{p}-STP"), _agency(f"{p}-VPDKDD")

    plan = services.create_plan(
        year=YEAR, title=f"Kế hoạch kiểm tra công vụ năm {YEAR}", issuer="Sở Nội vụ", unit=province,
        decision_number="45/KH-SNV", decision_date=dt.date(YEAR, 1, 15), actor=inspector,
        themes="Thực hiện Chỉ thị 26/CT-TTg về tăng cường kỷ luật, kỷ cương trong các cơ quan hành chính nhà nước "
               "và Chỉ thị 10/CT-TTg về chấn chỉnh tình trạng nhũng nhiễu, gây phiền hà trong giải quyết công việc "
               "của người dân, doanh nghiệp; hoạt động của Bộ phận Một cửa.")
    communes_t = [services.add_target(plan, population="UBND cấp xã", unit=c) for c in communes]
    agencies_t = [services.add_target(plan, population="Sở, ban, ngành", agency=a) for a in (justice, land)]
    schools_t = [services.add_target(plan, population="Trường học", name=name, kind=PlanTarget.Kind.SCHOOL)
                 for name in ("Trường Tiểu học Kim Đồng", "Trường THCS Lê Quý Đôn")]
    made["plans"], made["targets"] = 1, len(communes_t) + len(agencies_t) + len(schools_t)

    def inspection(target: PlanTarget, number: str, start: str, end: str, **extra: Any):  # noqa: ANN202
        made["inspections"] += 1
        return services.plan_inspection(
            target=target, topic=extra.pop("topic", TOPIC), starts_on=dt.date.fromisoformat(start),
            ends_on=dt.date.fromisoformat(end), decision_number=number, decision_issuer="Giám đốc Sở Nội vụ",
            decision_date=dt.date.fromisoformat(start) - dt.timedelta(days=7), team=TEAM, actor=inspector,
            at=_at(f"{dt.date.fromisoformat(start) - dt.timedelta(days=6)} 09:00"), **extra)

    # The one-stop section of the second commune: evidence, a finding, a recommendation, concluded.
    site = inspection(communes_t[-1], "52/QĐ-SNV", "2026-04-07", "2026-04-08", agency=centres[-1],
                      topic="Kỷ luật, kỷ cương tại Bộ phận Một cửa", period_from=dt.date(YEAR, 1, 1),
                      period_to=dt.date(YEAR, 3, 31))
    services.perform(site, "start", actor=inspector, at=_at("2026-04-07 08:00"))
    made["evidence"] += len(evidence.attach_all(site, actor=inspector, at=_at("2026-04-07 09:00")))
    finding = services.record_finding(
        site, theme="Công khai thủ tục hành chính", severity="shortcoming", actor=inspector, at=_at("2026-04-07 15:00"),
        description="Chưa niêm yết đầy đủ danh mục thủ tục hành chính; một số hồ sơ trễ hạn chưa có văn bản xin lỗi.",
        people_concerned="Công chức Bộ phận Một cửa")
    services.recommend(finding, text="Niêm yết đầy đủ danh mục thủ tục hành chính tại Bộ phận Một cửa; gửi văn bản "
                       "xin lỗi người dân đối với các hồ sơ trễ hạn.", title="Niêm yết thủ tục, xin lỗi hồ sơ trễ hạn",
                       deadline=_at("2026-05-29 17:00"), actor=inspector, at=_at("2026-04-08 16:00"))
    services.perform(site, "conclude", actor=inspector, at=_at("2026-04-08 17:00"),
                     conclusion="Bộ phận Một cửa chấp hành tương đối tốt giờ giấc, tác phong; còn hạn chế về công khai "
                     "thủ tục hành chính và xin lỗi khi trễ hạn.")
    made["findings"] += 1
    made["recommendations"] += 1

    # The Department of Justice: concluded with an observation.
    dept = inspection(agencies_t[0], "61/QĐ-SNV", "2026-05-12", "2026-05-13", period_from=dt.date(2025, 7, 1),
                      period_to=dt.date(2026, 4, 30))
    services.perform(dept, "start", actor=inspector, at=_at("2026-05-12 08:00"))
    services.record_finding(dept, theme="Giờ giấc làm việc", severity="observation", actor=inspector,
                            at=_at("2026-05-12 10:30"), description="Một số công chức chưa đeo thẻ trong giờ làm việc.")
    services.perform(dept, "conclude", actor=inspector, at=_at("2026-05-13 16:00"),
                     conclusion="Chấp hành tốt kỷ luật, kỷ cương hành chính; nhắc nhở việc đeo thẻ công chức.")
    made["findings"] += 1

    # The first commune: in progress. A school: planned. The one-stop section again in October.
    first = inspection(communes_t[0], "88/QĐ-SNV", "2026-11-30", "2026-12-11", agency=centres[0],
                       period_from=dt.date(YEAR, 1, 1), period_to=dt.date(YEAR, 10, 31))
    services.perform(first, "start", actor=inspector, at=_at("2026-11-30 08:00"))
    inspection(schools_t[0], "95/QĐ-SNV", "2026-12-15", "2026-12-16", period_from=dt.date(2025, 9, 1),
               period_to=dt.date(YEAR, 11, 30), topic="Kỷ luật, kỷ cương hành chính gắn với nhiệm vụ năm học")
    inspection(communes_t[-1], "90/QĐ-SNV", "2026-12-21", "2026-12-21", agency=centres[-1],
               kind="reinspection", follows=site, topic="Kiểm tra lại việc khắc phục sau kiểm tra",
               period_from=dt.date(YEAR, 4, 9), period_to=dt.date(YEAR, 11, 30))
    return made
