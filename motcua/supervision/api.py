"""Council supervision in the REST API (under ``/api/oversight``): programmes, delegations with their
computed deadlines, members, bodies, sessions and reports, the lifecycle's actions, the records the
deadlines wait for, and publication; the caller sees what its user sees (404 otherwise), errors are
``{code, message}``, a token writes only with the ``council`` role."""
from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Header, Query, Router, Schema, Status

from motcua.api.auth import AUTH, Caller
from motcua.api.errors import ApiError, not_found
from motcua.api.oversight import role_for, version
from motcua.api.schemas import Error
from motcua.supervision import deadlines, services
from motcua.supervision.lifecycle import Action
from motcua.supervision.models import Delegation, Programme, Report, Session
from motcua.units import scoping
from motcua.units.models import AdministrativeUnit

router = Router(tags=["Giám sát của HĐND"], auth=AUTH)
ERRORS = {s: Error for s in (400, 401, 403, 404, 409, 422)}


class DeadlineOut(Schema):
    key: str
    label: str
    due: dt.date
    done: dt.date | None
    state: str


class MemberOut(Schema):
    name: str
    position: str


class SessionOut(Schema):
    id: int
    date: dt.date
    unit_code: str
    unit_name: str
    agency_code: str | None
    programme_sent_on: dt.date | None
    notes: str

    @staticmethod
    def resolve_unit_code(s: Session) -> str:
        return s.unit.code

    @staticmethod
    def resolve_unit_name(s: Session) -> str:
        return s.unit.name

    @staticmethod
    def resolve_agency_code(s: Session) -> str | None:
        return s.agency.code if s.agency_id else None


class ReportOut(Schema):
    id: int
    date: dt.date
    findings: str
    sent_at: dt.datetime | None
    published_at: dt.datetime | None


class ProgrammeOut(Schema):
    id: int
    council_unit_code: str
    year: int
    title: str
    resolution_number: str
    resolution_date: dt.date | None
    adopted_on: dt.date | None
    proposals_deadline: dt.date
    published_at: dt.datetime | None

    @staticmethod
    def resolve_council_unit_code(p: Programme) -> str:
        return p.council_unit.code


class DelegationOut(Schema):
    code: str
    programme_id: int | None
    council_unit_code: str
    number: str
    committee: str
    topic: str
    scope: str
    subject: str
    decision_number: str
    decision_date: dt.date
    period_from: dt.date
    period_to: dt.date
    starts_on: dt.date
    ends_on: dt.date
    unit_codes: list[str] = []
    members: list[MemberOut] = []
    plan_sent_on: dt.date | None
    reported_on: dt.date | None
    status: str
    conclusion: str
    published_at: dt.datetime | None
    version: int
    deadlines: list[DeadlineOut] = []

    @staticmethod
    def resolve_council_unit_code(d: Delegation) -> str:
        return d.council_unit.code

    @staticmethod
    def resolve_unit_codes(d: Delegation) -> list[str]:
        return [u.code for u in d.units.all()]

    @staticmethod
    def resolve_members(d: Delegation) -> list[MemberOut]:
        return [MemberOut(name=m.name, position=m.position) for m in d.members.all()]

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


class ProgrammeIn(Schema):
    council_unit_code: str
    year: int
    title: str
    resolution_number: str = ""
    resolution_date: dt.date | None = None
    adopted_on: dt.date | None = None


class DelegationIn(Schema):
    council_unit_code: str
    programme_id: int | None = None
    committee: str
    number: str = ""
    decision_number: str
    decision_date: dt.date
    topic: str
    scope: str = ""
    subject: str = ""
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


class DateIn(Schema):
    date: dt.date


def _unit(code: str, day: dt.date | None, field: str) -> AdministrativeUnit:
    unit = scoping.resolve_code(code, day)
    if unit is None:
        raise ApiError(400, "bad_input", f"{field}: không có đơn vị hành chính mã {code}.")
    return unit


def _council_token(caller: Caller, what: str) -> None:
    if caller.token is not None and caller.token.role != "council":
        raise ApiError(403, "forbidden", f"Chỉ mã truy cập vai trò HĐND {what}.")


def _get(caller: Caller, code: str) -> Delegation:
    d = (services.visible(caller.user, Delegation.objects.filter(code=code[:30]))
         .select_related("council_unit").prefetch_related("units", "members", "sessions").first())
    if d is None:
        raise not_found()
    return d


def _programme(caller: Caller, pk: int) -> Programme:
    p = services.visible_programmes(caller.user).filter(pk=pk).select_related("council_unit").first()
    if p is None:
        raise not_found()
    return p


@router.get("/programmes", response={200: list[ProgrammeOut], **ERRORS}, summary="Chương trình giám sát")
def list_programmes(request: HttpRequest, year: int | None = None) -> list:
    qs = services.visible_programmes(request.auth.user).select_related("council_unit")
    return list(qs.filter(year=year) if year else qs[:500])


@router.post("/programmes", response={201: ProgrammeOut, **ERRORS}, summary="Thêm chương trình giám sát")
def create_programme(request: HttpRequest, payload: ProgrammeIn) -> Status:
    caller: Caller = request.auth
    _council_token(caller, "thêm chương trình giám sát")
    p = services.create_programme(
        council_unit=_unit(payload.council_unit_code, None, "council_unit_code"), year=payload.year,
        title=payload.title, resolution_number=payload.resolution_number, resolution_date=payload.resolution_date,
        adopted_on=payload.adopted_on, actor=caller.user)
    return Status(201, p)


@router.post("/programmes/{pk}/publish", response={200: ProgrammeOut, **ERRORS}, summary="Công khai chương trình")
def publish_programme(request: HttpRequest, pk: int) -> Programme:
    caller: Caller = request.auth
    _council_token(caller, "công khai chương trình giám sát")
    return services.publish_programme(_programme(caller, pk), actor=caller.user)


@router.get("/delegations", response={200: list[DelegationOut], **ERRORS}, summary="Các đoàn giám sát")
def list_delegations(request: HttpRequest, year: int | None = Query(None, ge=1990, le=2100),
                     status: str | None = None) -> list:
    qs = services.visible(request.auth.user).select_related("council_unit").prefetch_related(
        "units", "members", "sessions")
    if year:
        qs = qs.filter(decision_date__year=year)
    if status:
        qs = qs.filter(status=status)
    return list(qs[:500])


@router.post("/delegations", response={201: DelegationOut, **ERRORS}, summary="Thành lập đoàn giám sát")
def create(request: HttpRequest, payload: DelegationIn) -> Status:
    caller: Caller = request.auth
    _council_token(caller, "thành lập đoàn giám sát")
    day = payload.decision_date
    council_unit = _unit(payload.council_unit_code, day, "council_unit_code")
    units = [_unit(code, day, "unit_codes") for code in payload.unit_codes]
    programme = None
    if payload.programme_id is not None:
        programme = services.visible_programmes(caller.user).filter(pk=payload.programme_id).first()
        if programme is None:
            raise ApiError(400, "bad_input", f"programme_id: không có chương trình giám sát {payload.programme_id}.")
    d = services.create_delegation(
        council_unit=council_unit, programme=programme, committee=payload.committee, number=payload.number,
        decision_number=payload.decision_number, decision_date=day, topic=payload.topic, scope=payload.scope,
        subject=payload.subject, period_from=payload.period_from, period_to=payload.period_to,
        starts_on=payload.starts_on, ends_on=payload.ends_on, units=units, members=payload.members,
        actor=caller.user)
    return Status(201, _get(caller, d.code))


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


@router.get("/delegations/{code}/sessions", response={200: list[SessionOut], **ERRORS}, summary="Các buổi làm việc")
def list_sessions(request: HttpRequest, code: str) -> list:
    return list(_get(request.auth, code).sessions.select_related("unit", "agency"))


@router.post("/delegations/{code}/sessions", response={201: DelegationOut, **ERRORS}, summary="Thêm buổi làm việc")
def add_session(request: HttpRequest, code: str, payload: SessionIn) -> Status:
    caller: Caller = request.auth
    d = _get(caller, code)
    role_for(caller, d, services.acting_roles)
    services.add_session(d, date=payload.date, unit=_unit(payload.unit_code, payload.date, "unit_code"),
                         programme_sent_on=payload.programme_sent_on, notes=payload.notes, actor=caller.user)
    return Status(201, _get(caller, code))


@router.post("/delegations/{code}/sessions/{pk}/programme-sent", response={200: DelegationOut, **ERRORS},
             summary="Ghi nhận ngày gửi chương trình, thành phần đoàn")
def programme_sent(request: HttpRequest, code: str, pk: int, payload: DateIn) -> Delegation:
    caller: Caller = request.auth
    d = _get(caller, code)
    role_for(caller, d, services.acting_roles)
    session = Session.objects.filter(delegation=d, pk=pk).select_related("delegation__council_unit").first()
    if session is None:
        raise not_found()
    services.record_programme_sent(session, payload.date, actor=caller.user)
    return _get(caller, code)


@router.post("/delegations/{code}/plan-sent", response={200: DelegationOut, **ERRORS},
             summary="Ghi nhận ngày gửi nội dung, kế hoạch, đề cương báo cáo")
def plan_sent(request: HttpRequest, code: str, payload: DateIn) -> Delegation:
    caller: Caller = request.auth
    d = _get(caller, code)
    role_for(caller, d, services.acting_roles)
    services.record_plan_sent(d, payload.date, actor=caller.user)
    return _get(caller, code)


@router.get("/delegations/{code}/reports", response={200: list[ReportOut], **ERRORS},
            summary="Báo cáo kết quả giám sát")
def list_reports(request: HttpRequest, code: str) -> list[Report]:
    return list(_get(request.auth, code).reports.all())


@router.post("/delegations/{code}/publish", response={200: DelegationOut, **ERRORS},
             summary="Công khai (Điều 89)")
def publish(request: HttpRequest, code: str) -> Delegation:
    caller: Caller = request.auth
    d = _get(caller, code)
    role_for(caller, d, services.acting_roles)
    services.publish(d, actor=caller.user)
    return _get(caller, code)
