"""The PAR index in the REST API (under ``/api/oversight``): assessments with their index and rank,
scores (self, appraised, survey), the lifecycle's actions, and a set's ranking."""
from __future__ import annotations

import datetime as dt
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


class ScoreOut(Schema):
    code: str
    name: str
    max_points: Decimal
    method: str
    metric: str
    not_applicable: bool
    self_score: Decimal | None
    self_evidence: str
    documents: list[str]
    appraised_score: Decimal | None
    appraiser_note: str
    survey_score: Decimal | None
    computed_value: Decimal | None
    computed_points: Decimal | None
    computed_at: dt.datetime | None
    points: Decimal | None
    lost: Decimal | None


class RankingRowOut(Schema):
    rank: int
    peers: int
    unit: str
    unit_name: str
    index: str | None
    band: str | None
    change: int | None
    assessment_id: int | None


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
def list_assessments(request: HttpRequest, year: int | None = None, level: str | None = None,
                     set_code: str | None = None, status: str | None = None) -> list:
    qs = services.visible(request.auth.user).select_related("unit", "index_set")
    if year:
        qs = qs.filter(year=year)
    if level:
        qs = qs.filter(index_set__level=level)
    if set_code:
        qs = qs.filter(index_set__code=set_code)
    if status:
        qs = qs.filter(status=status)
    return list(qs[:500])


@router.get("/par-assessments/{pk}/scores", response={200: list[ScoreOut], **ERRORS},
            summary="Điểm từng tiêu chí thành phần")
def scores(request: HttpRequest, pk: int) -> list:
    a = _get(request.auth, pk)
    out = []
    for s in a.scores.select_related("sub").prefetch_related("documents"):
        points = s.points
        out.append({"code": s.sub.code, "name": s.sub.name, "max_points": s.sub.max_points, "method": s.sub.method,
                    "metric": s.sub.metric, "not_applicable": s.not_applicable, "self_score": s.self_score,
                    "self_evidence": s.self_evidence, "documents": [d.original_name for d in s.documents.all()],
                    "appraised_score": s.appraised_score, "appraiser_note": s.appraiser_note,
                    "survey_score": s.survey_score, "computed_value": s.computed_value,
                    "computed_points": s.computed_points, "computed_at": s.computed_at, "points": points,
                    "lost": None if points is None else s.sub.max_points - points})
    return out


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


@router.get("/par-sets/{code}/ranking", response={200: list[RankingRowOut], **ERRORS},
            summary="Xếp hạng theo bộ chỉ số")
def ranking(request: HttpRequest, code: str, compare_with: int | None = None) -> list:
    """The peer group's ranking (appraised or published assessments of the set), shown to a caller who
    sees one of its assessments; ``assessment_id`` only for those the caller may open; ``change``: places
    moved up since ``compare_with`` (negative: down)."""
    index_set = IndexSet.objects.filter(code=code).first()
    seen = set() if index_set is None else set(
        services.visible(request.auth.user, index_set.assessments.all()).values_list("pk", flat=True))
    if not seen:
        raise not_found()
    changes = scoring.rank_changes(index_set, compare_with) if compare_with else {}
    return [{"rank": r["rank"], "peers": r["peers"], "unit": r["unit"].code, "unit_name": r["unit"].name,
             "index": None if r["result"].index is None else str(r["result"].index), "band": r["result"].band,
             "change": changes.get(r["unit"].code),
             "assessment_id": r["assessment"].pk if r["assessment"].pk in seen else None}
            for r in scoring.ranking(index_set)]
