"""The only code that writes supervision: programmes, delegations (status through the shared
lifecycle writer), sessions, reports, publication, and recommendations through ``motcua.followup``.

Who sees: council members and staff see the delegations of the units of their scope; the staff of
a body supervised see the delegations that supervise it; the public sees what is published."""
from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from motcua.followup import services as followup
from motcua.followup.codes import next_code
from motcua.followup.models import Recommendation
from motcua.people import person_name
from motcua.roles import Role, role_label
from motcua.statemachine import Forbidden, InvalidInput, Lifecycle
from motcua.statemachine.writer import Change, Writer
from motcua.supervision.lifecycle import ACTION_LABELS, INPUT_LABELS, STATUS_LABELS, TABLE, Action
from motcua.supervision.models import (
    Delegation,
    DelegationEvent,
    Member,
    Programme,
    Report,
    Session,
)
from motcua.units import scoping
from motcua.units.models import AdministrativeUnit, Agency

DELEGATIONS = Lifecycle("delegation", TABLE, action_labels=ACTION_LABELS, status_labels=STATUS_LABELS)


def visible(user: Any, qs: QuerySet[Delegation] | None = None) -> QuerySet[Delegation]:
    qs = qs if qs is not None else Delegation.objects.all()
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    ids = scoping.oversight_unit_ids(user)
    if ids is None:
        return qs
    return qs.filter(Q(council_unit_id__in=ids) | Q(units__in=ids) | Q(agencies__unit_id__in=ids)).distinct()


def council_covers(user: Any, unit: AdministrativeUnit) -> bool:
    return scoping.holds_over(user, unit, {Role.COUNCIL})

def acting_roles(user: Any, d: Delegation) -> list[str]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [Role.COUNCIL] if council_covers(user, d.council_unit) or d.created_by_id == user.pk else []


def _require_council(user: Any, unit: AdministrativeUnit) -> None:
    if user is not None and not council_covers(user, unit):
        raise Forbidden(f"Chỉ đại biểu, chuyên viên HĐND {unit.name} được thực hiện thao tác này.")


def create_programme(*, council_unit: AdministrativeUnit, year: int, title: str, resolution_number: str = "",
                     adopted_on: dt.date | None = None, actor: Any = None) -> Programme:
    _require_council(actor, council_unit)
    if not title.strip():
        raise InvalidInput("Cần nhập tên chương trình.", field="title")
    return Programme.objects.create(council_unit=council_unit, year=year, title=title.strip(),
                                    resolution_number=resolution_number, adopted_on=adopted_on)


@transaction.atomic
def create_delegation(
    *, council_unit: AdministrativeUnit, committee: str, decision_number: str, decision_date: dt.date, topic: str,
    period_from: dt.date, period_to: dt.date, starts_on: dt.date, ends_on: dt.date, number: str = "", scope: str = "",
    units: list[AdministrativeUnit] = (), agencies: list[Agency] = (), members: list[tuple[str, str]] = (),
    programme: Programme | None = None, actor: Any = None, at: dt.datetime | None = None,
) -> Delegation:
    _require_council(actor, council_unit)
    for name, value in (("committee", committee), ("decision_number", decision_number), ("topic", topic)):
        if not (value or "").strip():
            raise InvalidInput(f"Cần nhập {INPUT_FIELDS[name]}.", field=name)
    if period_to < period_from:
        raise InvalidInput("Thời kỳ giám sát: ngày cuối trước ngày đầu.", field="period_to")
    if ends_on < starts_on:
        raise InvalidInput("Ngày kết thúc trước ngày bắt đầu.", field="ends_on")
    if starts_on < decision_date:
        raise InvalidInput("Đoàn làm việc trước ngày có quyết định thành lập.", field="starts_on")
    at = at or timezone.now()
    d = Delegation.objects.create(
        code=next_code(f"GS-{decision_date.year}", 3), programme=programme, council_unit=council_unit,
        committee=committee,
        number=number, decision_number=decision_number, decision_date=decision_date, topic=topic, scope=scope,
        period_from=period_from, period_to=period_to, starts_on=starts_on, ends_on=ends_on,
        created_by=actor if getattr(actor, "pk", None) else None, last_event_at=at)
    d.units.set(units)
    d.agencies.set(agencies)
    for name, position in members:
        Member.objects.create(delegation=d, name=name, position=position)
    DelegationEvent.objects.create(delegation=d, seq=1, action="create", at=at, actor=d.created_by,
                                   actor_label=_label(actor), to_status=d.status)
    return d


INPUT_FIELDS = {"committee": "tên Ban", "decision_number": "số quyết định", "topic": "nội dung giám sát"}


def _label(actor: Any, role: str = Role.COUNCIL) -> str:
    return f"{person_name(actor)} ({role_label(role)})" if actor is not None else role_label(Role.SYSTEM)


def record_plan_sent(d: Delegation, day: dt.date, actor: Any = None) -> None:
    _require_council(actor, d.council_unit)
    if day < d.decision_date:
        raise InvalidInput("Ngày gửi trước ngày quyết định.", field="plan_sent_on")
    Delegation.objects.filter(pk=d.pk).update(plan_sent_on=day)
    d.plan_sent_on = day


def add_session(d: Delegation, *, date: dt.date, unit: AdministrativeUnit, agency: Agency | None = None,
                programme_sent_on: dt.date | None = None, notes: str = "", actor: Any = None) -> Session:
    _require_council(actor, d.council_unit)
    if not (d.starts_on <= date <= d.ends_on):
        raise InvalidInput("Buổi làm việc phải trong thời gian làm việc của đoàn.", field="date")
    if programme_sent_on is not None and programme_sent_on > date:
        raise InvalidInput("Ngày gửi chương trình sau buổi làm việc.", field="programme_sent_on")
    return Session.objects.create(delegation=d, date=date, unit=unit, agency=agency,
                                  programme_sent_on=programme_sent_on, notes=notes)


def _h_report(d: Delegation, c: Change) -> None:
    day = c.at.astimezone(timezone.get_default_timezone()).date()
    Report.objects.create(delegation=d, date=day, findings=c.get("findings"))
    d.reported_on = day


def _h_conclude(d: Delegation, c: Change) -> None:
    d.conclusion = c.get("conclusion")


class DelegationWriter(Writer):
    model = Delegation
    event_model = DelegationEvent
    subject_field = "delegation"
    lifecycle = DELEGATIONS
    related = ("council_unit",)
    input_labels = INPUT_LABELS
    free_inputs = ("note",)
    state_fields = ("reported_on", "conclusion")
    handlers: ClassVar = {Action.REPORT: _h_report, Action.CONCLUDE: _h_conclude}
    conflict_message = "Đoàn giám sát vừa được người khác cập nhật; hãy tải lại rồi thao tác."

    def event_fields(self, d: Delegation, change: Change) -> dict[str, Any]:
        return {"actor_label": _label(change.actor, change.role),
                "note": change.get("note", "") or change.get("findings", "") or change.get("conclusion", "")}


_WRITER = DelegationWriter()


def perform(d: Delegation | int, action: str, *, actor: Any = None, role: str | None = None,
            at: dt.datetime | None = None, expected_version: int | None = None, note: str = "", findings: str = "",
            conclusion: str = "") -> Delegation:
    roles: Any = [role] if role is not None else (lambda x: acting_roles(actor, x))
    inputs = {"note": note, "findings": findings, "conclusion": conclusion}
    return _WRITER.perform(d, action, roles=roles, actor=actor, at=at, expected_version=expected_version,
                           inputs={k: v for k, v in inputs.items() if v})


@transaction.atomic
def publish(d: Delegation, actor: Any = None, at: dt.datetime | None = None) -> None:
    """Publish the delegation, its reports, its programme and its recommendations' follow-up (art. 89)."""
    _require_council(actor, d.council_unit)
    at = at or timezone.now()
    Delegation.objects.filter(pk=d.pk).update(published_at=at)
    d.reports.filter(published_at__isnull=True).update(published_at=at)
    if d.programme_id:
        Programme.objects.filter(pk=d.programme_id, published_at__isnull=True).update(published_at=at)
    recommendations_of(d).update(published=True)
    d.published_at = at


def recommendations_of(d: Delegation) -> QuerySet[Recommendation]:
    ids = [r.pk for r in d.reports.all()]
    return (Recommendation.objects.for_source(d) | Recommendation.objects.filter(
        source_type__app_label="supervision", source_type__model="report", source_id__in=ids))


def recommend(report: Report, *, addressee_unit: AdministrativeUnit, text: str, deadline: dt.datetime,
              title: str = "", addressee_agency: Agency | None = None, actor: Any = None,
              at: dt.datetime | None = None) -> Recommendation:
    d = report.delegation
    _require_council(actor, d.council_unit)
    return followup.recommend(
        source=report, addressee_unit=addressee_unit, addressee_agency=addressee_agency, text=text, title=title,
        deadline=deadline, actor=actor, at=at, issuer_unit=d.council_unit,
        issuer_name=f"{d.committee} — Đoàn giám sát {d.number or d.code}", source_label=str(report),
        published=d.published_at is not None)
