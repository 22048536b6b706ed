"""The follow-up register in the REST API (under ``/api/oversight``), with the dossiers' conventions:
the caller sees what its user sees (``policy.visible``), acts with its user's acting roles (a token:
its own role, where the user holds it), sends the version it read (``If-Match`` or ``version``),
and every refusal is ``{code, message}`` with the lifecycle's status (400, 403, 404, 409).
Documents are attached on the screens (multipart); the API records the answers' text."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Header, Query, Router, Schema, Status

from motcua.api.auth import AUTH, Caller
from motcua.api.errors import ApiError, not_found
from motcua.api.schemas import Error
from motcua.followup import policy, services
from motcua.followup.lifecycle import ACTION_LABELS, ISSUER_ROLES, Action
from motcua.followup.models import Recommendation, SourceKind, State
from motcua.units import scoping
from motcua.units.models import AdministrativeUnit, Agency

router = Router(tags=["Theo dõi kiến nghị"], auth=AUTH)
ERRORS = {status: Error for status in (400, 401, 403, 404, 409, 422)}


class RecommendationOut(Schema):
    code: str
    title: str
    text: str
    source_kind: str
    source_label: str
    issuer_name: str
    addressee_unit_code: str = Field(..., alias="addressee_unit.code")
    addressee_unit_name: str = Field(..., alias="addressee_unit.name")
    addressee_agency_code: str | None = None
    deadline: dt.datetime
    status: str
    state: str
    closed_at: dt.datetime | None
    published: bool
    version: int

    @staticmethod
    def resolve_addressee_agency_code(rec: Recommendation) -> str | None:
        return rec.addressee_agency.code if rec.addressee_agency_id else None

    @staticmethod
    def resolve_state(rec: Recommendation) -> str:
        return getattr(rec, "state", None) or rec.state_at(timezone.now()).value


class RecommendationPage(Schema):
    count: int
    results: list[RecommendationOut]


class Filters(Schema):
    state: State | None = None
    kind: SourceKind | None = None
    unit: str | None = Field(None, description="Mã đơn vị được kiến nghị")
    page: int = Field(1, ge=1, le=1_000_000)


class RecommendationIn(Schema):
    addressee_unit_code: str
    addressee_agency_code: str | None = None
    title: str = ""
    text: str
    deadline: dt.datetime
    deadline_basis: str = ""
    issuer_name: str = ""
    published: bool = False
    source: str | None = Field(None, description="Nguồn: app_label.model:id (ví dụ inspections.finding:12)")


class ActionIn(Schema):
    note: str = ""
    reason: str = ""
    new_deadline: dt.datetime | None = None
    version: int | None = None


class EventOut(Schema):
    seq: int
    action: str
    at: dt.datetime
    actor: str = Field(..., alias="actor_label")
    from_status: str
    to_status: str
    note: str
    reason: str
    payload: dict


class OfferOut(Schema):
    action: str
    label: str
    role: str
    required: list[str]


def _rec(caller: Caller, code: str) -> Recommendation:
    rec = policy.visible(caller.user, Recommendation.objects.filter(code=code)).select_related(
        "addressee_unit", "addressee_agency").first()
    if rec is None:
        raise not_found()
    return rec


@router.get("/recommendations", response={200: RecommendationPage, **ERRORS}, summary="Sổ theo dõi kiến nghị")
def list_recommendations(request: HttpRequest, filters: Query[Filters]) -> dict:
    qs = policy.visible(request.auth.user).with_state(timezone.now()).select_related("addressee_unit",
                                                                                      "addressee_agency")
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.kind:
        qs = qs.filter(source_kind=filters.kind)
    if filters.unit:
        qs = qs.filter(addressee_unit__code=filters.unit)
    qs = qs.order_by("deadline", "code")
    start = (filters.page - 1) * 50
    return {"count": qs.count(), "results": list(qs[start:start + 50])}


@router.get("/recommendations/{code}", response={200: RecommendationOut, **ERRORS}, summary="Một kiến nghị")
def get_recommendation(request: HttpRequest, code: str) -> Recommendation:
    return _rec(request.auth, code)


@router.get("/recommendations/{code}/events", response={200: list[EventOut], **ERRORS}, summary="Lịch sử theo dõi")
def list_events(request: HttpRequest, code: str) -> list:
    return list(_rec(request.auth, code).events.order_by("seq"))


@router.get("/recommendations/{code}/actions", response={200: list[OfferOut], **ERRORS},
            summary="Các thao tác người gọi được thực hiện lúc này")
def allowed(request: HttpRequest, code: str) -> list[OfferOut]:
    caller: Caller = request.auth
    rec = _rec(caller, code)
    token_role = caller.token.role if caller.token is not None else None
    offers = policy.RECOMMENDATIONS.available(rec, policy.acting_roles(caller.user, rec, token_role=token_role),
                                              timezone.now())
    return [OfferOut(action=o.action, label=ACTION_LABELS[Action(o.action)], role=o.role, required=list(o.required))
            for o in offers]


@router.post("/recommendations", response={201: RecommendationOut, **ERRORS}, summary="Ban hành kiến nghị")
def create(request: HttpRequest, payload: RecommendationIn) -> Status:
    caller: Caller = request.auth
    held = scoping.user_roles(caller.user) & ISSUER_ROLES
    if caller.token is not None:
        held &= {caller.token.role}
    if not held:
        raise ApiError(403, "forbidden", "Chỉ thanh tra, HĐND và cơ quan thẩm định ban hành kiến nghị.")
    unit = AdministrativeUnit.objects.filter(code=payload.addressee_unit_code).order_by("-valid_from").first()
    if unit is None:
        raise ApiError(400, "bad_input", f"Không có đơn vị hành chính mã {payload.addressee_unit_code}.")
    seen = scoping.oversight_unit_ids(caller.user)
    if seen is not None and unit.pk not in seen:
        raise ApiError(403, "forbidden", "Đơn vị này ngoài phạm vi của bạn.")
    agency = None
    if payload.addressee_agency_code:
        agency = Agency.objects.filter(code=payload.addressee_agency_code).first()
        if agency is None:
            raise ApiError(400, "bad_input", f"Không có cơ quan mã {payload.addressee_agency_code}.")
    try:
        source = services.resolve_source(payload.source or "")
        rec = services.recommend(
            source=source, addressee_unit=unit, addressee_agency=agency, title=payload.title, text=payload.text,
            deadline=payload.deadline, deadline_basis=payload.deadline_basis, issuer_name=payload.issuer_name,
            issuer_unit=policy.issuer_unit(caller.user), actor=caller.user, published=payload.published)
    except ValidationError as exc:
        raise ApiError(400, "bad_input", " ".join(exc.messages)) from None
    return Status(201, rec)


@router.post("/recommendations/{code}/actions/{action}", response={200: RecommendationOut, **ERRORS},
             summary="Thực hiện một thao tác theo dõi kiến nghị")
def perform(request: HttpRequest, code: str, action: Action, payload: ActionIn | None = None,
            if_match: str | None = Header(None, alias="If-Match")) -> Recommendation:
    caller: Caller = request.auth
    rec = _rec(caller, code)
    payload = payload or ActionIn()
    version = payload.version
    if if_match and if_match.strip():
        value = if_match.strip().removeprefix("W/").strip('"')
        if not value.isdigit():
            raise ApiError(400, "bad_input", "If-Match phải là số phiên bản, ví dụ \"3\".")
        version = int(value)
    services.perform(rec, action, actor=caller.user, token_role=caller.token.role if caller.token else None,
                     expected_version=version, note=payload.note, reason=payload.reason,
                     new_deadline=payload.new_deadline)
    return Recommendation.objects.select_related("addressee_unit", "addressee_agency").get(pk=rec.pk)
