"""The only code that writes PAR assessments: scores (self, appraised, survey), the sub-criteria
computed from motcua's own data (frozen with the instant), and the status through the shared
lifecycle writer. The index, the band and the ranking are computed when read (``scoring.py``)."""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, ClassVar

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from motcua.parindex import metrics
from motcua.parindex.lifecycle import ACTION_LABELS, INPUT_LABELS, STATUS_LABELS, TABLE, Status
from motcua.parindex.models import Assessment, AssessmentEvent, IndexSet, Method, Score, SubCriterion
from motcua.people import person_name
from motcua.roles import Role, role_label
from motcua.statemachine import Forbidden, InvalidInput, Lifecycle, NotAllowed
from motcua.statemachine.writer import Change, Writer
from motcua.units import scoping
from motcua.units.models import AdministrativeUnit

ASSESSMENTS = Lifecycle("par_assessment", TABLE, action_labels=ACTION_LABELS, status_labels=STATUS_LABELS)
CENT = Decimal("0.01")


def visible(user: Any, qs: QuerySet[Assessment] | None = None) -> QuerySet[Assessment]:
    """What a user may open: the anonymous public the published assessments; staff, appraisers included,
    the assessments of the units in their scope (``scoping.oversight_unit_ids``) and the published ones."""
    qs = qs if qs is not None else Assessment.objects.all()
    if not getattr(user, "is_authenticated", False):
        return qs.filter(status=Status.PUBLISHED)
    ids = scoping.oversight_unit_ids(user)
    if ids is None:
        return qs
    return qs.filter(Q(unit_id__in=ids) | Q(status=Status.PUBLISHED))


def acting_roles(user: Any, a: Assessment) -> list[str]:
    """The roles ``user`` acts with on ``a``: each held over the assessed unit (its own unit or one above)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return [role for role in (Role.PAR_OFFICER, Role.LEADER, Role.APPRAISER)
            if scoping.holds_over(user, a.unit, {role})]


def _label(actor: Any, role: str) -> str:
    return f"{person_name(actor)} ({role_label(role)})" if actor is not None else role_label(Role.SYSTEM)


@transaction.atomic
def start(index_set: IndexSet, unit: AdministrativeUnit, actor: Any = None,
          at: dt.datetime | None = None) -> Assessment:
    at = at or timezone.now()
    if Assessment.objects.filter(index_set=index_set, unit=unit).exists():
        raise InvalidInput(f"{unit.name} đã có bản đánh giá theo bộ chỉ số này.", field="unit")
    a = Assessment.objects.create(index_set=index_set, unit=unit, year=index_set.year, last_event_at=at)
    Score.objects.bulk_create([Score(assessment=a, sub=s) for s in index_set.subcriteria.all()])
    AssessmentEvent.objects.create(assessment=a, seq=1, action="create", at=at, to_status=a.status,
                                   actor_label=_label(actor, Role.PAR_OFFICER))
    return a


def _score(a: Assessment, code: str) -> Score:
    score = a.scores.select_related("sub").filter(sub__code=code).first()
    if score is None:
        raise InvalidInput(f"Không có tiêu chí thành phần {code} trong bộ chỉ số.", field="code")
    return score


def _points(value: Any, sub: SubCriterion, field: str) -> Decimal:
    try:
        points = Decimal(str(value)).quantize(CENT, ROUND_HALF_UP)
    except Exception:  # noqa: BLE001 - any unreadable number is the same bad input
        raise InvalidInput(f"Điểm {value!r} không phải số.", field=field) from None
    if points < 0 or points > sub.max_points:
        raise InvalidInput(f"Điểm của {sub.code} phải từ 0 đến {sub.max_points}.", field=field)
    return points


def record_event(a: Assessment, action: str, actor: Any, role: str, at: dt.datetime, note: str = "",
           payload: dict | None = None) -> None:
    locked = Assessment.objects.select_for_update(of=("self",)).get(pk=a.pk)
    locked.version += 1
    Assessment.objects.filter(pk=a.pk).update(version=locked.version, last_event_at=at)
    AssessmentEvent.objects.create(assessment=a, seq=locked.version, action=action, at=at,
                                   actor=actor if getattr(actor, "pk", None) else None, actor_label=_label(actor, role),
                                   from_status=locked.status, to_status=locked.status, note=note, payload=payload or {})
    a.version = locked.version


@transaction.atomic
def self_score(a: Assessment, code: str, points: Any, evidence: str = "", actor: Any = None,
               not_applicable: bool = False, at: dt.datetime | None = None) -> Score:
    if actor is not None and not ({Role.PAR_OFFICER, Role.LEADER} & set(acting_roles(actor, a))):
        raise Forbidden("Chỉ đầu mối CCHC, lãnh đạo đơn vị được tự chấm điểm.")
    a.refresh_from_db(fields=["status", "version"])
    if a.status != Status.DRAFT:
        raise NotAllowed("Bản đánh giá đã gửi; không sửa điểm tự đánh giá được nữa.")
    score = _score(a, code)
    if not_applicable:
        score.not_applicable, score.self_score = True, None
    else:
        score.self_score = _points(points, score.sub, "self_score")
        if score.sub.evidence_required and not evidence.strip() and not score.self_evidence \
                and not score.documents.exists():
            raise InvalidInput(f"Tiêu chí {code} cần tài liệu kiểm chứng.", field="self_evidence")
        score.self_evidence = evidence.strip() or score.self_evidence
    score.save()
    record_event(a, "score", actor, Role.PAR_OFFICER, at or timezone.now(), note=f"{code}: {score.self_score}",
           payload={"code": code, "self": str(score.self_score), "not_applicable": not_applicable})
    return score


def reference(score: Score) -> Decimal | None:
    """What the appraised score is compared with: the unit's self score; for a sub-criterion computed
    from the system's data or from the survey, the frozen computed points or the survey score; for one
    the council alone scores (method ``appraised``), the self score if the unit gave one, else the maximum."""
    method = score.sub.method
    if method == Method.COMPUTED:
        return score.computed_points
    if method == Method.SURVEY:
        return score.survey_score
    if method == Method.APPRAISED and score.self_score is None:
        return score.sub.max_points
    return score.self_score


def _need_note(score: Score, value: Decimal, note: str) -> None:
    if value != reference(score) and not note.strip():
        raise InvalidInput(f"Điểm thẩm định của {score.sub.code} khác điểm tự đánh giá ({reference(score)}): "
                           "cần ghi lý do.", field="appraiser_note")


@transaction.atomic
def appraise(a: Assessment, code: str, points: Any, note: str = "", actor: Any = None,
             at: dt.datetime | None = None) -> Score:
    """The appraisal council's score; a note is required whenever it differs from the self score."""
    if actor is not None and Role.APPRAISER not in acting_roles(actor, a):
        raise Forbidden("Chỉ hội đồng thẩm định chấm điểm thẩm định.")
    a.refresh_from_db(fields=["status", "version"])
    if a.status != Status.SELF_ASSESSED:
        raise NotAllowed("Chỉ thẩm định bản đánh giá đã gửi, chưa hoàn thành thẩm định.")
    score = _score(a, code)
    value = _points(points, score.sub, "appraised_score")
    _need_note(score, value, note)
    score.appraised_score, score.appraiser_note = value, note.strip()
    score.save()
    record_event(a, "score", actor, Role.APPRAISER, at or timezone.now(), note=f"{code}: {value} {note}".strip(),
           payload={"code": code, "appraised": str(value)})
    return score


@transaction.atomic
def record_table(a: Assessment, column: str, values: dict[str, Any], notes: dict[str, str] | None = None,
                 actor: Any = None, at: dt.datetime | None = None) -> None:
    """A whole column at once — the unit's self-assessment table (``self``) or the council's appraisal
    (``appraised``), as a province's spreadsheet has them: checked like one score each, written together
    with one line of history."""
    notes = notes or {}
    a.refresh_from_db(fields=["status", "version"])
    expected = {"self": Status.DRAFT, "appraised": Status.SELF_ASSESSED}.get(column)
    if expected is None:
        raise InvalidInput(f"Cột điểm không hợp lệ: {column}.", field="column")
    if a.status != expected:
        raise NotAllowed(f"Không ghi được cột điểm này khi bản đánh giá ở trạng thái {a.get_status_display()}.")
    if actor is not None:
        needed = {Role.APPRAISER} if column == "appraised" else {Role.PAR_OFFICER, Role.LEADER}
        if not needed & set(acting_roles(actor, a)):
            raise Forbidden("Bạn không có vai trò được ghi cột điểm này.")
    scores = {s.sub.code: s for s in a.scores.select_related("sub")}
    for code, value in values.items():
        if code not in scores:
            raise InvalidInput(f"Không có tiêu chí thành phần {code} trong bộ chỉ số.", field="code")
        score = scores[code]
        points = _points(value, score.sub, f"{column}_score")
        if column == "self":
            score.self_score = points
        else:
            _need_note(score, points, notes.get(code, ""))
            score.appraised_score, score.appraiser_note = points, notes.get(code, "").strip()
    Score.objects.bulk_update([scores[c] for c in values], ["self_score", "appraised_score", "appraiser_note"])
    record_event(a, "score", actor, Role.APPRAISER if column == "appraised" else Role.PAR_OFFICER, at or timezone.now(),
           note=f"{len(values)} tiêu chí ({column})")


@transaction.atomic
def survey(a: Assessment, code: str, points: Any, actor: Any = None, at: dt.datetime | None = None) -> Score:
    if actor is not None and Role.APPRAISER not in acting_roles(actor, a):
        raise Forbidden("Chỉ hội đồng thẩm định ghi điểm điều tra xã hội học.")
    a.refresh_from_db(fields=["status", "version"])
    if a.status not in (Status.DRAFT, Status.SELF_ASSESSED):
        raise NotAllowed("Bản đánh giá đã thẩm định: không sửa điểm điều tra được nữa.")
    score = _score(a, code)
    if score.sub.method != Method.SURVEY:
        raise InvalidInput(f"Tiêu chí {code} không chấm bằng điều tra xã hội học.", field="code")
    score.survey_score = _points(points, score.sub, "survey_score")
    score.save()
    record_event(a, "score", actor, Role.APPRAISER, at or timezone.now(), note=f"{code}: {score.survey_score}")
    return score


@transaction.atomic
def compute(a: Assessment, actor: Any = None, at: dt.datetime | None = None) -> list[Score]:
    """Compute the sub-criteria read from the system's data for the assessed year, and freeze them."""
    at = at or timezone.now()
    if actor is not None and not acting_roles(actor, a):
        raise Forbidden("Chỉ đầu mối CCHC, lãnh đạo đơn vị hoặc hội đồng thẩm định được tính lại.")
    a.refresh_from_db(fields=["status", "version"])
    if a.status not in (Status.DRAFT, Status.SELF_ASSESSED):
        raise NotAllowed("Bản đánh giá đã thẩm định: không tính lại.")
    values = metrics.values(a.unit, dt.date(a.year, 1, 1), dt.date(a.year, 12, 31))
    done = []
    for score in a.scores.select_related("sub").filter(sub__method=Method.COMPUTED):
        value = values.get(score.sub.metric)
        score.computed_at = at
        if value is None:
            score.computed_value, score.computed_points, score.not_applicable = None, None, True
        else:
            score.not_applicable = False
            score.computed_value = Decimal(str(round(value, 4)))
            score.computed_points = metrics.points(value, score.sub)
        score.save()
        done.append(score)
    record_event(a, "compute", actor, Role.PAR_OFFICER, at,
           payload={s.sub.code: None if s.computed_value is None else str(s.computed_value) for s in done})
    return done


class AssessmentWriter(Writer):
    model = Assessment
    event_model = AssessmentEvent
    subject_field = "assessment"
    lifecycle = ASSESSMENTS
    related = ("unit",)
    input_labels = INPUT_LABELS
    free_inputs = ("note",)
    handlers: ClassVar = {}
    conflict_message = "Bản đánh giá vừa được người khác cập nhật; hãy tải lại rồi thao tác."

    def event_fields(self, a: Assessment, change: Change) -> dict[str, Any]:
        return {"actor_label": _label(change.actor, change.role), "note": change.get("note", ""),
                "reason": change.get("reason", "")}


_WRITER = AssessmentWriter()


def perform(a: Assessment | int, action: str, *, actor: Any = None, role: str | None = None,
            at: dt.datetime | None = None, expected_version: int | None = None, note: str = "",
            reason: str = "") -> Assessment:
    roles: Any = [role] if role is not None else (lambda x: acting_roles(actor, x))
    inputs = {"note": note, "reason": reason}
    return _WRITER.perform(a, action, roles=roles, actor=actor, at=at, expected_version=expected_version,
                           inputs={k: v for k, v in inputs.items() if v})
