"""Request and response schemas of the REST API."""
from __future__ import annotations

import datetime as dt
import functools
from typing import Annotated, Any

from ninja import Field, Schema

from motcua.dossiers.lifecycle import ACTION_LABELS, Action, Status
from motcua.statemachine import Offer
from motcua.units.models import Level


class Error(Schema):
    """Every error body: a stable machine ``code`` and a Vietnamese ``message``; validation
    errors (422, code ``invalid``) also carry ninja's ``detail`` list."""

    code: str
    message: str
    detail: list[dict[str, Any]] | None = None


# --- catalogue ----------------------------------------------------------------------------------

class ProcedureOut(Schema):
    code: str
    name: str
    field_code: str | None = Field(None, alias="field.code")
    field_name: str | None = Field(None, alias="field.name")
    levels: list[str]
    legal_minutes: int
    legal_time_label: str
    clock_policy: str
    channels: list[str]


class RequiredDocumentOut(Schema):
    order: int
    name: str
    form: str
    count: int
    required: bool


class RouteStepOut(Schema):
    order: int
    name: str
    role: str
    agency_level: str
    agency_kind: str
    share_minutes: int


class ProcedureDetail(ProcedureOut):
    fees: list[dict[str, Any]]
    result_type: str
    legal_basis: str
    documents: list[RequiredDocumentOut]
    steps: list[RouteStepOut]

    @staticmethod
    def resolve_documents(obj: Any) -> list[Any]:
        return list(obj.documents.all())

    @staticmethod
    def resolve_steps(obj: Any) -> list[Any]:
        return list(obj.steps.all())


class ProcedureFilters(Schema):
    level: Level | None = Field(None, description="Cấp thực hiện")
    field: str | None = Field(None, description="Mã lĩnh vực")
    q: str | None = Field(None, description="Tìm theo mã hoặc tên")
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=2**31 - 1)


class ProcedurePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ProcedureOut]


# --- dossiers -----------------------------------------------------------------------------------

class ApplicantIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    id_number: str = Field("", max_length=20)
    phone: str = Field("", max_length=20)
    email: str = Field("", max_length=254)
    address: str = Field("", max_length=300)


class DossierIn(Schema):
    procedure_code: str
    unit_code: str
    agency_code: str | None = None
    applicant: ApplicantIn
    matter: str = Field("", max_length=500)
    sets: int = Field(1, ge=1, le=100)
    documents: list[Annotated[str, Field(min_length=1, max_length=500)]] = Field(default_factory=list, max_length=100)


class ApplicantOut(Schema):
    name: str = Field(..., alias="applicant_name")
    id_number: str = Field(..., alias="applicant_id")
    phone: str = Field(..., alias="applicant_phone")
    email: str = Field(..., alias="applicant_email")
    address: str = Field(..., alias="applicant_address")


class DossierOut(Schema):
    code: str
    status: str
    status_label: str
    procedure_code: str = Field(..., alias="procedure.code")
    procedure_name: str = Field(..., alias="procedure.name")
    unit_code: str = Field(..., alias="unit.code")
    agency_code: str | None = Field(None, alias="agency.code")
    level: str
    channel: str
    regime: str
    applicant: ApplicantOut
    matter: str
    sets: int
    submitted_at: dt.datetime | None
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    extended_due_at: dt.datetime | None
    paused_at: dt.datetime | None
    finished_at: dt.datetime | None
    outcome: str
    returned_at: dt.datetime | None
    withdrawn_at: dt.datetime | None
    current_step: int
    version: int

    @staticmethod
    def resolve_applicant(obj: Any, context: Any = None) -> Any:
        """Masked unless the caller sees the applicant in full (motcua.dossiers.privacy: the one rule)."""
        view = _applicant(obj, (context or {}).get("request"))
        return {field.alias: view[name] for name, field in ApplicantOut.model_fields.items()}

    @classmethod
    def of(cls, dossier: Any, request: Any) -> DossierOut:
        """The answer for one dossier row, built from its fields as they are: what validating the row (ninja's
        path, each field read through its getter) gives, at a quarter of the cost. Returned by a view, ninja
        only dumps it. tests/test_api_output.py holds the two paths equal."""
        view = _applicant(dossier, request)
        values: dict[str, Any] = {"applicant": ApplicantOut.model_construct(
            **{name: view[name] for name in ApplicantOut.model_fields})}
        for name, path in _paths(cls):  # each field from its attribute, or its alias's path ("procedure.code")
            value = dossier
            for part in path:
                value = getattr(value, part) if value is not None else None  # no agency: no agency's code
            values[name] = value
        return cls.model_construct(**values)


@functools.cache
def _paths(schema: type[Schema]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each field of ``schema`` but the applicant, with the attributes read for it."""
    return tuple((name, tuple((field.alias or name).split("."))) for name, field in schema.model_fields.items()
                 if name != "applicant")


def _applicant(dossier: Any, request: Any) -> dict[str, Any]:
    from motcua.dossiers.privacy import applicant_view, sees_full

    caller = getattr(request, "auth", None)
    token = getattr(caller, "token", None)
    full = caller is not None and sees_full(caller.user, dossier, token.role if token is not None else None)
    return applicant_view(dossier, full)


class DossierFilters(Schema):
    """The officials' search (motcua.office.dossier_search, the same as /office/tim-kiem/)."""

    code: str | None = Field(None, max_length=100, description="Mã hồ sơ (đúng mã, không phân biệt hoa thường)")
    name: str | None = Field(None, max_length=200,
                             description=("Tên người nộp, có hoặc không dấu, ít nhất 3 ký tự: một từ thì tên chứa từ "
                                          "này; họ và tên (từ hai từ) thì tên bắt đầu bằng chuỗi này, nếu không có "
                                          "thì tên chứa chuỗi này"))
    id_number: str | None = Field(None, max_length=100, description="Số CCCD/CMND của người nộp (đúng số)")
    phone: str | None = Field(None, max_length=100, description="Số điện thoại của người nộp (đúng số)")
    status: Status | None = None
    date_from: dt.date | None = Field(None, alias="from", description="Từ ngày tiếp nhận (hoặc ngày nộp)")
    date_to: dt.date | None = Field(None, alias="to", description="Đến ngày tiếp nhận (hoặc ngày nộp)")
    procedure: str | None = Field(None, max_length=100, description="Mã thủ tục")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=2**31 - 1)


class DossierPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[DossierOut]


class EventOut(Schema):
    seq: int
    action: str
    at: dt.datetime
    actor: str = Field(..., alias="actor_label")
    from_status: str
    to_status: str
    step: int | None
    note: str
    reason: str
    payload: dict[str, Any]


class ActionIn(Schema):
    note: str = ""
    reason: str = ""
    new_due_at: dt.datetime | None = Field(None, description="Ngày hẹn trả mới (thao tác apologize)")
    agency_code: str | None = Field(None, description="Cơ quan nhận bước tiếp theo (thao tác hand_over)")
    assignee: str | None = Field(None, max_length=150, description=(
        "Tên đăng nhập của cán bộ được giao (thao tác assign: bắt buộc; hand_over: tùy chọn, bỏ trống thì bỏ "
        "giao đích danh). Cán bộ phải giữ vai trò xử lý hồ sơ tại cơ quan nhận."))
    version: int | None = Field(None, description="Phiên bản hồ sơ đã đọc (thay cho header If-Match)")


# The API names the inputs as its body does.
API_INPUT = {"agency": "agency_code"}


class AllowedAction(Schema):
    action: Action
    label: str
    role: str
    required: list[str]
    optional: list[str]

    @staticmethod
    def of(offer: Offer) -> AllowedAction:
        action = Action(offer.action)
        return AllowedAction(
            action=action, label=ACTION_LABELS[action], role=offer.role,
            required=[API_INPUT.get(i, i) for i in offer.required],
            optional=[API_INPUT.get(i, i) for i in offer.optional],
        )


class AllowedActions(Schema):
    status: str
    version: int
    roles: list[str]
    actions: list[AllowedAction]
