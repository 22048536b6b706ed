"""The demo's PAR plans and internal procedures, built through the services on the demo province of
``motcua.demo.world`` (its units and agencies found by code; run ``build_world`` first for the agencies and
staff): the 2026 PAR plan of the province's last demo commune with 40 tasks in the six areas, 30 done
(27 by their deadline), 4 in progress, 6 not started (overdue once their deadline passes — computed, never
stored); the commune's catalogue of 12 internal procedures and its approved simplification plan (5 cut
and carried out or approved, 2 only proposed, the rest kept); the approving decision of the electronic
process of two catalogue procedures. Idempotent: each part is skipped once it exists."""
from __future__ import annotations

import datetime as dt

from django.db import transaction

from motcua.catalog.models import Procedure
from motcua.demo.world import DEMO_PROVINCE_CODE, pick_units
from motcua.parplans import services
from motcua.parplans.models import InternalProcedure, ParPlan, RouteApproval, SimplificationPlan
from motcua.units.models import AdministrativeUnit, Agency
from motcua.workdays import TZ

YEAR = 2026
PLAN_NUMBER = "18/KH-UBND"
SIMPLIFICATION_DECISION = "245/QĐ-UBND"
TASKS = (
    ("institutions", "Rà soát, hệ thống hóa văn bản quy phạm pháp luật của xã"),
    ("procedures", "Rà soát, đơn giản hóa thủ tục hành chính thuộc thẩm quyền của xã"),
    ("organisation", "Sắp xếp, kiện toàn các bộ phận chuyên môn sau hợp nhất"),
    ("civil_service", "Đánh giá, xếp loại công chức theo sản phẩm hằng quý"),
    ("public_finance", "Công khai dự toán, quyết toán ngân sách xã"),
    ("digital", "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính"),
)
PROCEDURES = (
    ("Tiếp nhận, xử lý văn bản đến", 6, 3), ("Phát hành văn bản đi", 5, 2), ("Lập dự toán ngân sách xã", 8, 20),
    ("Xét nâng bậc lương thường xuyên", 7, 15), ("Cử công chức đi đào tạo, bồi dưỡng", 6, 10),
    ("Đánh giá, xếp loại công chức", 7, 15), ("Giải quyết chế độ nghỉ phép", 4, 3),
    ("Mua sắm tài sản công", 9, 30), ("Tiếp công dân định kỳ", 5, 5), ("Lưu trữ hồ sơ công việc", 4, 10),
    ("Thi đua, khen thưởng hằng năm", 8, 20), ("Báo cáo định kỳ công tác CCHC", 5, 5),
)


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)


def _commune(province_code: str) -> tuple[AdministrativeUnit, Agency | None]:
    _province, communes = pick_units(province_code)
    unit = communes[-1]
    return unit, Agency.objects.filter(code=f"{unit.code}-UBND").first()


def _plan(unit: AdministrativeUnit, ubnd: Agency | None) -> int:
    if ParPlan.objects.filter(unit=unit, year=YEAR, number=PLAN_NUMBER).exists():
        return 0
    plan = services.create_plan(unit=unit, year=YEAR, title=f"Kế hoạch cải cách hành chính năm {YEAR} – {unit.name}",
                                issuer=f"UBND {unit.name}", number=PLAN_NUMBER, date=dt.date(YEAR, 1, 8))
    co = [a for a in Agency.objects.filter(code__in=[f"{unit.code}-PKT", f"{unit.code}-CA"]).order_by("code")]
    for n in range(40):
        area, title = TASKS[n % len(TASKS)]
        day = dt.date(YEAR, 2 + n % 10, 10 + n % 15)
        task = services.add_task(
            plan, title=f"{title} (đợt {n // len(TASKS) + 1})", area=area, owner=ubnd,
            owner_name="" if ubnd else f"UBND {unit.name}", co_agencies=co[: n % 3],
            expected_output="Báo cáo kết quả" if n % 2 else "Quyết định, kế hoạch triển khai",
            deadline=services.end_of_working_day(day, unit), at=_at(dt.date(YEAR, 1, 12), 8))
        if n < 30:
            late = n in (7, 15, 23)
            services.perform(task, "start", role="par_officer", at=_at(dt.date(YEAR, 1, 20), 9))
            services.perform(task, "complete", role="par_officer", evidence=f"Báo cáo số {n + 1}/BC-UBND",
                             at=task.deadline + dt.timedelta(days=6 if late else -2))
        elif n < 34:
            services.perform(task, "start", role="par_officer", at=_at(dt.date(YEAR, 2, 2), 9))
    return 1


def _simplification(unit: AdministrativeUnit) -> int:
    if SimplificationPlan.objects.filter(unit=unit, year=YEAR, decision_number=SIMPLIFICATION_DECISION).exists():
        return 0
    procedures = []
    for n, (name, steps, days) in enumerate(PROCEDURES, start=1):
        code = f"NB-{unit.code}-{n:02d}"
        procedures.append(InternalProcedure.objects.filter(unit=unit, code=code).first() or
                          services.add_internal_procedure(
                              unit=unit, code=code, name=name, field="Nội vụ" if n % 2 else "Tài chính",
                              executing_agency="Văn phòng HĐND và UBND", deciding_agency=f"Chủ tịch UBND {unit.name}",
                              steps=steps, time_limit_days=days, documents="Tờ trình; dự thảo văn bản",
                              legal_basis="Quyết định 1085/QĐ-TTg ngày 15/9/2022"))
    plan = services.create_simplification_plan(
        unit=unit, year=YEAR, title=f"Phương án đơn giản hóa thủ tục hành chính nội bộ năm {YEAR}",
        decision_number=SIMPLIFICATION_DECISION, decision_date=dt.date(YEAR, 3, 16), approved_on=dt.date(YEAR, 3, 16))
    for n, procedure in enumerate(procedures):
        if n < 1:
            services.propose(plan, procedure, "abolish", state="done")
        elif n < 7:
            state = "done" if n < 3 else "approved" if n < 5 else "proposed"
            services.propose(plan, procedure, "simplify", days_after=max((procedure.time_limit_days or 1) * 2 // 3, 1),
                             steps_after=max(procedure.steps - 2, 1), state=state)
        else:
            services.propose(plan, procedure, "keep", days_after=procedure.time_limit_days, steps_after=procedure.steps)
    return 1


def _route_approvals() -> int:
    made = 0
    for procedure in Procedure.objects.order_by("code")[:2]:
        if not RouteApproval.objects.filter(procedure=procedure).exists():
            RouteApproval.objects.create(procedure=procedure, decision_number="1520/QĐ-UBND",
                                         decision_date=dt.date(2025, 8, 20), issuer="Chủ tịch UBND tỉnh",
                                         note="Phê duyệt quy trình nội bộ, quy trình điện tử giải quyết TTHC")
            made += 1
    return made


def load_demo(province_code: str = DEMO_PROVINCE_CODE) -> dict[str, int]:
    """Build the PAR plans' demo once; the counts of what was made (zeros on a second run)."""
    unit, ubnd = _commune(province_code)
    with transaction.atomic():
        return {"plans": _plan(unit, ubnd), "simplification_plans": _simplification(unit),
                "route_approvals": _route_approvals()}

