"""Dossier endpoints: submit, list and read (scoped to the caller), the actions of the lifecycle table.

No logic of their own: writes go through ``motcua.dossiers.services``; visibility and the role the
caller acts with come from ``motcua.api.scope``.
"""
from __future__ import annotations

from django.db import IntegrityError
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Header, Query, Router, Status

from motcua.api import scope
from motcua.api.auth import AUTH, Caller
from motcua.api.errors import ACTION_ERRORS, READ_ERRORS, ApiError, not_found
from motcua.api.schemas import (
    ActionIn,
    AllowedAction,
    AllowedActions,
    DossierFilters,
    DossierIn,
    DossierOut,
    DossierPage,
    Error,
    EventOut,
)
from motcua.catalog.models import Procedure
from motcua.dossiers import lifecycle, services
from motcua.dossiers.lifecycle import Action
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.units.models import AdministrativeUnit, Agency

router = Router(tags=["Hồ sơ"], auth=AUTH)

IDEMPOTENCY_MAX = 80


def _errors(*statuses: int) -> dict[int, type[Error]]:
    return {status: Error for status in statuses}


def _dossier(caller: Caller, code: str) -> Dossier:
    """The dossier with this code if the caller may see it; 404 otherwise (existence is not revealed)."""
    dossier = scope.visible_dossiers(caller).filter(code=code).first()
    if dossier is None:
        raise not_found()
    return dossier


def _unit(code: str) -> AdministrativeUnit:
    today = timezone.localdate()
    unit = AdministrativeUnit.objects.filter(code=code).valid_on(today).order_by("-valid_from").first()
    if unit is None:
        raise ApiError(422, "unknown_unit", _("Không có đơn vị hành chính mã %(code)s.") % {"code": code})
    return unit


def _agency(code: str | None) -> Agency | None:
    if not code:
        return None
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        raise ApiError(422, "unknown_agency", _("Không có cơ quan mã %(code)s.") % {"code": code})
    return agency


@router.post(
    "/dossiers",
    response={200: DossierOut, 201: DossierOut, **_errors(401, 403, 422)},
    summary="Nộp hồ sơ",
    description=(
        "Nộp hồ sơ. Bắt buộc header `Idempotency-Key` (tối đa 80 ký tự): gửi lại cùng khóa trả về hồ sơ đã tạo "
        "(200) thay vì tạo hồ sơ mới (201). Khóa được phân biệt theo người dùng. Với mã truy cập vai trò "
        "`counter` (hoặc phiên đăng nhập của cán bộ một cửa) hồ sơ được tiếp nhận trực tiếp tại quầy "
        "(trạng thái received, bắt đầu tính thời hạn); các vai trò khác (system, applicant) nộp trực tuyến "
        "(trạng thái submitted, chờ tiếp nhận)."
    ),
)
def submit_dossier(
    request: HttpRequest,
    payload: DossierIn,
    idempotency_key: str = Header(..., alias="Idempotency-Key", min_length=1, max_length=IDEMPOTENCY_MAX),
) -> Status[Dossier]:
    caller: Caller = request.auth
    key = f"u{caller.user.pk}:{idempotency_key}"  # keys are per user: another client's key never matches
    existing = Dossier.objects.select_related("procedure", "unit", "agency").filter(idempotency_key=key).first()
    if existing is not None:
        return Status(200, existing)
    procedure = Procedure.objects.filter(code=payload.procedure_code, active=True).first()
    if procedure is None:
        raise ApiError(422, "unknown_procedure", _("Không có thủ tục mã %(code)s.") % {"code": payload.procedure_code})
    unit = _unit(payload.unit_code)
    agency = _agency(payload.agency_code)
    role = scope.intake_role(caller, unit, agency)
    if role is None:
        raise ApiError(403, "forbidden", _("Bạn không được tiếp nhận hồ sơ cho đơn vị này."))
    counter = role == lifecycle.COUNTER
    applicant = services.Applicant(**payload.applicant.dict())
    try:
        dossier = services.receive(
            procedure=procedure, unit=unit, agency=agency, applicant=applicant, matter=payload.matter,
            sets=payload.sets, documents=payload.documents, actor=caller.user, role=role,
            idempotency_key=key, online=not counter, channel="counter" if counter else "online",
        )
    except IntegrityError:  # the same key raced in from a parallel request: that one won
        existing = Dossier.objects.filter(idempotency_key=key).first()
        if existing is None:
            raise
        return Status(200, existing)
    return Status(201, Dossier.objects.select_related("procedure", "unit", "agency").get(pk=dossier.pk))


@router.get("/dossiers", response={200: DossierPage, **_errors(401, 422)}, summary="Danh sách hồ sơ")
def list_dossiers(request: HttpRequest, filters: Query[DossierFilters]) -> dict:
    qs = scope.visible_dossiers(request.auth)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.procedure:
        qs = qs.filter(procedure__code=filters.procedure)
    if filters.date_from:
        day = filters.date_from
        qs = qs.filter(Q(received_at__date__gte=day) | Q(received_at__isnull=True, submitted_at__date__gte=day))
    if filters.date_to:
        day = filters.date_to
        qs = qs.filter(Q(received_at__date__lte=day) | Q(received_at__isnull=True, submitted_at__date__lte=day))
    qs = qs.order_by("-created_at", "-pk")
    limit, offset = filters.limit, filters.offset
    return {"count": qs.count(), "limit": limit, "offset": offset, "items": list(qs[offset : offset + limit])}


@router.get("/dossiers/{code}", response={200: DossierOut, **_errors(*READ_ERRORS)}, summary="Chi tiết hồ sơ")
def get_dossier(request: HttpRequest, code: str) -> Dossier:
    return _dossier(request.auth, code)


@router.get(
    "/dossiers/{code}/events", response={200: list[EventOut], **_errors(*READ_ERRORS)}, summary="Lịch sử hồ sơ"
)
def list_events(request: HttpRequest, code: str) -> list[DossierEvent]:
    return list(_dossier(request.auth, code).events.order_by("seq"))


@router.get(
    "/dossiers/{code}/actions",
    response={200: AllowedActions, **_errors(*READ_ERRORS)},
    summary="Các thao tác người gọi được thực hiện lúc này",
)
def allowed_actions(request: HttpRequest, code: str) -> AllowedActions:
    dossier = _dossier(request.auth, code)
    roles = scope.roles_for(request.auth, dossier)
    actions = lifecycle.allowed_actions(dossier.status, set(roles)) if roles else []
    actions = [a for a in actions if a != Action.APOLOGIZE or services.can_apologize(dossier)]
    return AllowedActions(status=dossier.status, roles=roles, actions=[AllowedAction.of(a) for a in actions])


@router.post(
    "/dossiers/{code}/actions/{action}",
    response={200: DossierOut, **_errors(*ACTION_ERRORS)},
    summary="Thực hiện một thao tác trên hồ sơ",
    description=(
        "Thao tác theo bảng vòng đời hồ sơ. Lỗi: 403 `forbidden` (vai trò không được phép), 404 `not_found`, "
        "409 `not_allowed` (không có thao tác này ở trạng thái hiện tại) hoặc `conflict` (người khác vừa cập nhật), "
        "422 `invalid` (dữ liệu không hợp lệ) hoặc lỗi nghiệp vụ khác."
    ),
)
def perform_action(request: HttpRequest, code: str, action: Action, payload: ActionIn | None = None) -> Dossier:
    caller: Caller = request.auth
    dossier = _dossier(caller, code)
    payload = payload or ActionIn()
    role = scope.role_for_action(caller, dossier, action)
    if role is None:
        raise ApiError(403, "forbidden", _("Bạn không có vai trò nào để thao tác trên hồ sơ này."))
    services.perform(
        dossier, action, role=role, actor=caller.user, note=payload.note, reason=payload.reason,
        new_due_at=payload.new_due_at, agency=_agency(payload.agency_code),
    )
    return Dossier.objects.select_related("procedure", "unit", "agency").get(pk=dossier.pk)
