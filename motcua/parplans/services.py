"""The only code that writes PAR plans, their tasks (status through the shared lifecycle writer) and
internal procedures with their simplification plans. Who acts on a task: the PAR focal officer, a
head or the leader of the plan's unit (or a unit above it), and for the owner agency its staff; a
leader cancels and reopens."""
from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from motcua.parplans.lifecycle import ACTION_LABELS, INPUT_LABELS, OWNERS, STATUS_LABELS, TABLE, Action, Status
from motcua.parplans.models import (
    Area,
    InternalProcedure,
    ParPlan,
    ProcedureProposal,
    RouteApproval,
    SimplificationItem,
    SimplificationPlan,
    Task,
    TaskEvent,
)
from motcua.people import person_name
from motcua.roles import role_label
from motcua.statemachine import InvalidInput, Lifecycle
from motcua.statemachine.writer import Change, Writer
from motcua.units import scoping
from motcua.units.calendars import calendar_for_unit
from motcua.units.models import AdministrativeUnit, Agency
from motcua.workdays import MINUTES_PER_WORKING_DAY, TZ

TASKS = Lifecycle("par_task", TABLE, action_labels=ACTION_LABELS, status_labels=STATUS_LABELS)


def visible_plans(user: Any) -> QuerySet[ParPlan]:
    if not getattr(user, "is_authenticated", False):
        return ParPlan.objects.none()
    ids = scoping.oversight_unit_ids(user)
    return ParPlan.objects.all() if ids is None else ParPlan.objects.filter(unit_id__in=ids)


def visible_units(user: Any) -> set[int] | None:
    return scoping.oversight_unit_ids(user) if getattr(user, "is_authenticated", False) else set()


def acting_roles(user: Any, task: Task) -> list[str]:
    if not getattr(user, "is_authenticated", False):
        return []
    roles = []
    for sr in scoping.staff_roles(user):
        if sr.role not in OWNERS:
            continue
        if sr.agency_id is not None and sr.agency_id == task.owner_id:
            roles.append(sr.role)
            continue
        unit = sr.unit_id if sr.unit_id is not None else sr.agency.unit_id
        if task.plan.unit_id in scoping.descendant_unit_ids(unit):
            roles.append(sr.role)
    return list(dict.fromkeys(roles))


def can_manage(user: Any, unit: AdministrativeUnit) -> bool:
    """The user plans for ``unit``: a PAR officer, head or leader whose scope covers it."""
    return scoping.holds_over(user, unit, OWNERS - {"system"})


def end_of_working_day(day: dt.date, unit: AdministrativeUnit) -> dt.datetime:
    """The close of ``day`` on the unit's calendar (the next working day's if ``day`` is not one)."""
    calendar = calendar_for_unit(unit)
    start = calendar.start_of_clock(dt.datetime.combine(day, dt.time.min, tzinfo=TZ))
    return calendar.add_working_time(start, MINUTES_PER_WORKING_DAY)


def after_working_days(start: dt.datetime, days: int, unit: AdministrativeUnit) -> dt.datetime:
    """``days`` working days from the instant ``start`` on the unit's calendar (a start outside working
    hours counts from the next working session)."""
    if days < 0:
        raise InvalidInput("Số ngày làm việc không được âm.", field="working_days")
    if timezone.is_naive(start):
        raise InvalidInput("Thời điểm bắt đầu phải có múi giờ.", field="start")
    calendar = calendar_for_unit(unit)
    return calendar.add_working_time(calendar.start_of_clock(start), days * MINUTES_PER_WORKING_DAY)


def create_plan(*, unit: AdministrativeUnit, year: int, title: str, issuer: str, number: str = "",
                date: dt.date | None = None) -> ParPlan:
    if not title.strip():
        raise InvalidInput("Cần nhập tên kế hoạch.", field="title")
    if not (2000 <= year <= 2100):
        raise InvalidInput(f"Năm kế hoạch không hợp lệ: {year}.", field="year")
    return ParPlan.objects.create(unit=unit, year=year, title=title.strip(), issuer=issuer, number=number, date=date)


def add_task(plan: ParPlan, *, title: str, area: str, deadline: dt.datetime, owner: Agency | None = None,
             owner_name: str = "", expected_output: str = "", at: dt.datetime | None = None,
             co_agencies: list[Agency] | tuple[Agency, ...] = ()) -> Task:
    if area not in Area.values:
        raise InvalidInput(f"Lĩnh vực không hợp lệ: {area}.", field="area")
    if not title.strip():
        raise InvalidInput("Cần nhập tên nhiệm vụ.", field="title")
    if deadline is None or timezone.is_naive(deadline):
        raise InvalidInput("Thời hạn phải là một thời điểm có múi giờ.", field="deadline")
    if owner is not None and any(a.pk == owner.pk for a in co_agencies):
        raise InvalidInput("Cơ quan phối hợp không được trùng cơ quan chủ trì.", field="co_agencies")
    at = at or timezone.now()
    with transaction.atomic():
        task = Task.objects.create(plan=plan, title=title.strip(), area=area, deadline=deadline, owner=owner,
                                   owner_name=owner_name, expected_output=expected_output, last_event_at=at)
        if co_agencies:
            task.co_agencies.set(co_agencies)
        TaskEvent.objects.create(task=task, seq=1, action="create", at=at, to_status=task.status,
                                 payload={"deadline": deadline.isoformat()})
    return task


def _h_complete(t: Task, c: Change) -> None:
    t.completed_at = c.at
    t.evidence = c.get("evidence")


def _h_reopen(t: Task, c: Change) -> None:
    t.completed_at = None


class TaskWriter(Writer):
    model = Task
    event_model = TaskEvent
    subject_field = "task"
    lifecycle = TASKS
    related = ("plan",)
    input_labels = INPUT_LABELS
    free_inputs = ("note",)
    state_fields = ("completed_at", "evidence")
    handlers: ClassVar = {Action.COMPLETE: _h_complete, Action.REOPEN: _h_reopen}
    conflict_message = "Nhiệm vụ vừa được người khác cập nhật; hãy tải lại rồi thao tác."

    def event_fields(self, t: Task, change: Change) -> dict[str, Any]:
        label = role_label(change.role)
        return {"actor_label": f"{person_name(change.actor)} ({label})" if change.actor else label,
                "note": change.get("note", "") or change.get("evidence", ""), "reason": change.get("reason", "")}


_WRITER = TaskWriter()


def perform(task: Task | int, action: str, *, actor: Any = None, role: str | None = None,
            at: dt.datetime | None = None, expected_version: int | None = None, note: str = "", reason: str = "",
            evidence: str = "") -> Task:
    roles: Any = [role] if role is not None else (lambda t: acting_roles(actor, t))
    inputs = {"note": note, "reason": reason, "evidence": evidence}
    return _WRITER.perform(task, action, roles=roles, actor=actor, at=at, expected_version=expected_version,
                           inputs={k: v for k, v in inputs.items() if v})


def tasks_filter(qs: QuerySet[Task], state: str, at: dt.datetime) -> QuerySet[Task]:
    """``state``: a status, or ``overdue`` (computed at ``at``)."""
    if state == "overdue":
        return qs.filter(status__in=[Status.NOT_STARTED, Status.IN_PROGRESS], deadline__lt=at)
    return qs.filter(status=state) if state else qs


# --- internal procedures --------------------------------------------------------------------------

def add_internal_procedure(*, unit: AdministrativeUnit, code: str, name: str, **fields: Any) -> InternalProcedure:
    if not code.strip() or not name.strip():
        raise InvalidInput("Cần nhập mã và tên thủ tục nội bộ.", field="code" if not code.strip() else "name")
    if InternalProcedure.objects.filter(unit=unit, code=code.strip()).exists():
        raise InvalidInput(f"Đã có thủ tục nội bộ mã {code} của {unit.name}.", field="code")
    return InternalProcedure.objects.create(unit=unit, code=code.strip(), name=name.strip(), **fields)


def create_simplification_plan(*, unit: AdministrativeUnit, year: int, title: str, decision_number: str = "",
                               decision_date: dt.date | None = None,
                               approved_on: dt.date | None = None) -> SimplificationPlan:
    return SimplificationPlan.objects.create(unit=unit, year=year, title=title, decision_number=decision_number,
                                             decision_date=decision_date, approved_on=approved_on)


def propose(plan: SimplificationPlan, procedure: InternalProcedure, proposal: str, *, days_after: int | None = None,
            steps_after: int | None = None, state: str = SimplificationItem.State.PROPOSED) -> SimplificationItem:
    if proposal not in SimplificationItem.Proposal.values:
        raise InvalidInput(f"Phương án không hợp lệ: {proposal}.", field="proposal")
    if state not in SimplificationItem.State.values:
        raise InvalidInput(f"Tình trạng không hợp lệ: {state}.", field="state")
    if proposal == SimplificationItem.Proposal.ABOLISH:
        days_after, steps_after = 0, 0
    for name, after, before in (("days_after", days_after, procedure.time_limit_days),
                                ("steps_after", steps_after, procedure.steps)):
        if after is not None and before is not None and after > before:
            raise InvalidInput("Sau đơn giản hóa không được nhiều hơn trước.", field=name)
    return SimplificationItem.objects.create(
        plan=plan, procedure=procedure, proposal=proposal, state=state, days_before=procedure.time_limit_days,
        days_after=days_after, steps_before=procedure.steps, steps_after=steps_after)


def units_filter(unit_ids: set[int] | None, field: str = "unit_id") -> Q:
    return Q() if unit_ids is None else Q(**{f"{field}__in": unit_ids})


def propose_for_procedure(procedure: Any, unit: AdministrativeUnit, proposal: str, timing_from: dt.date,
                          timing_to: dt.date, at: dt.datetime | None = None) -> ProcedureProposal:
    """A simplification proposal for an administrative procedure, citing the measured step times of
    its dossiers in the unit over the period (median and 90th percentile per step), frozen now."""
    from motcua.quality.compute import QualityError
    from motcua.quality.timing import step_timing

    if not proposal.strip():
        raise InvalidInput("Cần nhập nội dung đề xuất.", field="proposal")
    try:
        timing = step_timing(procedure.code, timing_from, timing_to, unit.code)
    except QualityError as exc:
        raise InvalidInput(str(exc), field="timing_from") from None
    keys = ("order", "name", "share_minutes", "count", "median_minutes", "p90_minutes", "late_caused")
    cited = {"dossiers": timing["dossiers"], "late": timing["late"],
             "steps": [{k: step.get(k) for k in keys} for step in timing["steps"]]}
    return ProcedureProposal.objects.create(procedure=procedure, unit=unit, proposal=proposal.strip(),
                                            timing_from=timing_from, timing_to=timing_to, cited_timing=cited,
                                            computed_at=at or timezone.now())


def record_route_approval(procedure: Any, *, decision_number: str, decision_date: dt.date | None, issuer: str,
                          note: str = "") -> RouteApproval:
    """The decision approving an administrative procedure's electronic process (its route in the catalogue)."""
    if procedure is None:
        raise InvalidInput("Mã thủ tục: không có thủ tục hành chính này trong danh mục.", field="procedure")
    if not decision_number.strip():
        raise InvalidInput("Cần nhập số quyết định phê duyệt.", field="decision_number")
    if decision_date is None:
        raise InvalidInput("Cần nhập ngày quyết định phê duyệt.", field="decision_date")
    if not issuer.strip():
        raise InvalidInput("Cần nhập người, cơ quan ban hành quyết định.", field="issuer")
    return RouteApproval.objects.create(procedure=procedure, decision_number=decision_number.strip(),
                                        decision_date=decision_date, issuer=issuer.strip(), note=note.strip())
