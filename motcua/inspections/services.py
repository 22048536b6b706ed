"""The only code that writes inspections: plans and targets, an inspection with its team, its
status through the shared lifecycle writer, findings (and their recommendations through
``motcua.followup``) and the evidence taken from the dossier data (``evidence.py``)."""
from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from motcua.followup import services as followup
from motcua.followup.codes import next_code
from motcua.followup.models import Recommendation
from motcua.inspections.lifecycle import (
    ACTION_LABELS,
    INPUT_LABELS,
    STATUS_LABELS,
    TABLE,
    Action,
    EventKind,
    Status,
)
from motcua.inspections.models import (
    Finding,
    Inspection,
    InspectionEvent,
    InspectionPlan,
    PlanTarget,
    TeamMember,
)
from motcua.people import person_name
from motcua.roles import Role, role_label
from motcua.statemachine import Forbidden, InvalidInput, Lifecycle, NotAllowed
from motcua.statemachine.writer import Change, Writer
from motcua.units import scoping
from motcua.units.models import AdministrativeUnit, Agency

OPEN = (Status.PLANNED, Status.IN_PROGRESS)  # findings and evidence are recorded until the conclusion
INSPECTIONS = Lifecycle("inspection", TABLE, action_labels=ACTION_LABELS, status_labels=STATUS_LABELS)


# --- who sees, who acts -------------------------------------------------------------------------------

def visible(user: Any, qs: QuerySet[Inspection] | None = None) -> QuerySet[Inspection]:
    """An inspector sees the inspections of the units of its scope; the inspected unit's staff see
    theirs; nobody else (404)."""
    qs = qs if qs is not None else Inspection.objects.all()
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    ids = scoping.oversight_unit_ids(user)
    if ids is None:
        return qs
    return qs.filter(Q(unit_id__in=ids) | Q(plan__unit_id__in=ids) | Q(created_by=user))


def visible_plans(user: Any) -> QuerySet[InspectionPlan]:
    ids = scoping.oversight_unit_ids(user)
    qs = InspectionPlan.objects.all()
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    return qs if ids is None else qs.filter(Q(unit_id__in=ids) | Q(targets__unit_id__in=ids)).distinct()


def inspector_covers(user: Any, unit: AdministrativeUnit) -> bool:
    """The user is an inspector whose scope covers ``unit``."""
    return scoping.holds_over(user, unit, {Role.INSPECTOR})

def acting_roles(user: Any, inspection: Inspection) -> list[str]:
    if getattr(user, "is_authenticated", False) and (inspector_covers(user, inspection.unit)
                                                      or inspection.created_by_id == user.pk):
        return [Role.INSPECTOR]
    return []


def _require_inspector(user: Any, unit: AdministrativeUnit) -> None:
    if user is not None and not inspector_covers(user, unit):
        raise Forbidden(f"Chỉ thanh tra có phạm vi gồm {unit.name} được thực hiện thao tác này.")


# --- plans --------------------------------------------------------------------------------------------

def create_plan(*, year: int, title: str, issuer: str, unit: AdministrativeUnit, decision_number: str = "",
                decision_date: dt.date | None = None, themes: str = "", actor: Any = None) -> InspectionPlan:
    if not (2000 <= year <= 2100):
        raise InvalidInput(f"Năm kế hoạch không hợp lệ: {year}.", field="year")
    if not title.strip():
        raise InvalidInput("Cần nhập tên kế hoạch.", field="title")
    _require_inspector(actor, unit)
    return InspectionPlan.objects.create(year=year, title=title.strip(), issuer=issuer.strip(), unit=unit,
                                         decision_number=decision_number, decision_date=decision_date, themes=themes)


def add_target(plan: InspectionPlan, *, population: str, unit: AdministrativeUnit | None = None,
               agency: Agency | None = None, name: str = "", kind: str | None = None,
               actor: Any = None) -> PlanTarget:
    """A target of the plan, in a population; an agency or unit must lie within the plan's unit."""
    if not population.strip():
        raise InvalidInput("Cần nhập nhóm đối tượng (ví dụ: UBND cấp xã).", field="population")
    if unit is None and agency is None and not name.strip():
        raise InvalidInput("Cần chọn đơn vị, cơ quan hoặc nhập tên đối tượng.", field="name")
    kind = kind or (PlanTarget.Kind.AGENCY if agency else PlanTarget.Kind.UNIT if unit else PlanTarget.Kind.OTHER)
    if kind not in PlanTarget.Kind.values:
        raise InvalidInput(f"Loại đối tượng không hợp lệ: {kind}.", field="kind")
    if kind == PlanTarget.Kind.UNIT and unit is None:
        raise InvalidInput("Đối tượng là đơn vị hành chính: cần mã đơn vị.", field="unit")
    if kind == PlanTarget.Kind.AGENCY and agency is None:
        raise InvalidInput("Đối tượng là cơ quan: cần mã cơ quan.", field="agency")
    within = scoping.descendant_unit_ids(plan.unit)
    for field, where in (("unit", unit), ("agency", agency.unit if agency is not None else None)):
        if where is not None and where.pk not in within:
            raise InvalidInput(f"{where.name} không thuộc phạm vi của kế hoạch ({plan.unit.name}).", field=field)
    _require_inspector(actor, plan.unit)
    same = plan.targets.filter(population=population.strip(), unit=unit, agency=agency)
    if same.filter(name__iexact=name.strip()).exists():
        raise InvalidInput("Đối tượng này đã có trong kế hoạch, cùng nhóm.", field="name" if name.strip() else
                           "agency" if agency else "unit")
    return PlanTarget.objects.create(plan=plan, population=population.strip(), kind=kind, unit=unit, agency=agency,
                                     name=name.strip())


# --- inspections --------------------------------------------------------------------------------------

@transaction.atomic
def plan_inspection(
    *, topic: str, unit: AdministrativeUnit | None = None, target: PlanTarget | None = None,
    agency: Agency | None = None, target_name: str = "", kind: str = Inspection.Kind.PLANNED,
    period_from: dt.date, period_to: dt.date, starts_on: dt.date, ends_on: dt.date, plan: InspectionPlan | None = None,
    follows: Inspection | None = None, decision_number: str = "", decision_date: dt.date | None = None,
    decision_issuer: str = "", team: list[tuple[str, str, str]] = (), actor: Any = None, at: dt.datetime | None = None,
) -> Inspection:
    """Plan an inspection of a target (of a plan) or of a unit/agency directly; ``team``: (name, position, role)."""
    at = at or timezone.now()
    if target is not None:
        plan = plan or target.plan
        agency = agency or target.agency
        unit = unit or target.unit or (target.agency.unit if target.agency_id else None)
        target_name = target_name or (target.name if not (target.unit_id or target.agency_id) else "")
    if agency is not None and unit is None:
        unit = agency.unit
    if unit is None:
        unit = plan.unit if plan is not None else None
    if unit is None:
        raise InvalidInput("Cần chọn đơn vị được kiểm tra.", field="unit")
    if not topic.strip():
        raise InvalidInput("Cần nhập nội dung kiểm tra.", field="topic")
    if period_to < period_from:
        raise InvalidInput("Thời kỳ được kiểm tra: ngày cuối trước ngày đầu.", field="period_to")
    if ends_on < starts_on:
        raise InvalidInput("Ngày kết thúc làm việc trước ngày bắt đầu.", field="ends_on")
    if kind not in Inspection.Kind.values:
        raise InvalidInput(f"Loại kiểm tra không hợp lệ: {kind}.", field="kind")
    if kind == Inspection.Kind.REINSPECTION and follows is None:
        raise InvalidInput("Kiểm tra lại phải chỉ ra cuộc kiểm tra trước.", field="follows")
    _require_inspector(actor, unit)
    inspection = Inspection.objects.create(
        code=next_code(f"KT-{starts_on.year}", 4), plan=plan, target=target, unit=unit, agency=agency,
        target_name=target_name,
        kind=kind, follows=follows, decision_number=decision_number, decision_date=decision_date,
        decision_issuer=decision_issuer, topic=topic.strip(), period_from=period_from, period_to=period_to,
        starts_on=starts_on, ends_on=ends_on, created_by=actor if getattr(actor, "pk", None) else None,
        version=1, last_event_at=at,
    )
    for name, position, team_role in team:
        TeamMember.objects.create(inspection=inspection, name=name, position=position, team_role=team_role)
    InspectionEvent.objects.create(inspection=inspection, seq=1, action=EventKind.PLAN, at=at,
                                   actor=inspection.created_by, actor_label=_label(actor), to_status=inspection.status,
                                   payload={"kind": kind, "unit": unit.code})
    return inspection


def _label(actor: Any, role: str = Role.INSPECTOR) -> str:
    return f"{person_name(actor)} ({role_label(role)})" if actor is not None else role_label(Role.SYSTEM)


def _h_conclude(i: Inspection, c: Change) -> None:
    i.conclusion = c.get("conclusion")
    i.concluded_at = c.at


class InspectionWriter(Writer):
    model = Inspection
    event_model = InspectionEvent
    subject_field = "inspection"
    lifecycle = INSPECTIONS
    related = ("unit",)
    input_labels = INPUT_LABELS
    free_inputs = ("note",)
    state_fields = ("conclusion", "concluded_at")
    handlers: ClassVar = {Action.CONCLUDE: _h_conclude}
    conflict_message = "Cuộc kiểm tra vừa được người khác cập nhật; hãy tải lại rồi thao tác."

    def event_fields(self, i: Inspection, change: Change) -> dict[str, Any]:
        return {"actor_label": _label(change.actor, change.role), "note": change.get("note", ""),
                "reason": change.get("reason", "") or change.get("conclusion", "")}


_WRITER = InspectionWriter()


def perform(inspection: Inspection | int, action: str, *, actor: Any = None, role: str | None = None,
            at: dt.datetime | None = None, expected_version: int | None = None, note: str = "", reason: str = "",
            conclusion: str = "") -> Inspection:
    roles: Any = [role] if role is not None else (lambda i: acting_roles(actor, i))
    inputs = {"note": note, "reason": reason, "conclusion": conclusion}
    return _WRITER.perform(inspection, action, roles=roles, actor=actor, at=at, expected_version=expected_version,
                           inputs={k: v for k, v in inputs.items() if v})


def append_event(inspection: Inspection, kind: EventKind, actor: Any, at: dt.datetime, note: str = "",
                 payload: dict | None = None) -> None:
    """A line of history that does not move the status (a finding, evidence), with the version bumped."""
    locked = Inspection.objects.select_for_update(of=("self",)).get(pk=inspection.pk)
    locked.version += 1
    Inspection.objects.filter(pk=locked.pk).update(version=locked.version, last_event_at=at)
    InspectionEvent.objects.create(inspection=locked, seq=locked.version, action=kind, at=at,
                                   actor=actor if getattr(actor, "pk", None) else None, actor_label=_label(actor),
                                   from_status=locked.status, to_status=locked.status, note=note,
                                   payload=payload or {})
    inspection.version = locked.version


@transaction.atomic
def record_finding(inspection: Inspection, *, theme: str, description: str, severity: str = "shortcoming",
                   people_concerned: str = "", actor: Any = None, at: dt.datetime | None = None) -> Finding:
    at = at or timezone.now()
    if actor is not None and not acting_roles(actor, inspection):
        raise Forbidden("Chỉ thanh tra của cuộc kiểm tra được ghi nhận phát hiện.")
    if inspection.status not in OPEN:
        raise NotAllowed(f"Cuộc kiểm tra {inspection.get_status_display().lower()}: không ghi thêm phát hiện.")
    if not theme.strip() or not description.strip():
        raise InvalidInput("Cần nhập nội dung và mô tả phát hiện.", field="description" if theme.strip() else "theme")
    if severity not in Finding.Severity.values:
        raise InvalidInput(f"Mức độ không hợp lệ: {severity}.", field="severity")
    finding = Finding.objects.create(inspection=inspection, theme=theme.strip(), description=description.strip(),
                                     severity=severity, people_concerned=people_concerned, recorded_at=at)
    append_event(inspection, EventKind.FINDING, actor, at, note=f"{finding.theme}: {finding.description}")
    return finding


def recommend(finding: Finding, *, text: str, deadline: dt.datetime, title: str = "", actor: Any = None,
              at: dt.datetime | None = None, published: bool = False) -> Recommendation:
    """A recommendation from a finding, addressed to the inspected unit (and agency)."""
    inspection = finding.inspection
    if actor is not None and not acting_roles(actor, inspection):
        raise Forbidden("Chỉ thanh tra của cuộc kiểm tra được đưa ra kiến nghị.")
    return followup.recommend(
        source=finding, addressee_unit=inspection.unit, addressee_agency=inspection.agency, text=text, title=title,
        deadline=deadline, actor=actor, at=at, issuer_unit=inspection.plan.unit if inspection.plan_id else None,
        issuer_name=f"Đoàn kiểm tra {inspection.code}" + (f" ({inspection.decision_issuer})"
                                                          if inspection.decision_issuer else ""),
        source_label=f"{inspection.code} · {finding.theme}", published=published)
