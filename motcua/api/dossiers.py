"""Dossier endpoints: submit, list and read (scoped to the caller), the actions of the lifecycle table.

No logic of their own: writes go through ``motcua.dossiers.services``; visibility and the role the
caller acts with come from ``motcua.api.scope``.
"""
from __future__ import annotations

import json
from typing import Any

from django.db import IntegrityError
from django.db import router as db_router
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Header, Query, Router, Status
from ninja.responses import NinjaJSONEncoder

from motcua.api import idempotency, scope
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
from motcua.dossiers import lifecycle, policy, services
from motcua.dossiers.lifecycle import Action
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.office import dossier_search
from motcua.prepared import PreparedRead, rows_together
from motcua.process_cache import ProcessCache
from motcua.reports import rollups
from motcua.units.models import AdministrativeUnit, Agency
from motcua.units.scoping import can_see_dossier

router = Router(tags=["Hồ sơ"], auth=AUTH)

IDEMPOTENCY_MAX = 80


def _errors(*statuses: int) -> dict[int, type[Error]]:
    return {status: Error for status in statuses}


def _dossier(caller: Caller, code: str) -> Dossier:
    """The dossier with this code if the caller may see it; 404 otherwise (existence is not revealed).
    Read by its code (compiled once per connection), then checked by the office screens' rule for one
    dossier (``scoping.can_see_dossier``): the scope's query over every visible dossier, built anew for
    each request, cost twice the transition itself."""
    return _visible(caller, _BY_CODE.first(code))


def _visible(caller: Caller, dossier: Dossier | None) -> Dossier:
    if dossier is None or not can_see_dossier(caller.user, dossier):
        raise not_found()
    return dossier


# Which unit a code names on a day, kept per process (dropped when a unit is saved or deleted): the
# query, with its validity dates, was built anew by every receipt. The row itself is read by key.
_unit_ids: ProcessCache[int | None] = ProcessCache("MOTCUA_ROUTE_CACHE_SECONDS", 60)
_unit_ids.drop_on(AdministrativeUnit)


def _unit_id(code: str) -> int | None:
    today = timezone.localdate()

    def unit_id() -> int | None:
        return (AdministrativeUnit.objects.filter(code=code).valid_on(today).order_by("-valid_from")
                .values_list("pk", flat=True).first())

    return _unit_ids.get((code, today), unit_id, keep=lambda pk: pk is not None)  # a code no unit has: never kept


def _receipt_reads(payload: DossierIn, key: str) -> tuple[Procedure | None, AdministrativeUnit | None,
                                                           Agency | None, Dossier | None]:
    """The procedure, unit and agency a receipt names, and the dossier already made with its key, read
    together (one round trip on PostgreSQL). The key's dossier is looked at only after the caller's scope."""
    unit_pk = _unit_id(payload.unit_code)
    reads = {"procedure": (_PROCEDURE, payload.procedure_code), "existing": (_BY_KEY, key)}
    if unit_pk is not None:
        reads["unit"] = (_UNIT, unit_pk)
    if payload.agency_code:
        reads["agency"] = (_AGENCY, payload.agency_code)
    answers = rows_together(list(reads.values()), db_router.db_for_read(Dossier) or "default")
    found = {name: rows[0] if rows else None for name, rows in zip(reads, answers, strict=True)}
    return found["procedure"], found.get("unit"), found.get("agency"), found["existing"]


# Read by every receipt: compiled once per connection (codes and keys are unique).
_PROCEDURE = PreparedRead(lambda code: Procedure.objects.filter(code=code).order_by()[:1])
_UNIT = PreparedRead(lambda pk: AdministrativeUnit.objects.filter(pk=pk).order_by()[:1])
_AGENCY = PreparedRead(lambda code: Agency.objects.filter(code=code).order_by()[:1])
_BY_KEY = PreparedRead(lambda key: Dossier.objects.select_related("procedure", "unit", "agency")
                       .filter(idempotency_key=key).order_by()[:1])
_BY_CODE = PreparedRead(lambda code: Dossier.objects.select_related("procedure", "unit", "agency")
                        .filter(code=code).order_by()[:1])


def _agency(code: str | None) -> Agency | None:
    if not code:
        return None
    agency = _AGENCY.first(code)
    if agency is None:
        raise ApiError(422, "unknown_agency", _("Không có cơ quan mã %(code)s.") % {"code": code})
    return agency


@router.post(
    "/dossiers",
    response={200: DossierOut, 201: DossierOut, **_errors(401, 403, 409, 422)},
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
) -> Status[DossierOut]:
    caller: Caller = request.auth
    key = f"u{caller.user.pk}:{idempotency_key}"  # keys are per user: another client's key never matches
    procedure, unit, agency, existing = _receipt_reads(payload, key)
    if procedure is None or not procedure.active:
        raise ApiError(422, "unknown_procedure", _("Không có thủ tục mã %(code)s.") % {"code": payload.procedure_code})
    if unit is None:
        raise ApiError(422, "unknown_unit", _("Không có đơn vị hành chính mã %(code)s.") % {"code": payload.unit_code})
    if payload.agency_code and agency is None:
        raise ApiError(422, "unknown_agency", _("Không có cơ quan mã %(code)s.") % {"code": payload.agency_code})
    role = scope.intake_role(caller, unit, agency)
    if role is None:
        raise ApiError(403, "forbidden", _("Bạn không được tiếp nhận hồ sơ cho đơn vị này."))
    # The key only after the caller's scope; the same key with another body is refused, never answered
    # with the dossier of the first request.
    print_ = idempotency.fingerprint("submit", payload.dict())
    if existing is not None:
        idempotency.replay(caller.user, idempotency_key, print_)  # 409 when the first body was another
        return Status(200, DossierOut.of(existing, request))
    services.check_level(procedure, unit, agency)
    counter = role == lifecycle.COUNTER
    applicant = services.Applicant(**payload.applicant.dict())
    try:
        # The dossier and the key's record together; the counters last, the COMMIT right behind them.
        # Whole: any failure fails the request (no savepoint around the receipt).
        with rollups.batched(whole=True):
            dossier = services.receive(
                procedure=procedure, unit=unit, agency=agency, applicant=applicant, matter=payload.matter,
                sets=payload.sets, documents=payload.documents, actor=caller.user, role=role,
                idempotency_key=key, key_looked_up=True, online=not counter,
                channel="counter" if counter else "online",
            )
            idempotency.remember(caller.user, idempotency_key, print_, 201, {"code": dossier.code})
    except IntegrityError:  # the same key raced in from a parallel request: that one won
        existing = Dossier.objects.filter(idempotency_key=key).first()
        if existing is None:
            raise
        return Status(200, DossierOut.of(existing, request))
    return Status(201, DossierOut.of(dossier, request))  # as written: its procedure, unit and agency are those above


@router.get(
    "/dossiers", response={200: DossierPage, **_errors(401, 422)}, summary="Danh sách hồ sơ, tìm hồ sơ",
    description="Các hồ sơ người gọi được xem, mới tiếp nhận trước; lọc và tìm như màn hình “Tìm hồ sơ” của cán bộ "
    "(mã, tên người nộp có hoặc không dấu, số giấy tờ, điện thoại, thủ tục, trạng thái, khoảng ngày). Điều kiện "
    "không hợp lệ: 422 `bad_filter` với thông báo nêu rõ điều kiện sai.",
)
def list_dossiers(request: HttpRequest, filters: Query[DossierFilters]) -> DossierPage:
    try:
        criteria = dossier_search.check(dossier_search.Criteria(
            code=filters.code or "", name=filters.name or "", id_number=filters.id_number or "",
            phone=filters.phone or "", procedure=filters.procedure or "",
            status=filters.status.value if filters.status else "", date_from=filters.date_from,
            date_to=filters.date_to,
        ))
    except dossier_search.BadCriteria as exc:
        raise ApiError(422, "bad_filter", exc.message) from exc
    qs = dossier_search.search(request.auth.user, criteria)
    limit, offset = filters.limit, filters.offset
    # Built from the rows (DossierOut.of): ninja would validate each of up to 200 items through its getter.
    return DossierPage.model_construct(count=qs.count(), limit=limit, offset=offset,
                                       items=[DossierOut.of(d, request) for d in qs[offset : offset + limit]])


@router.get("/dossiers/{code}", response={200: DossierOut, **_errors(*READ_ERRORS)}, summary="Chi tiết hồ sơ")
def get_dossier(request: HttpRequest, code: str) -> DossierOut:
    return DossierOut.of(_dossier(request.auth, code), request)


@router.get(
    "/dossiers/{code}/events", response={200: list[EventOut], **_errors(*READ_ERRORS)}, summary="Lịch sử hồ sơ"
)
def list_events(request: HttpRequest, code: str) -> list[DossierEvent]:
    return list(_dossier(request.auth, code).events.order_by("seq"))


@router.get(
    "/dossiers/{code}/actions",
    response={200: AllowedActions, **_errors(*READ_ERRORS)},
    summary="Các thao tác người gọi được thực hiện lúc này",
    description="Đúng những thao tác mà `POST .../actions/{action}` sẽ chấp nhận lúc này, với vai trò và các trường "
    "dữ liệu (bắt buộc, tùy chọn) của từng thao tác; `version` là phiên bản hồ sơ để gửi lại trong `If-Match`.",
)
def allowed_actions(request: HttpRequest, code: str) -> AllowedActions:
    caller: Caller = request.auth
    dossier = _dossier(caller, code)
    offers = policy.available_actions(dossier, caller.user, token_role=scope.token_role(caller))
    return AllowedActions(status=dossier.status, version=dossier.version, roles=scope.roles_for(caller, dossier),
                          actions=[AllowedAction.of(o) for o in offers])


def _expected_version(if_match: str | None, payload: ActionIn) -> int | None:
    """The version the client saw: the ``If-Match`` header (``"7"``, ``W/"7"`` or ``7``) or the body's."""
    if if_match is None or not if_match.strip():
        return payload.version
    value = if_match.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise ApiError(400, "bad_input", _("If-Match phải là số phiên bản của hồ sơ, ví dụ \"7\"."))
    if payload.version is not None and payload.version != int(value):
        raise ApiError(400, "bad_input", _("If-Match và trường version khác nhau."))
    return int(value)


@router.post(
    "/dossiers/{code}/actions/{action}",
    response={200: DossierOut, **_errors(*ACTION_ERRORS)},
    summary="Thực hiện một thao tác trên hồ sơ",
    description=(
        "Thao tác theo bảng vòng đời hồ sơ. Gửi phiên bản hồ sơ đã đọc trong header `If-Match` (hoặc trường "
        "`version`) để không ghi đè thay đổi của người khác. Lỗi: 400 `bad_input` (thiếu hoặc sai dữ liệu của "
        "thao tác), 403 `forbidden` (vai trò không được phép), 404 `not_found`, 409 `not_allowed` (không có "
        "thao tác này lúc này) hoặc `conflict` (hồ sơ đã đổi phiên bản), 422 lỗi nghiệp vụ khác."
    ),
)
def perform_action(
    request: HttpRequest, code: str, action: Action, payload: ActionIn | None = None,
    if_match: str | None = Header(None, alias="If-Match"),
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", min_length=1, max_length=IDEMPOTENCY_MAX),
) -> Any:
    caller: Caller = request.auth
    # The dossier and the caller's record of the key read together; the caller's scope first, the record
    # looked at after it (a key says nothing about others' dossiers).
    reads = [(_BY_CODE, code)] + ([(idempotency.BY_USER_AND_KEY, (caller.user.pk, idempotency_key))]
                                  if idempotency_key else [])
    found = rows_together(reads, db_router.db_for_read(Dossier) or "default")
    dossier = _visible(caller, found[0][0] if found[0] else None)
    record = found[1][0] if idempotency_key and found[1] else None
    payload = payload or ActionIn()
    expected = _expected_version(if_match, payload)
    if expected is None and not idempotency_key:
        raise ApiError(428, "precondition_required", _(
            "Gửi phiên bản hồ sơ đã đọc (If-Match) hoặc một Idempotency-Key: một thao tác gửi lại (mạng chập "
            "chờn) không được thực hiện hai lần."))
    print_ = idempotency.fingerprint("action", dossier.code, str(action), payload.dict(), expected)
    if idempotency_key:
        replayed = idempotency.answer(record, print_)
        if replayed is not None:
            return replayed
    # One transaction, failing whole; the key's record, the counters and the COMMIT last, together.
    with rollups.batched(whole=True):
        # As written (the writer hands back the row it locked and changed), with the agency read above.
        result = services.perform(
            dossier, action, actor=caller.user, token_role=scope.token_role(caller),
            expected_version=expected, note=payload.note, reason=payload.reason,
            new_due_at=payload.new_due_at, agency=_agency(payload.agency_code), assignee=payload.assignee or None,
        )
        result.agency = dossier.agency  # no action changes the receiving agency
        out = DossierOut.of(result, request)
        if idempotency_key:
            # As the API renders it (ninja's encoder), so that a replay is byte for byte the same answer.
            body = json.loads(json.dumps(out.model_dump(by_alias=False), cls=NinjaJSONEncoder))
            idempotency.remember(caller.user, idempotency_key, print_, 200, body)
    return out
