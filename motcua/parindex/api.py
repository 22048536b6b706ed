"""The PAR index in the REST API (under ``/api/oversight``): assessments with their index and rank,
scores (self, appraised, survey), the lifecycle's actions, and a set's ranking."""
from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest
from ninja import Header, Router, Schema

from motcua.api.auth import AUTH, Caller
from motcua.api.errors import ApiError, not_found
from motcua.api.oversight import role_for, version
from motcua.api.schemas import Error
from motcua.parindex import scoring, services
from motcua.parindex.lifecycle import Action
from motcua.parindex.models import Assessment, IndexSet

router = Router(tags=["Chỉ số cải cách hành chính"], auth=AUTH)
ERRORS = {s: Error for s in (400, 401, 403, 404, 409, 422)}


class AssessmentOut(Schema):
    id: int
    unit_code: str
    set_code: str
    year: int
    status: str
    index: Decimal | None
    band: str | None
    rank: int | None
    peers: int
    version: int

    @staticmethod
    def resolve_unit_code(a: Assessment) -> str:
        return a.unit.code

    @staticmethod
    def resolve_set_code(a: Assessment) -> str:
        return a.index_set.code

    @staticmethod
    def resolve_index(a: Assessment) -> Decimal | None:
        return scoring.result(a).index

    @staticmethod
    def resolve_band(a: Assessment) -> str | None:
        return scoring.result(a).band

    @staticmethod
    def resolve_rank(a: Assessment) -> int | None:
        return scoring.rank_of(a)[0]

    @staticmethod
    def resolve_peers(a: Assessment) -> int:
        return scoring.rank_of(a)[1]


class ScoreIn(Schema):
    kind: str  # self | appraise | survey
    code: str
    points: Decimal
    evidence: str = ""
    note: str = ""


class ActionIn(Schema):
    note: str = ""
    reason: str = ""
    version: int | None = None


def _get(caller: Caller, pk: int) -> Assessment:
    a = services.visible(caller.user, Assessment.objects.filter(pk=pk)).select_related("unit", "index_set").first()
    if a is None:
        raise not_found()
    return a


@router.get("/par-assessments", response={200: list[AssessmentOut], **ERRORS}, summary="Các bản đánh giá")
def list_assessments(request: HttpRequest, year: int | None = None) -> list:
    qs = services.visible(request.auth.user).select_related("unit", "index_set")
    return list(qs.filter(year=year) if year else qs[:500])


@router.get("/par-assessments/{pk}", response={200: AssessmentOut, **ERRORS}, summary="Một bản đánh giá")
def get_assessment(request: HttpRequest, pk: int) -> Assessment:
    return _get(request.auth, pk)


@router.post("/par-assessments/{pk}/scores", response={200: AssessmentOut, **ERRORS}, summary="Chấm điểm")
def score(request: HttpRequest, pk: int, payload: ScoreIn) -> Assessment:
    caller: Caller = request.auth
    a = _get(caller, pk)
    role_for(caller, a, services.acting_roles)
    if payload.kind == "self":
        services.self_score(a, payload.code, payload.points, payload.evidence, actor=caller.user)
    elif payload.kind == "appraise":
        services.appraise(a, payload.code, payload.points, payload.note, actor=caller.user)
    elif payload.kind == "survey":
        services.survey(a, payload.code, payload.points, actor=caller.user)
    else:
        raise ApiError(400, "bad_input", "kind phải là self, appraise hoặc survey.")
    return _get(caller, pk)


@router.post("/par-assessments/{pk}/actions/{action}", response={200: AssessmentOut, **ERRORS},
             summary="Thao tác trên bản đánh giá")
def act(request: HttpRequest, pk: int, action: Action, payload: ActionIn | None = None,
        if_match: str | None = Header(None, alias="If-Match")) -> Assessment:
    caller: Caller = request.auth
    a = _get(caller, pk)
    payload = payload or ActionIn()
    services.perform(a, action, actor=caller.user, role=role_for(caller, a, services.acting_roles),
                     expected_version=version(if_match, payload.version), note=payload.note, reason=payload.reason)
    return _get(caller, pk)


@router.get("/par-sets/{code}/ranking", response={200: list[dict], **ERRORS}, summary="Xếp hạng theo bộ chỉ số")
def ranking(request: HttpRequest, code: str, compare_with: int | None = None) -> list:
    index_set = IndexSet.objects.filter(code=code).first()
    if index_set is None:
        raise not_found()
    seen = set(services.visible(request.auth.user, index_set.assessments.all()).values_list("pk", flat=True))
    changes = scoring.rank_changes(index_set, compare_with) if compare_with else {}
    return [{"rank": r["rank"], "peers": r["peers"], "unit": r["unit"].code, "unit_name": r["unit"].name,
             "index": str(r["result"].index), "band": r["result"].band,
             "change": changes.get(r["unit"].code)}
            for r in scoring.ranking(index_set) if r["assessment"].pk in seen]
