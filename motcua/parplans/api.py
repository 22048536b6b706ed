"""PAR plans in the REST API (under ``/api/oversight``): plans, their tasks with the overdue state
computed now, the tasks' lifecycle actions, internal procedures and simplification figures."""
from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Header, Router, Schema

from motcua.api.auth import AUTH, Caller
from motcua.api.errors import not_found
from motcua.api.oversight import role_for, version
from motcua.api.schemas import Error
from motcua.parplans import figures, services
from motcua.parplans.lifecycle import Action
from motcua.parplans.models import ParPlan, SimplificationPlan, Task

router = Router(tags=["Kế hoạch CCHC, thủ tục nội bộ"], auth=AUTH)
ERRORS = {s: Error for s in (400, 401, 403, 404, 409, 422)}


class TaskOut(Schema):
    id: int
    title: str
    area: str
    owner: str
    deadline: dt.datetime
    status: str
    overdue: bool
    completed_at: dt.datetime | None
    evidence: str
    version: int

    @staticmethod
    def resolve_owner(t: Task) -> str:
        return t.owner_label

    @staticmethod
    def resolve_overdue(t: Task) -> bool:
        return t.overdue_at(timezone.now())


class PlanOut(Schema):
    id: int
    unit_code: str
    year: int
    title: str
    figures: dict

    @staticmethod
    def resolve_unit_code(p: ParPlan) -> str:
        return p.unit.code

    @staticmethod
    def resolve_figures(p: ParPlan) -> dict:
        return figures.task_figures(list(p.tasks.select_related("owner")), timezone.now())


class ActionIn(Schema):
    note: str = ""
    reason: str = ""
    evidence: str = ""
    version: int | None = None


@router.get("/par-plans", response={200: list[PlanOut], **ERRORS}, summary="Kế hoạch CCHC")
def list_plans(request: HttpRequest) -> list:
    return list(services.visible_plans(request.auth.user).select_related("unit"))


@router.get("/par-plans/{plan_id}/tasks", response={200: list[TaskOut], **ERRORS}, summary="Nhiệm vụ của kế hoạch")
def list_tasks(request: HttpRequest, plan_id: int, state: str = "") -> list:
    plan = services.visible_plans(request.auth.user).filter(pk=plan_id).first()
    if plan is None:
        raise not_found()
    return list(services.tasks_filter(plan.tasks.select_related("owner"), state, timezone.now()))


@router.post("/par-tasks/{task_id}/actions/{action}", response={200: TaskOut, **ERRORS},
             summary="Thao tác trên nhiệm vụ")
def act(request: HttpRequest, task_id: int, action: Action, payload: ActionIn | None = None,
        if_match: str | None = Header(None, alias="If-Match")) -> Task:
    caller: Caller = request.auth
    task = Task.objects.filter(pk=task_id, plan__in=services.visible_plans(caller.user)).select_related("plan").first()
    if task is None:
        raise not_found()
    payload = payload or ActionIn()
    services.perform(task, action, actor=caller.user, role=role_for(caller, task, services.acting_roles),
                     expected_version=version(if_match, payload.version), note=payload.note, reason=payload.reason,
                     evidence=payload.evidence)
    return Task.objects.select_related("owner").get(pk=task.pk)


@router.get("/simplification-plans/{plan_id}", response={200: dict, **ERRORS},
            summary="Phương án đơn giản hóa thủ tục nội bộ")
def simplification(request: HttpRequest, plan_id: int) -> dict:
    ids = services.visible_units(request.auth.user)
    qs = SimplificationPlan.objects.filter(pk=plan_id)
    plan = (qs if ids is None else qs.filter(unit_id__in=ids)).first()
    if plan is None:
        raise not_found()
    items = list(plan.items.select_related("procedure"))
    return {"title": plan.title, "unit": plan.unit.code, "year": plan.year, **figures.simplification_figures(items),
            "items": [{"code": i.procedure.code, "proposal": i.proposal, "state": i.state} for i in items]}


from motcua.parplans import api_registers  # noqa: E402, F401  (its endpoints join this router)
