"""Inspections in the REST API (under ``/api/oversight``): the caller sees what its user sees
(404 otherwise), acts as an inspector where its user is one for the inspected unit."""
from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Header, Router, Schema, Status

from motcua.api.auth import AUTH, Caller
from motcua.api.errors import ApiError, not_found
from motcua.api.oversight import role_for, version
from motcua.api.schemas import Error
from motcua.inspections import evidence, services
from motcua.inspections.lifecycle import Action
from motcua.inspections.models import Inspection
from motcua.units import scoping
from motcua.units.models import Agency

router = Router(tags=["Kiểm tra công vụ"], auth=AUTH)
ERRORS = {s: Error for s in (400, 401, 403, 404, 409, 422)}


class FindingOut(Schema):
    id: int
    theme: str
    description: str
    severity: str


class InspectionOut(Schema):
    code: str
    topic: str
    kind: str
    status: str
    unit_code: str = Field(..., alias="unit.code")
    target: str = Field(..., alias="target_label")
    period_from: dt.date
    period_to: dt.date
    starts_on: dt.date
    ends_on: dt.date
    conclusion: str
    version: int
    findings: list[FindingOut] = []

    @staticmethod
    def resolve_findings(i: Inspection) -> list:
        return list(i.findings.all())


class InspectionIn(Schema):
    topic: str
    unit_code: str
    agency_code: str | None = None
    kind: str = "planned"
    period_from: dt.date
    period_to: dt.date
    starts_on: dt.date
    ends_on: dt.date
    decision_number: str = ""


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


def _get(caller: Caller, code: str) -> Inspection:
    i = services.visible(caller.user, Inspection.objects.filter(code=code)).select_related("unit", "agency").first()
    if i is None:
        raise not_found()
    return i


@router.get("/inspections", response={200: list[InspectionOut], **ERRORS}, summary="Các cuộc kiểm tra")
def list_inspections(request: HttpRequest, year: int | None = None, status: str | None = None) -> list:
    qs = services.visible(request.auth.user).select_related("unit", "agency")
    if year:
        qs = qs.filter(starts_on__year=year)
    if status:
        qs = qs.filter(status=status)
    return list(qs[:500])


@router.get("/inspections/{code}", response={200: InspectionOut, **ERRORS}, summary="Một cuộc kiểm tra")
def get_inspection(request: HttpRequest, code: str) -> Inspection:
    return _get(request.auth, code)


@router.post("/inspections", response={201: InspectionOut, **ERRORS}, summary="Lập cuộc kiểm tra")
def create(request: HttpRequest, payload: InspectionIn) -> Status:
    caller: Caller = request.auth
    if caller.token is not None and caller.token.role != "inspector":
        raise ApiError(403, "forbidden", "Chỉ mã truy cập vai trò thanh tra lập cuộc kiểm tra.")
    unit = scoping.resolve_code(payload.unit_code)
    if unit is None:
        raise ApiError(400, "bad_input", f"Không có đơn vị hành chính mã {payload.unit_code}.")
    agency = Agency.objects.filter(code=payload.agency_code).first() if payload.agency_code else None
    if payload.agency_code and agency is None:
        raise ApiError(400, "bad_input", f"Không có cơ quan mã {payload.agency_code}.")
    i = services.plan_inspection(topic=payload.topic, unit=unit, agency=agency, kind=payload.kind,
                                 period_from=payload.period_from, period_to=payload.period_to,
                                 starts_on=payload.starts_on, ends_on=payload.ends_on,
                                 decision_number=payload.decision_number, actor=caller.user)

    return Status(201, i)


@router.post("/inspections/{code}/actions/{action}", response={200: InspectionOut, **ERRORS},
             summary="Thao tác trên cuộc kiểm tra")
def act(request: HttpRequest, code: str, action: Action, payload: ActionIn | None = None,
        if_match: str | None = Header(None, alias="If-Match")) -> Inspection:
    caller: Caller = request.auth
    i = _get(caller, code)
    payload = payload or ActionIn()
    services.perform(i, action, actor=caller.user, role=role_for(caller, i, services.acting_roles),
                     expected_version=version(if_match, payload.version), note=payload.note, reason=payload.reason,
                     conclusion=payload.conclusion)
    return _get(caller, code)


@router.post("/inspections/{code}/findings", response={201: FindingOut, **ERRORS}, summary="Ghi nhận phát hiện")
def add_finding(request: HttpRequest, code: str, payload: FindingIn) -> Status:
    caller: Caller = request.auth
    i = _get(caller, code)
    role_for(caller, i, services.acting_roles)
    finding = services.record_finding(i, theme=payload.theme, description=payload.description,
                                      severity=payload.severity, people_concerned=payload.people_concerned,
                                      actor=caller.user)

    return Status(201, finding)


@router.post("/inspections/{code}/evidence", response={200: dict, **ERRORS},
             summary="Đính kèm bằng chứng từ dữ liệu hệ thống")
def attach(request: HttpRequest, code: str) -> dict:
    caller: Caller = request.auth
    i = _get(caller, code)
    role_for(caller, i, services.acting_roles)
    made = evidence.attach_all(i, actor=caller.user)
    return {e.kind: e.summary for e in made}
