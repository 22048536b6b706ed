"""Inspections in the REST API (under ``/api/oversight``): plans with their targets and coverage,
inspections with their team, findings and evidence. The caller sees what its user sees (404
otherwise) and writes as an inspector where its user is one for the unit concerned (a token only
with the inspector role). Errors are ``{code, message}``; a bad value names its field.
Recommendations from a finding are made through ``/api/oversight/recommendations`` with
``source = "inspections.finding:<id>"``."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from django.db import transaction
from django.http import HttpRequest
from ninja import Field, Header, Query, Router, Schema, Status

from motcua.api.auth import AUTH, Caller
from motcua.api.errors import ApiError, not_found
from motcua.api.oversight import role_for, token_role, version
from motcua.api.schemas import Error
from motcua.inspections import evidence, figures, services
from motcua.inspections.lifecycle import Action
from motcua.inspections.lifecycle import Status as InspectionStatus
from motcua.inspections.models import Inspection, InspectionPlan, PlanTarget, TeamMember
from motcua.statemachine import InvalidInput
from motcua.units import scoping
from motcua.units.models import AdministrativeUnit, Agency

router = Router(tags=["Kiểm tra công vụ"], auth=AUTH)
ERRORS = {s: Error for s in (400, 401, 403, 404, 409, 422)}
T = TypeVar("T")

# The services' field names → the payloads' keys, so that a refusal names the key the caller sent.
API_FIELDS = {"unit": "unit_code", "agency": "agency_code", "follows": "follows_code", "name": "name"}


class TeamMemberIO(Schema):
    name: str
    position: str = ""
    team_role: TeamMember.TeamRole = TeamMember.TeamRole.MEMBER


class FindingOut(Schema):
    id: int
    theme: str
    description: str
    severity: str
    people_concerned: str
    recorded_at: dt.datetime


class EvidenceOut(Schema):
    kind: str
    parameters: dict
    summary: dict
    url: str
    computed_at: dt.datetime


class InspectionOut(Schema):
    code: str
    topic: str
    kind: str
    status: str
    plan_id: int | None
    target_id: int | None
    follows_code: str | None = None
    unit_code: str = Field(..., alias="unit.code")
    agency_code: str | None = None
    target: str = Field(..., alias="target_label")
    decision_number: str
    decision_date: dt.date | None
    decision_issuer: str
    period_from: dt.date
    period_to: dt.date
    starts_on: dt.date
    ends_on: dt.date
    conclusion: str
    version: int
    team: list[TeamMemberIO] = []
    findings: list[FindingOut] = []

    @staticmethod
    def resolve_follows_code(i: Inspection) -> str | None:
        return i.follows.code if i.follows_id else None

    @staticmethod
    def resolve_agency_code(i: Inspection) -> str | None:
        return i.agency.code if i.agency_id else None

    @staticmethod
    def resolve_team(i: Inspection) -> list:
        return list(i.team.all())

    @staticmethod
    def resolve_findings(i: Inspection) -> list:
        return list(i.findings.all())


class InspectionIn(Schema):
    topic: str
    unit_code: str | None = Field(None, description="Đơn vị được kiểm tra (không cần khi có target_id)")
    agency_code: str | None = None
    target_id: int | None = Field(None, description="Đối tượng của một kế hoạch")
    target_name: str = ""
    kind: str = "planned"
    follows_code: str | None = Field(None, description="Cuộc kiểm tra trước (khi kiểm tra lại)")
    period_from: dt.date
    period_to: dt.date
    starts_on: dt.date
    ends_on: dt.date
    decision_number: str = ""
    decision_date: dt.date | None = None
    decision_issuer: str = ""
    team: list[TeamMemberIO] = []


class ActionIn(Schema):
    note: str = ""
    reason: str = ""
    conclusion: str = ""
    version: int | None = None


class FindingIn(Schema):
    theme: str
    description: str
    severity: str = "shortcoming"
    people_concerned: str = ""


class TargetOut(Schema):
    id: int
    population: str
    kind: str
    unit_code: str | None = None
    agency_code: str | None = None
    name: str = Field(..., alias="label")

    @staticmethod
    def resolve_unit_code(t: PlanTarget) -> str | None:
        return t.unit.code if t.unit_id else None

    @staticmethod
    def resolve_agency_code(t: PlanTarget) -> str | None:
        return t.agency.code if t.agency_id else None


class CoverageOut(Schema):
    population: str
    planned: int
    inspected: int
    percent: int | None


class PlanOut(Schema):
    id: int
    year: int
    title: str
    issuer: str
    decision_number: str
    decision_date: dt.date | None
    unit_code: str = Field(..., alias="unit.code")
    themes: str


class PlanDetailOut(PlanOut):
    targets: list[TargetOut] = []
    coverage: list[CoverageOut] = []

    @staticmethod
    def resolve_targets(plan: InspectionPlan) -> list:
        return list(plan.targets.select_related("unit", "agency"))

    @staticmethod
    def resolve_coverage(plan: InspectionPlan) -> list:
        return figures.coverage_of(plan.targets.all(), Inspection.objects.filter(status=InspectionStatus.CONCLUDED))


class PlanIn(Schema):
    year: int = Field(..., ge=1990, le=2100)
    title: str
    issuer: str
    unit_code: str
    decision_number: str = ""
    decision_date: dt.date | None = None
    themes: str = ""


class TargetIn(Schema):
    population: str
    unit_code: str | None = None
    agency_code: str | None = None
    name: str = ""
    kind: PlanTarget.Kind | None = None


def _named(call: Callable[[], T]) -> T:
    """Run a service; a refusal of a field names the payload's key."""
    try:
        return call()
    except InvalidInput as exc:
        if exc.field:
            raise ApiError(400, exc.code, f"{API_FIELDS.get(exc.field, exc.field)}: {exc.message}") from exc
        raise


def _require_inspector_token(caller: Caller) -> None:
    if token_role(caller) not in (None, "inspector"):
        raise ApiError(403, "forbidden", "Chỉ mã truy cập vai trò thanh tra được ghi dữ liệu kiểm tra.")


def _unit(code: str | None, field: str) -> AdministrativeUnit | None:
    if not code:
        return None
    unit = scoping.resolve_code(code.strip())
    if unit is None:
        raise ApiError(400, "bad_input", f"{field}: không có đơn vị hành chính mã {code}.")
    return unit


def _agency(code: str | None, field: str = "agency_code") -> Agency | None:
    if not code:
        return None
    agency = Agency.objects.filter(code=code.strip()).first()
    if agency is None:
        raise ApiError(400, "bad_input", f"{field}: không có cơ quan mã {code}.")
    return agency


def _get(caller: Caller, code: str) -> Inspection:
    i = services.visible(caller.user, Inspection.objects.filter(code=code)).select_related(
        "unit", "agency", "follows").first()
    if i is None:
        raise not_found()
    return i


def _plan(caller: Caller, pk: int) -> InspectionPlan:
    plan = services.visible_plans(caller.user).filter(pk=pk).select_related("unit").first()
    if plan is None:
        raise not_found()
    return plan


# --- plans ---------------------------------------------------------------------------------------------

@router.get("/inspection-plans", response={200: list[PlanOut], **ERRORS}, summary="Kế hoạch kiểm tra công vụ")
def list_plans(request: HttpRequest, year: int | None = None) -> list:
    qs = services.visible_plans(request.auth.user).select_related("unit")
    return list(qs.filter(year=year) if year else qs)


@router.get("/inspection-plans/{pk}", response={200: PlanDetailOut, **ERRORS},
            summary="Một kế hoạch: đối tượng và độ bao phủ theo nhóm")
def get_plan(request: HttpRequest, pk: int) -> InspectionPlan:
    return _plan(request.auth, pk)


@router.post("/inspection-plans", response={201: PlanOut, **ERRORS}, summary="Lập kế hoạch kiểm tra")
def create_plan(request: HttpRequest, payload: PlanIn) -> Status:
    caller: Caller = request.auth
    _require_inspector_token(caller)
    unit = _unit(payload.unit_code, "unit_code")
    plan = _named(lambda: services.create_plan(
        year=payload.year, title=payload.title, issuer=payload.issuer, unit=unit,
        decision_number=payload.decision_number, decision_date=payload.decision_date, themes=payload.themes,
        actor=caller.user))
    return Status(201, plan)


@router.post("/inspection-plans/{pk}/targets", response={201: TargetOut, **ERRORS},
             summary="Thêm đối tượng vào kế hoạch")
def add_target(request: HttpRequest, pk: int, payload: TargetIn) -> Status:
    caller: Caller = request.auth
    _require_inspector_token(caller)
    plan = _plan(caller, pk)
    if not services.inspector_covers(caller.user, plan.unit):
        raise ApiError(403, "forbidden", f"Chỉ thanh tra có phạm vi gồm {plan.unit.name} được sửa kế hoạch.")
    target = _named(lambda: services.add_target(
        plan, population=payload.population, unit=_unit(payload.unit_code, "unit_code"),
        agency=_agency(payload.agency_code), name=payload.name, kind=payload.kind, actor=caller.user))
    return Status(201, target)


# --- inspections ---------------------------------------------------------------------------------------

@router.get("/inspections", response={200: list[InspectionOut], **ERRORS}, summary="Các cuộc kiểm tra")
def list_inspections(request: HttpRequest, year: int | None = Query(None, ge=1990, le=2100), status: str | None = None,
                     kind: str | None = None, unit: str | None = None, plan_id: int | None = None) -> list:
    qs = services.visible(request.auth.user).select_related("unit", "agency", "follows")
    if year:
        qs = qs.filter(starts_on__year=year)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if unit:
        qs = qs.filter(unit__code=unit)
    if plan_id:
        qs = qs.filter(plan_id=plan_id)
    return list(qs.prefetch_related("team", "findings")[:500])


@router.get("/inspections/{code}", response={200: InspectionOut, **ERRORS}, summary="Một cuộc kiểm tra")
def get_inspection(request: HttpRequest, code: str) -> Inspection:
    return _get(request.auth, code)


@router.post("/inspections", response={201: InspectionOut, **ERRORS}, summary="Lập cuộc kiểm tra")
def create(request: HttpRequest, payload: InspectionIn) -> Status:
    caller: Caller = request.auth
    _require_inspector_token(caller)
    target = None
    if payload.target_id is not None:
        target = PlanTarget.objects.filter(pk=payload.target_id, plan__in=services.visible_plans(caller.user)).first()
        if target is None:
            raise ApiError(400, "bad_input", f"target_id: không có đối tượng kế hoạch số {payload.target_id}.")
    follows = None
    if payload.follows_code:
        follows = services.visible(caller.user, Inspection.objects.filter(code=payload.follows_code)).first()
        if follows is None:
            raise ApiError(400, "bad_input", f"follows_code: không có cuộc kiểm tra mã {payload.follows_code}.")
    unit, agency = _unit(payload.unit_code, "unit_code"), _agency(payload.agency_code)
    team = [(m.name, m.position, m.team_role) for m in payload.team]
    if any(not name.strip() for name, _p, _r in team):
        raise ApiError(400, "bad_input", "team: mỗi thành viên đoàn cần có họ tên.")
    with transaction.atomic():
        i = _named(lambda: services.plan_inspection(
            topic=payload.topic, unit=unit, agency=agency, target=target, target_name=payload.target_name,
            kind=payload.kind, follows=follows, period_from=payload.period_from, period_to=payload.period_to,
            starts_on=payload.starts_on, ends_on=payload.ends_on, decision_number=payload.decision_number,
            decision_date=payload.decision_date, decision_issuer=payload.decision_issuer, team=team,
            actor=caller.user))
    return Status(201, _get(caller, i.code))


@router.post("/inspections/{code}/actions/{action}", response={200: InspectionOut, **ERRORS},
             summary="Thao tác trên cuộc kiểm tra (bắt đầu, kết luận, hủy)")
def act(request: HttpRequest, code: str, action: Action, payload: ActionIn | None = None,
        if_match: str | None = Header(None, alias="If-Match")) -> Inspection:
    caller: Caller = request.auth
    i = _get(caller, code)
    payload = payload or ActionIn()
    services.perform(i, action, actor=caller.user, role=role_for(caller, i, services.acting_roles),
                     expected_version=version(if_match, payload.version), note=payload.note, reason=payload.reason,
                     conclusion=payload.conclusion)
    return _get(caller, code)


@router.get("/inspections/{code}/findings", response={200: list[FindingOut], **ERRORS}, summary="Các phát hiện")
def list_findings(request: HttpRequest, code: str) -> list:
    return list(_get(request.auth, code).findings.all())


@router.post("/inspections/{code}/findings", response={201: FindingOut, **ERRORS}, summary="Ghi nhận phát hiện")
def add_finding(request: HttpRequest, code: str, payload: FindingIn) -> Status:
    caller: Caller = request.auth
    i = _get(caller, code)
    role_for(caller, i, services.acting_roles)
    finding = _named(lambda: services.record_finding(
        i, theme=payload.theme, description=payload.description, severity=payload.severity,
        people_concerned=payload.people_concerned, actor=caller.user))
    return Status(201, finding)


@router.get("/inspections/{code}/evidence", response={200: list[EvidenceOut], **ERRORS},
            summary="Bằng chứng đã đính kèm (số liệu lưu lúc tính)")
def list_evidence(request: HttpRequest, code: str) -> list:
    return list(_get(request.auth, code).evidence.order_by("-computed_at", "pk"))


@router.post("/inspections/{code}/evidence", response={200: dict, **ERRORS},
             summary="Đính kèm bằng chứng từ dữ liệu hệ thống")
def attach(request: HttpRequest, code: str) -> dict:
    caller: Caller = request.auth
    i = _get(caller, code)
    role_for(caller, i, services.acting_roles)
    made = evidence.attach_all(i, actor=caller.user)
    return {e.kind: e.summary for e in made}
