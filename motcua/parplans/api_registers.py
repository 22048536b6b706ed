"""The PAR plans' registers written through the API (on the router of ``motcua.parplans.api``): plans and
their tasks, a task with its history and the actions open to the caller, internal procedures,
simplification plans and their items. Who writes: a PAR officer, head, leader or administrator whose
scope covers the unit (a token acts with its own role only). Refusals are ``{code, message}`` naming the field."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Schema, Status

from motcua.api.auth import Caller
from motcua.api.errors import ApiError, not_found
from motcua.api.oversight import token_role
from motcua.parplans import figures, services
from motcua.parplans.api import ERRORS, PlanOut, TaskOut, router
from motcua.parplans.lifecycle import ACTION_LABELS, OWNERS, Action
from motcua.parplans.models import InternalProcedure, SimplificationItem, SimplificationPlan, Task
from motcua.statemachine import InvalidInput
from motcua.units import scoping
from motcua.units.models import AdministrativeUnit, Agency
from motcua.workdays import TZ

WRITERS = OWNERS - {"system"}


@contextmanager
def _named() -> Iterator[None]:
    """A service's refusal of one input, with that input's name in front of the message."""
    try:
        yield
    except InvalidInput as exc:
        raise ApiError(400, exc.code, f"{exc.field}: {exc.message}" if exc.field else exc.message) from None


def _unit(code: str, on: dt.date, field: str = "unit_code") -> AdministrativeUnit:
    unit = scoping.resolve_code(code.strip(), on)
    if unit is None:
        raise ApiError(400, "bad_input", f"{field}: không có đơn vị hành chính mã {code}.")
    return unit


def _may_write(caller: Caller, unit: AdministrativeUnit) -> None:
    role = token_role(caller)
    roles = {role} & WRITERS if role is not None else WRITERS
    if not roles or not scoping.holds_over(caller.user, unit, roles):
        raise ApiError(403, "forbidden", f"Bạn không lập kế hoạch, danh mục cho {unit.name}.")


def _agency(code: str, field: str) -> Agency:
    agency = Agency.objects.filter(code=code.strip()).first()
    if agency is None:
        raise ApiError(400, "bad_input", f"{field}: không có cơ quan mã {code}.")
    return agency


class PlanIn(Schema):
    unit_code: str
    year: int = Field(..., ge=1990, le=2100)
    title: str
    issuer: str
    number: str = ""
    date: dt.date | None = None


@router.post("/par-plans", response={201: PlanOut, **ERRORS}, summary="Ban hành kế hoạch CCHC")
def create_plan(request: HttpRequest, payload: PlanIn) -> Status:
    unit = _unit(payload.unit_code, payload.date or dt.date(max(payload.year, 1), 1, 1))
    _may_write(request.auth, unit)
    with _named():
        plan = services.create_plan(unit=unit, year=payload.year, title=payload.title, issuer=payload.issuer,
                                    number=payload.number, date=payload.date)
    return Status(201, plan)


@router.get("/par-plans/{plan_id}", response={200: PlanOut, **ERRORS}, summary="Một kế hoạch CCHC")
def get_plan(request: HttpRequest, plan_id: int) -> Any:
    plan = services.visible_plans(request.auth.user).filter(pk=plan_id).select_related("unit").first()
    if plan is None:
        raise not_found()
    return plan


class TaskIn(Schema):
    title: str
    area: str
    owner_code: str = ""
    owner_name: str = ""
    co_agency_codes: list[str] = []
    expected_output: str = ""
    deadline_date: dt.date | None = None
    deadline: dt.datetime | None = None
    working_days: int | None = None


@router.post("/par-plans/{plan_id}/tasks", response={201: TaskOut, **ERRORS}, summary="Giao nhiệm vụ")
def create_task(request: HttpRequest, plan_id: int, payload: TaskIn) -> Status:
    plan = services.visible_plans(request.auth.user).filter(pk=plan_id).select_related("unit").first()
    if plan is None:
        raise not_found()
    _may_write(request.auth, plan.unit)
    given = [n for n in ("deadline_date", "deadline", "working_days") if getattr(payload, n) is not None]
    if len(given) != 1:
        raise ApiError(400, "bad_input", "deadline_date, deadline, working_days: cần đúng một cách đặt thời hạn.")
    if payload.deadline_date is not None:
        deadline = services.end_of_working_day(payload.deadline_date, plan.unit)
    elif payload.deadline is not None:
        if timezone.is_naive(payload.deadline):
            raise ApiError(400, "bad_input", "deadline: thời hạn phải có múi giờ, ví dụ 2026-06-30T17:00:00+07:00.")
        deadline = payload.deadline.astimezone(TZ)
    else:
        with _named():
            deadline = services.after_working_days(timezone.now(), payload.working_days or 0, plan.unit)
    owner = _agency(payload.owner_code, "owner_code") if payload.owner_code.strip() else None
    co = [_agency(c, "co_agency_codes") for c in payload.co_agency_codes]
    with _named():
        task = services.add_task(plan, title=payload.title, area=payload.area, deadline=deadline, owner=owner,
                                 owner_name=payload.owner_name, expected_output=payload.expected_output,
                                 co_agencies=co)
    return Status(201, Task.objects.select_related("owner").get(pk=task.pk))


class EventOut(Schema):
    seq: int
    action: str
    at: dt.datetime
    actor: str
    from_status: str
    to_status: str
    note: str
    reason: str


class TaskDetailOut(TaskOut):
    plan_id: int
    expected_output: str
    co_agencies: list[str]
    events: list[EventOut]
    documents: list[str]

    @staticmethod
    def resolve_co_agencies(t: Task) -> list[str]:
        return [a.code for a in t.co_agencies.all()]

    @staticmethod
    def resolve_events(t: Task) -> list[dict]:
        return [{"seq": e.seq, "action": e.action, "at": e.at, "actor": e.actor_label, "from_status": e.from_status,
                 "to_status": e.to_status, "note": e.note, "reason": e.reason} for e in t.events.all()]

    @staticmethod
    def resolve_documents(t: Task) -> list[str]:
        return [d.original_name for d in t.documents.all()]


def _task(caller: Caller, task_id: int) -> Task:
    task = Task.objects.filter(pk=task_id, plan__in=services.visible_plans(caller.user)).select_related(
        "plan", "owner").first()
    if task is None:
        raise not_found()
    return task


@router.get("/par-tasks/{task_id}", response={200: TaskDetailOut, **ERRORS}, summary="Một nhiệm vụ với lịch sử")
def get_task(request: HttpRequest, task_id: int) -> Task:
    return _task(request.auth, task_id)


@router.get("/par-tasks/{task_id}/actions", response={200: dict, **ERRORS},
            summary="Các thao tác người gọi được thực hiện trên nhiệm vụ")
def task_actions(request: HttpRequest, task_id: int) -> dict:
    caller: Caller = request.auth
    task = _task(caller, task_id)
    roles = services.acting_roles(caller.user, task)
    role = token_role(caller)
    if role is not None:
        roles = [r for r in roles if r == role]
    offers = services.TASKS.available(task, roles, timezone.now())
    return {"version": task.version, "actions": [
        {"action": o.action, "label": ACTION_LABELS[Action(o.action)], "role": o.role,
         "required": list(o.required), "optional": [n for n in o.inputs if n not in o.required]} for o in offers]}


class ProcedureIn(Schema):
    unit_code: str
    code: str
    name: str
    field: str = ""
    executing_agency: str = ""
    deciding_agency: str = ""
    steps: int = 0
    documents: str = ""
    time_limit_days: int | None = None
    legal_basis: str = ""


class ProcedureOut(Schema):
    id: int
    unit_code: str
    code: str
    name: str
    field: str
    executing_agency: str
    deciding_agency: str
    steps: int
    documents: str
    time_limit_days: int | None
    legal_basis: str

    @staticmethod
    def resolve_unit_code(p: InternalProcedure) -> str:
        return p.unit.code


def _visible(caller: Caller, qs: Any) -> Any:
    ids = services.visible_units(caller.user)
    return qs if ids is None else qs.filter(unit_id__in=ids)


@router.get("/internal-procedures", response={200: list[ProcedureOut], **ERRORS},
            summary="Danh mục thủ tục hành chính nội bộ")
def list_procedures(request: HttpRequest, unit_code: str = "") -> list:
    qs = _visible(request.auth, InternalProcedure.objects.select_related("unit"))
    return list(qs.filter(unit__code=unit_code) if unit_code else qs[:2000])


@router.post("/internal-procedures", response={201: ProcedureOut, **ERRORS}, summary="Thêm thủ tục nội bộ")
def create_procedure(request: HttpRequest, payload: ProcedureIn) -> Status:
    unit = _unit(payload.unit_code, dt.date.today())
    _may_write(request.auth, unit)
    if payload.steps < 0 or (payload.time_limit_days is not None and payload.time_limit_days < 0):
        raise ApiError(400, "bad_input", "steps, time_limit_days: không được âm.")
    data = payload.dict(exclude={"unit_code", "code", "name"})
    with _named():
        return Status(201, services.add_internal_procedure(unit=unit, code=payload.code, name=payload.name, **data))


class SimplificationPlanIn(Schema):
    unit_code: str
    year: int = Field(..., ge=1990, le=2100)
    title: str
    decision_number: str = ""
    decision_date: dt.date | None = None
    approved_on: dt.date | None = None


class ItemIn(Schema):
    procedure_code: str
    proposal: str
    days_after: int | None = None
    steps_after: int | None = None
    state: str = SimplificationItem.State.PROPOSED


def _splan_out(plan: SimplificationPlan) -> dict:
    items = list(plan.items.select_related("procedure"))
    return {"id": plan.pk, "title": plan.title, "unit": plan.unit.code, "year": plan.year,
            "decision_number": plan.decision_number, "decision_date": plan.decision_date,
            "approved_on": plan.approved_on, **figures.simplification_figures(items),
            "items": [{"code": i.procedure.code, "proposal": i.proposal, "state": i.state,
                       "days_before": i.days_before, "days_after": i.days_after, "steps_before": i.steps_before,
                       "steps_after": i.steps_after, "simplified": i.simplified} for i in items]}


@router.get("/simplification-plans", response={200: list[dict], **ERRORS},
            summary="Phương án đơn giản hóa thủ tục nội bộ")
def list_splans(request: HttpRequest, year: int | None = None) -> list:
    qs = _visible(request.auth, SimplificationPlan.objects.select_related("unit"))
    return [_splan_out(p) for p in (qs.filter(year=year) if year else qs[:500])]


@router.post("/simplification-plans", response={201: dict, **ERRORS}, summary="Lập phương án đơn giản hóa")
def create_splan(request: HttpRequest, payload: SimplificationPlanIn) -> Status:
    unit = _unit(payload.unit_code, payload.decision_date or dt.date(max(payload.year, 1), 1, 1))
    _may_write(request.auth, unit)
    if not payload.title.strip():
        raise ApiError(400, "bad_input", "title: cần nhập tên phương án.")
    plan = services.create_simplification_plan(unit=unit, year=payload.year, title=payload.title.strip(),
                                               decision_number=payload.decision_number,
                                               decision_date=payload.decision_date, approved_on=payload.approved_on)
    return Status(201, _splan_out(plan))


@router.post("/simplification-plans/{plan_id}/items", response={201: dict, **ERRORS},
             summary="Thêm phương án cho một thủ tục nội bộ")
def add_item(request: HttpRequest, plan_id: int, payload: ItemIn) -> Status:
    plan = _visible(request.auth, SimplificationPlan.objects.filter(pk=plan_id)).select_related("unit").first()
    if plan is None:
        raise not_found()
    _may_write(request.auth, plan.unit)
    procedure = InternalProcedure.objects.filter(code=payload.procedure_code.strip(),
                                                 unit_id__in=scoping.descendant_unit_ids(plan.unit)).first()
    procedure = procedure or InternalProcedure.objects.filter(code=payload.procedure_code.strip()).first()
    if procedure is None:
        raise ApiError(400, "bad_input", f"procedure_code: không có thủ tục nội bộ mã {payload.procedure_code}.")
    if plan.items.filter(procedure=procedure).exists():
        raise ApiError(400, "bad_input", f"procedure_code: thủ tục {procedure.code} đã có trong phương án.")
    with _named(), transaction.atomic():
        services.propose(plan, procedure, payload.proposal, days_after=payload.days_after,
                         steps_after=payload.steps_after, state=payload.state)
    return Status(201, _splan_out(plan))
