"""Council supervision in the REST API (under ``/api/oversight``): delegations with their computed
deadlines, sessions, and the lifecycle's actions; the caller sees what its user sees (404 otherwise)."""
from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Header, Router, Schema, Status

from motcua.api.auth import AUTH, Caller
from motcua.api.errors import ApiError, not_found
from motcua.api.oversight import role_for, version
from motcua.api.schemas import Error
from motcua.supervision import deadlines, services
from motcua.supervision.lifecycle import Action
from motcua.supervision.models import Delegation
from motcua.units import scoping

router = Router(tags=["Giám sát của HĐND"], auth=AUTH)
ERRORS = {s: Error for s in (400, 401, 403, 404, 409, 422)}


class DeadlineOut(Schema):
    key: str
    label: str
    due: dt.date
    done: dt.date | None
    state: str


class DelegationOut(Schema):
    code: str
    number: str
    committee: str
    topic: str
    decision_number: str
    decision_date: dt.date
    period_from: dt.date
    period_to: dt.date
    starts_on: dt.date
    ends_on: dt.date
    status: str
    published_at: dt.datetime | None
    version: int
    deadlines: list[DeadlineOut] = []

    @staticmethod
    def resolve_deadlines(d: Delegation) -> list[DeadlineOut]:
        now = timezone.now()
        return [DeadlineOut(key=x.key, label=x.label, due=x.due, done=x.done, state=x.state_at(now))
                for x in deadlines.deadlines(d)]


class ActionIn(Schema):
    note: str = ""
    findings: str = ""
    conclusion: str = ""
    version: int | None = None


class DelegationIn(Schema):
    council_unit_code: str
    committee: str
    number: str = ""
    decision_number: str
    decision_date: dt.date
    topic: str
    scope: str = ""
    period_from: dt.date
    period_to: dt.date
    starts_on: dt.date
    ends_on: dt.date
    unit_codes: list[str] = []
    members: list[tuple[str, str]] = []


class SessionIn(Schema):
    date: dt.date
    unit_code: str
    programme_sent_on: dt.date | None = None
    notes: str = ""


def _get(caller: Caller, code: str) -> Delegation:
    d = services.visible(caller.user, Delegation.objects.filter(code=code)).select_related("council_unit").first()
    if d is None:
        raise not_found()
    return d


@router.get("/delegations", response={200: list[DelegationOut], **ERRORS}, summary="Các đoàn giám sát")
def list_delegations(request: HttpRequest, year: int | None = None) -> list:
    qs = services.visible(request.auth.user)
    return list(qs.filter(decision_date__year=year) if year else qs[:500])


@router.post("/delegations", response={201: DelegationOut, **ERRORS}, summary="Thành lập đoàn giám sát")
def create(request: HttpRequest, payload: DelegationIn) -> Status:
    caller: Caller = request.auth
    if caller.token is not None and caller.token.role != "council":
        raise ApiError(403, "forbidden", "Chỉ mã truy cập vai trò HĐND thành lập đoàn giám sát.")
    units = []
    for code in [payload.council_unit_code, *payload.unit_codes]:
        unit = scoping.resolve_code(code)
        if unit is None:
            raise ApiError(400, "bad_input", f"Không có đơn vị hành chính mã {code}.")
        units.append(unit)
    d = services.create_delegation(
        council_unit=units[0], committee=payload.committee, number=payload.number,
        decision_number=payload.decision_number, decision_date=payload.decision_date, topic=payload.topic,
        scope=payload.scope, period_from=payload.period_from, period_to=payload.period_to,
        starts_on=payload.starts_on, ends_on=payload.ends_on, units=units[1:], members=payload.members,
        actor=caller.user)
    return Status(201, d)


@router.get("/delegations/{code}", response={200: DelegationOut, **ERRORS}, summary="Một đoàn giám sát")
def get_delegation(request: HttpRequest, code: str) -> Delegation:
    return _get(request.auth, code)


@router.post("/delegations/{code}/actions/{action}", response={200: DelegationOut, **ERRORS},
             summary="Thao tác của đoàn giám sát")
def act(request: HttpRequest, code: str, action: Action, payload: ActionIn | None = None,
        if_match: str | None = Header(None, alias="If-Match")) -> Delegation:
    caller: Caller = request.auth
    d = _get(caller, code)
    payload = payload or ActionIn()
    services.perform(d, action, actor=caller.user, role=role_for(caller, d, services.acting_roles),
                     expected_version=version(if_match, payload.version), note=payload.note,
                     findings=payload.findings, conclusion=payload.conclusion)
    return _get(caller, code)


@router.post("/delegations/{code}/sessions", response={201: DelegationOut, **ERRORS}, summary="Thêm buổi làm việc")
def add_session(request: HttpRequest, code: str, payload: SessionIn) -> Status:
    caller: Caller = request.auth
    d = _get(caller, code)
    role_for(caller, d, services.acting_roles)
    unit = scoping.resolve_code(payload.unit_code)
    if unit is None:
        raise ApiError(400, "bad_input", f"Không có đơn vị hành chính mã {payload.unit_code}.")
    services.add_session(d, date=payload.date, unit=unit, programme_sent_on=payload.programme_sent_on,
                         notes=payload.notes, actor=caller.user)
    return Status(201, _get(caller, code))
