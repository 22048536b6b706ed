"""The only code that writes supervision: programmes, delegations (status through the shared
lifecycle writer), sessions, reports, the acts the law's deadlines wait for, publication, and
recommendations through ``motcua.followup``. Every write appends one event to the delegation's
history (``DelegationEvent``, its ``seq`` the delegation's new version).

Who sees: council members and staff see the delegations of the units of their scope; the staff of
a body supervised see the delegations that supervise it; the public sees what is published."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, ClassVar

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from motcua.followup import services as followup
from motcua.followup.codes import next_code
from motcua.followup.models import Recommendation
from motcua.people import person_name
from motcua.roles import Role, role_label
from motcua.statemachine import Conflict, Forbidden, InvalidInput, Lifecycle, NotAllowed
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
from motcua.workdays import TZ

DELEGATIONS = Lifecycle("delegation", TABLE, action_labels=ACTION_LABELS, status_labels=STATUS_LABELS)
MemberSpec = tuple[str, str] | tuple[str, str, Any]


def visible(user: Any, qs: QuerySet[Delegation] | None = None) -> QuerySet[Delegation]:
    qs = qs if qs is not None else Delegation.objects.all()
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    ids = scoping.oversight_unit_ids(user)
    if ids is None:
        return qs
    return qs.filter(pk__in=Delegation.objects.filter(
        Q(council_unit_id__in=ids) | Q(units__in=ids) | Q(agencies__unit_id__in=ids)).values("pk"))


def visible_programmes(user: Any) -> QuerySet[Programme]:
    if not getattr(user, "is_authenticated", False):
        return Programme.objects.none()
    ids = scoping.oversight_unit_ids(user)
    if ids is None:
        return Programme.objects.all()
    return Programme.objects.filter(Q(council_unit_id__in=ids) | Q(delegations__in=visible(user))).distinct()


def council_covers(user: Any, unit: AdministrativeUnit) -> bool:
    return scoping.holds_over(user, unit, {Role.COUNCIL})


def acting_roles(user: Any, d: Delegation) -> list[str]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [Role.COUNCIL] if council_covers(user, d.council_unit) or d.created_by_id == user.pk else []


def _require_council(user: Any, unit: AdministrativeUnit) -> None:
    if user is not None and not council_covers(user, unit):
        raise Forbidden(f"Chỉ đại biểu, chuyên viên HĐND {unit.name} được thực hiện thao tác này.")


def _label(actor: Any, role: str = Role.COUNCIL) -> str:
    return f"{person_name(actor)} ({role_label(role)})" if actor is not None else role_label(Role.SYSTEM)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _text(value: str | None, field: str, label: str, max_length: int) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(f"Cần nhập {label}.", field=field)
    if len(value) > max_length:
        raise InvalidInput(f"{label[0].upper()}{label[1:]} dài quá {max_length} ký tự.", field=field)
    return value


# --- programmes -----------------------------------------------------------------------------------

def create_programme(*, council_unit: AdministrativeUnit, year: int, title: str, resolution_number: str = "",
                     resolution_date: dt.date | None = None, adopted_on: dt.date | None = None,
                     actor: Any = None) -> Programme:
    """The Council's supervision programme for ``year`` (adopted at the mid-year session of the year
    before, art. 58)."""
    _require_council(actor, council_unit)
    title = _text(title, "title", "tên chương trình", 300)
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise InvalidInput("Năm của chương trình phải từ 2000 đến 2100.", field="year")
    if adopted_on is not None and adopted_on.year > year:
        raise InvalidInput(f"Ngày thông qua phải trước hoặc trong năm {year}.", field="adopted_on")
    if resolution_date is not None and adopted_on is not None and resolution_date < adopted_on:
        raise InvalidInput("Ngày nghị quyết trước ngày thông qua chương trình.", field="resolution_date")
    return Programme.objects.create(council_unit=council_unit, year=year, title=title,
                                    resolution_number=(resolution_number or "").strip()[:60],
                                    resolution_date=resolution_date, adopted_on=adopted_on)


def publish_programme(p: Programme, actor: Any = None, at: dt.datetime | None = None) -> Programme:
    _require_council(actor, p.council_unit)
    if p.published_at is not None:
        raise NotAllowed("Chương trình giám sát đã được công khai.")
    p.published_at = at or timezone.now()
    Programme.objects.filter(pk=p.pk).update(published_at=p.published_at)
    return p


# --- delegations ----------------------------------------------------------------------------------

@transaction.atomic
def create_delegation(
    *, council_unit: AdministrativeUnit, committee: str, decision_number: str, decision_date: dt.date, topic: str,
    period_from: dt.date, period_to: dt.date, starts_on: dt.date, ends_on: dt.date, number: str = "", scope: str = "",
    subject: str = "", units: Sequence[AdministrativeUnit] = (), agencies: Sequence[Agency] = (),
    members: Sequence[MemberSpec] = (), programme: Programme | None = None, actor: Any = None,
    at: dt.datetime | None = None,
) -> Delegation:
    """A committee's decision setting up a thematic supervision delegation (art. 80)."""
    _require_council(actor, council_unit)
    committee = _text(committee, "committee", "tên Ban", 300)
    decision_number = _text(decision_number, "decision_number", "số quyết định", 60)
    topic = _text(topic, "topic", "nội dung giám sát", 500)
    if len((number or "").strip()) > 20:
        raise InvalidInput("Số hiệu đoàn dài quá 20 ký tự.", field="number")
    if period_to < period_from:
        raise InvalidInput("Thời kỳ giám sát: ngày cuối trước ngày đầu.", field="period_to")
    if ends_on < starts_on:
        raise InvalidInput("Ngày kết thúc trước ngày bắt đầu.", field="ends_on")
    if starts_on < decision_date:
        raise InvalidInput("Đoàn làm việc trước ngày có quyết định thành lập.", field="starts_on")
    if not units and not agencies:
        raise InvalidInput("Cần ít nhất một đơn vị hoặc cơ quan chịu sự giám sát.", field="units")
    if programme is not None and programme.council_unit_id != council_unit.pk:
        raise InvalidInput("Chương trình giám sát không phải của HĐND này.", field="programme")
    if programme is not None and programme.year != decision_date.year:
        raise InvalidInput(f"Chương trình giám sát năm {programme.year} không phải năm của quyết định "
                           f"({decision_date.year}).", field="programme")
    for spec in members:
        if not (spec[0] or "").strip():
            raise InvalidInput("Thành viên đoàn cần có họ tên.", field="members")
    at = at or timezone.now()
    d = Delegation.objects.create(
        code=next_code(f"GS-{decision_date.year}", 3), programme=programme, council_unit=council_unit,
        committee=committee, number=(number or "").strip(), decision_number=decision_number,
        decision_date=decision_date, topic=topic, scope=scope or "", subject=subject or "",
        period_from=period_from, period_to=period_to, starts_on=starts_on, ends_on=ends_on,
        created_by=_user(actor), last_event_at=at)
    d.units.set(units)
    d.agencies.set(agencies)
    for spec in members:
        Member.objects.create(delegation=d, name=spec[0].strip()[:200], position=(spec[1] or "").strip()[:300],
                              user=spec[2] if len(spec) > 2 else None)
    DelegationEvent.objects.create(delegation=d, seq=1, action="create", at=at, actor=d.created_by,
                                   actor_label=_label(actor), to_status=d.status,
                                   note=f"Quyết định {decision_number} ngày {decision_date:%d/%m/%Y}")
    return d


def _record(d: Delegation, action: str, *, actor: Any, at: dt.datetime | None, note: str = "",
            payload: dict[str, Any] | None = None, **fields: Any) -> None:
    """Update ``fields`` of the delegation and append one event, in the caller's transaction: lock
    the row, bump the version with a conditional UPDATE (as the lifecycle writer does). A record is
    not a move of the lifecycle: ``last_event_at`` (the writer's clock for moves) stays."""
    at = at or timezone.now()
    locked = Delegation.objects.select_for_update(of=("self",)).get(pk=d.pk)
    updated = Delegation.objects.filter(pk=d.pk, version=locked.version).update(
        version=locked.version + 1, **fields)
    if updated != 1:
        raise Conflict("Đoàn giám sát vừa được người khác cập nhật; hãy tải lại rồi thao tác.")
    DelegationEvent.objects.create(delegation=d, seq=locked.version + 1, action=action, at=at, actor=_user(actor),
                                   actor_label=_label(actor), from_status=locked.status, to_status=locked.status,
                                   note=note, payload=payload or {})
    d.version = locked.version + 1
    for name, value in fields.items():
        setattr(d, name, value)


@transaction.atomic
def record_plan_sent(d: Delegation, day: dt.date, actor: Any = None, at: dt.datetime | None = None) -> None:
    """The content, plan and report outline were sent to the bodies supervised on ``day``."""
    _require_council(actor, d.council_unit)
    if day is None:
        raise InvalidInput("Cần nhập ngày gửi.", field="plan_sent_on")
    if day < d.decision_date:
        raise InvalidInput("Ngày gửi trước ngày quyết định.", field="plan_sent_on")
    _record(d, "plan_sent", actor=actor, at=at, note=f"Ngày gửi {day:%d/%m/%Y}", plan_sent_on=day)


@transaction.atomic
def add_session(d: Delegation, *, date: dt.date, unit: AdministrativeUnit, agency: Agency | None = None,
                programme_sent_on: dt.date | None = None, notes: str = "", actor: Any = None,
                at: dt.datetime | None = None) -> Session:
    _require_council(actor, d.council_unit)
    if date is None or not (d.starts_on <= date <= d.ends_on):
        raise InvalidInput(f"Ngày làm việc phải trong thời gian làm việc của đoàn ({d.starts_on:%d/%m/%Y} – "
                           f"{d.ends_on:%d/%m/%Y}).", field="date")
    if unit is None:
        raise InvalidInput("Cần nhập đơn vị làm việc.", field="unit")
    if agency is not None and agency.unit_id != unit.pk:
        raise InvalidInput(f"Cơ quan {agency.code} không thuộc đơn vị {unit.name}.", field="agency")
    _check_programme_sent(d, date, programme_sent_on)
    s = Session.objects.create(delegation=d, date=date, unit=unit, agency=agency,
                               programme_sent_on=programme_sent_on, notes=notes or "")
    _record(d, "session", actor=actor, at=at, note=str(s))
    return s


def _check_programme_sent(d: Delegation, session_date: dt.date, day: dt.date | None) -> None:
    if day is not None and day > session_date:
        raise InvalidInput("Ngày gửi chương trình sau buổi làm việc.", field="programme_sent_on")
    if day is not None and day < d.decision_date:
        raise InvalidInput("Ngày gửi chương trình trước ngày quyết định.", field="programme_sent_on")


@transaction.atomic
def record_programme_sent(s: Session, day: dt.date, actor: Any = None, at: dt.datetime | None = None) -> None:
    """The programme and the members were sent to the body of session ``s`` on ``day``."""
    d = s.delegation
    _require_council(actor, d.council_unit)
    if day is None:
        raise InvalidInput("Cần nhập ngày gửi.", field="programme_sent_on")
    _check_programme_sent(d, s.date, day)
    Session.objects.filter(pk=s.pk).update(programme_sent_on=day)
    s.programme_sent_on = day
    _record(d, "programme_sent", actor=actor, at=at, note=f"{s}: ngày gửi {day:%d/%m/%Y}")


# --- the lifecycle --------------------------------------------------------------------------------

def _h_report(d: Delegation, c: Change) -> None:
    day = c.at.astimezone(TZ).date()
    Report.objects.create(delegation=d, date=day, findings=c.get("findings"), sent_at=c.at)
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
    """Move the delegation: ``start`` (working), ``report`` (its report to the committee, with the
    findings), ``conclude`` (the committee's conclusion)."""
    roles: Any = [role] if role is not None else (lambda x: acting_roles(actor, x))
    inputs = {"note": note, "findings": findings, "conclusion": conclusion}
    return _WRITER.perform(d, action, roles=roles, actor=actor, at=at, expected_version=expected_version,
                           inputs={k: v for k, v in inputs.items() if v})


# --- publication (art. 89) ------------------------------------------------------------------------

def unpublished(d: Delegation) -> list[str]:
    """What of the delegation is not published yet (labels), for the page's publish button."""
    out = []
    if d.published_at is None:
        out.append("quyết định, kế hoạch giám sát")
    if d.programme_id and d.programme.published_at is None:
        out.append("chương trình giám sát")
    if d.reports.filter(published_at__isnull=True).exists():
        out.append("báo cáo kết quả giám sát")
    if d.conclusion and d.conclusion_published_at is None:
        out.append("kết luận")
    if recommendations_of(d).filter(published=False).exists():
        out.append("kiến nghị và kết quả theo dõi")
    return out


@transaction.atomic
def publish(d: Delegation, actor: Any = None, at: dt.datetime | None = None) -> list[str]:
    """Publish what the law publishes and is not yet public: the delegation's decision and plan, its
    programme, its reports, its conclusion, its recommendations with their follow-up (art. 89).
    What is written later (a new report, the conclusion) waits for the next publication."""
    _require_council(actor, d.council_unit)
    at = at or timezone.now()
    d.refresh_from_db()
    items = unpublished(d)
    if not items:
        raise NotAllowed("Không có nội dung mới cần công khai.")
    fields: dict[str, Any] = {}
    if d.published_at is None:
        fields["published_at"] = at
    if d.conclusion and d.conclusion_published_at is None:
        fields["conclusion_published_at"] = at
    d.reports.filter(published_at__isnull=True).update(published_at=at)
    if d.programme_id:
        Programme.objects.filter(pk=d.programme_id, published_at__isnull=True).update(published_at=at)
    recommendations_of(d).filter(published=False).update(published=True)
    _record(d, "publish", actor=actor, at=at, note="Công khai: " + "; ".join(items), payload={"items": items},
            **fields)
    return items


# --- recommendations (the follow-up register) -----------------------------------------------------

def recommendations_of(d: Delegation) -> QuerySet[Recommendation]:
    ids = list(d.reports.values_list("pk", flat=True))
    return Recommendation.objects.filter(
        Q(source_type__app_label="supervision", source_type__model="delegation", source_id=d.pk)
        | Q(source_type__app_label="supervision", source_type__model="report", source_id__in=ids))


def recommend(source: Report | Delegation, *, addressee_unit: AdministrativeUnit, text: str,
              deadline: dt.datetime, title: str = "", addressee_agency: Agency | None = None, actor: Any = None,
              at: dt.datetime | None = None) -> Recommendation:
    """A recommendation of the committee's report (art. 81) in the follow-up register; public once the
    delegation publishes it."""
    d = source if isinstance(source, Delegation) else source.delegation
    _require_council(actor, d.council_unit)
    return followup.recommend(
        source=source, addressee_unit=addressee_unit, addressee_agency=addressee_agency, text=text, title=title,
        deadline=deadline, actor=actor, at=at, issuer_unit=d.council_unit,
        issuer_name=f"{d.committee} — Đoàn giám sát {d.number or d.code}", source_label=str(source))
