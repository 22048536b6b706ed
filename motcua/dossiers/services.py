"""The ONLY code that changes a dossier's state (design.md "One writer").

Every change is one transaction: lock the row, check the lifecycle table, apply, bump the
dossier's version with a conditional UPDATE (so two officers acting at once cannot both
succeed, on PostgreSQL and on SQLite alike), append a typed event.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from motcua.catalog.models import ClockPolicy, Procedure
from motcua.dossiers import lifecycle
from motcua.dossiers.lifecycle import Action, Status
from motcua.dossiers.models import Document, Dossier, DossierCodeSequence, DossierEvent, DossierStep
from motcua.notifications import outbox
from motcua.regimes import regime_at, regime_by_code
from motcua.reports import rollups
from motcua.units.calendars import calendar_for_unit
from motcua.units.models import AdministrativeUnit, Agency
from motcua.workdays import TZ, Calendar


class DossierError(Exception):
    """A refused change, with a code the API and screens map to a status and a message."""

    code = "invalid"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAllowed(DossierError):
    code = "not_allowed"  # the lifecycle table has no such move from the current status


class Forbidden(DossierError):
    code = "forbidden"  # the move exists but not for this role


class Conflict(DossierError):
    code = "conflict"  # someone else changed the dossier first


@dataclass
class Applicant:
    name: str = ""
    id_number: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""


@dataclass
class Context:
    """What a handler needs besides the locked dossier."""

    at: dt.datetime
    calendar: Calendar
    note: str = ""
    reason: str = ""
    new_due_at: dt.datetime | None = None
    agency: Agency | None = None
    payload: dict[str, Any] = field(default_factory=dict)


def _now(at: dt.datetime | None) -> dt.datetime:
    at = at or timezone.now()
    if timezone.is_naive(at):
        at = at.replace(tzinfo=TZ)
    return at


def _next_code(agency_code: str, regime_code: str, day: dt.date) -> str:
    """The next code of the day for this agency: one atomic upsert, so codes are never reused."""
    regime = regime_by_code(regime_code)
    prefix = regime.dossier_code(agency_code, day, 0).rsplit("-", 1)[0]
    table = connection.ops.quote_name(DossierCodeSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (prefix, last) VALUES (%s, 1) "
            f"ON CONFLICT (prefix) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [prefix],
        )
        seq = cursor.fetchone()[0]
    return regime.dossier_code(agency_code, day, seq)


def _start_clock(dossier: Dossier, at: dt.datetime, calendar: Calendar) -> None:
    procedure = dossier.procedure
    dossier.received_at = at
    dossier.clock_start = calendar.start_of_clock(at, procedure.cutoff)
    dossier.due_at = calendar.add_working_time(dossier.clock_start, procedure.legal_minutes)
    _schedule_steps(dossier, calendar, dossier.clock_start, procedure.legal_minutes, first_open=1)


def _schedule_steps(
    dossier: Dossier, calendar: Calendar, start: dt.datetime, remaining: int, first_open: int
) -> None:
    """Give each unfinished step a due instant: the remaining time, spent in route order."""
    steps = [s for s in dossier.steps.all() if s.order >= first_open and s.finished_at is None]
    later = sum(s.share_minutes for s in steps)
    for step in steps:
        later -= step.share_minutes
        step.due_at = calendar.add_working_time(start, max(remaining - later, 0))
    DossierStep.objects.bulk_update(steps, ["due_at"])


def _create_steps(dossier: Dossier) -> None:
    agencies: dict[tuple[str, str], Agency | None] = {}
    steps = []
    for step in dossier.procedure.steps.all():
        where = (step.agency_level, step.agency_kind)
        if where not in agencies:
            agencies[where] = _agency_for_step(dossier, *where)
        steps.append(DossierStep(dossier=dossier, order=step.order, name=step.name, role=step.role,
                                 agency=agencies[where], share_minutes=step.share_minutes))
    DossierStep.objects.bulk_create(steps)


def _agency_for_step(dossier: Dossier, level: str, kind: str) -> Agency | None:
    """The agency that performs a route step: same unit tree, the level and kind named."""
    if not level and not kind:
        return dossier.agency
    unit: AdministrativeUnit | None = dossier.unit
    while unit is not None and level and unit.level != level:
        unit = unit.parent
    if unit is None:
        return dossier.agency
    agencies = Agency.objects.filter(unit=unit)
    if kind:
        agencies = agencies.filter(kind=kind)
    return agencies.order_by("code").first() or dossier.agency


def _append_event(
    dossier: Dossier, action: str, at: dt.datetime, from_status: str, actor: Any, role: str, ctx_note: str = "",
    reason: str = "", payload: dict[str, Any] | None = None,
) -> DossierEvent:
    role_label = lifecycle.ROLE_LABELS.get(role, role)
    label = f"{actor.get_full_name() or actor.get_username()} ({role_label})" if actor is not None else role_label
    event = DossierEvent.objects.create(
        dossier=dossier, seq=dossier.version, action=action, at=at,
        actor=actor, actor_label=label, from_status=from_status, to_status=dossier.status,
        step=dossier.current_step or None, note=ctx_note, reason=reason, payload=payload or {},
    )
    outbox.on_event(dossier, event)
    return event


@transaction.atomic
def receive(
    *, procedure: Procedure, unit: AdministrativeUnit, agency: Agency | None = None, channel: str = "counter",
    applicant: Applicant | None = None, matter: str = "", sets: int = 1, documents: Iterable[str] = (),
    at: dt.datetime | None = None, actor: Any = None, role: str = lifecycle.COUNTER,
    idempotency_key: str | None = None, level: str | None = None, online: bool = False,
) -> Dossier:
    """Create a dossier: received at the counter (status received, clock started), or, with
    ``online=True``, submitted online and awaiting intake (status submitted, no clock yet)."""
    at = _now(at)
    if idempotency_key:
        existing = Dossier.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    if role not in {lifecycle.COUNTER, lifecycle.SYSTEM, lifecycle.APPLICANT}:
        raise Forbidden("Chỉ cán bộ một cửa được tiếp nhận hồ sơ.")
    day = at.astimezone(TZ).date()
    regime = regime_at(day)
    applicant = applicant or Applicant()
    dossier = Dossier(
        code=_next_code(agency.code if agency else unit.code, regime.code, day),
        regime=regime.code, procedure=procedure, unit=unit, agency=agency,
        level=level or (agency.level if agency else unit.level),
        channel="online" if online else channel,
        status=Status.SUBMITTED if online else Status.RECEIVED,
        applicant_name=applicant.name, applicant_id=applicant.id_number, applicant_phone=applicant.phone,
        applicant_email=applicant.email, applicant_address=applicant.address, matter=matter or procedure.name,
        sets=sets, submitted_at=at if online else None, idempotency_key=idempotency_key, version=1,
        last_event_at=at,
    )
    dossier.save()
    _create_steps(dossier)
    for name in documents:
        Document.objects.create(dossier=dossier, name=name, paper=not online)
    if not online:
        dossier.current_step = 1
        _start_clock(dossier, at, calendar_for_unit(unit))
        DossierStep.objects.filter(dossier=dossier, order=1).update(started_at=at)
        dossier.save()
    _append_event(dossier, "submit" if online else "receive", at, "", actor, role,
                  payload={"documents": list(documents)})
    rollups.record(dossier, rollups.Position(), at)
    return dossier


# --- handlers: one per action, each mutates the locked dossier (never saves it) ---------------

def _finish_current_step(d: Dossier, at: dt.datetime) -> None:
    if d.current_step:
        DossierStep.objects.filter(dossier=d, order=d.current_step, finished_at__isnull=True).update(finished_at=at)


def _h_accept(d: Dossier, c: Context) -> None:
    d.current_step = 1
    _start_clock(d, c.at, c.calendar)
    DossierStep.objects.filter(dossier=d, order=1).update(started_at=c.at)


def _h_request_completion(d: Dossier, c: Context) -> None:
    if d.events.filter(action=Action.REQUEST_COMPLETION).exists():
        raise DossierError("Chỉ được yêu cầu bổ sung, hoàn thiện hồ sơ một lần, nêu đủ mọi thành phần còn thiếu.")
    if not c.note:
        raise DossierError("Cần ghi rõ các thành phần hồ sơ phải bổ sung, hoàn thiện.")


def _h_needs_reason(d: Dossier, c: Context) -> None:
    if not c.reason:
        raise DossierError("Cần ghi rõ lý do.")


def _h_hand_over(d: Dossier, c: Context) -> None:
    steps = d.steps.count()
    if steps and d.current_step >= steps:
        raise DossierError("Hồ sơ đang ở bước cuối của quy trình; không còn bước để chuyển.")
    _finish_current_step(d, c.at)
    d.current_step += 1
    updates: dict[str, Any] = {"started_at": c.at}
    if c.agency is not None:
        updates["agency"] = c.agency
        c.payload["agency"] = c.agency.code
    DossierStep.objects.filter(dossier=d, order=d.current_step).update(**updates)


def _h_pause(d: Dossier, c: Context) -> None:
    if c.payload["_action"] == Action.REQUEST_SUPPLEMENT:
        d.supplement_requests += 1
    d.paused_at = c.at
    d.remaining_minutes = c.calendar.working_time_between(c.at, d.due_at) if d.due_at else 0


def _h_resume(d: Dossier, c: Context) -> None:
    restart = c.payload.get("_action") == Action.SUPPLY and d.procedure.clock_policy == ClockPolicy.RESTART
    start = c.calendar.start_of_clock(c.at, None)
    remaining = d.procedure.legal_minutes if restart else (d.remaining_minutes or 0)
    old_due = d.due_at
    late_pause = not restart and old_due is not None and d.paused_at is not None and d.paused_at >= old_due
    # Paused after the due instant, the time had run out: waiting for the citizen gives none back.
    d.due_at = old_due if late_pause else c.calendar.add_working_time(start, remaining)
    if restart:
        d.clock_start = start
    c.payload.update(policy="restart" if restart else "pause", old_due_at=old_due.isoformat() if old_due else None,
                     new_due_at=d.due_at.isoformat())
    d.paused_at = None
    d.remaining_minutes = None
    if not late_pause:
        _schedule_steps(d, c.calendar, start, remaining, first_open=d.current_step or 1)


def apology_open(d: Dossier, at: dt.datetime, calendar: Calendar | None = None) -> bool:
    """An apology may be sent only before the due instant, with at least the lead time
    (``MOTCUA_APOLOGY_LEAD_MINUTES`` working minutes, [practice]: one working day) still left."""
    if d.due_at is None or at >= d.due_at:
        return False
    lead = settings.MOTCUA_APOLOGY_LEAD_MINUTES
    cal = calendar or calendar_for_unit(d.unit)
    return lead <= 0 or cal.working_time_between(at, d.due_at) >= lead


def can_apologize(d: Dossier, at: dt.datetime | None = None) -> bool:
    """Whether the apology (form 04) may be offered now: allowed by the table, not yet sent, in time."""
    return (
        Action.APOLOGIZE in lifecycle.TABLE[Status(d.status)]
        and d.extended_due_at is None and apology_open(d, _now(at))
    )


def _h_apologize(d: Dossier, c: Context) -> None:
    if d.extended_due_at is not None:
        raise DossierError("Hồ sơ đã có một lần xin lỗi và hẹn lại ngày trả; chỉ được hẹn lại một lần.")
    if not apology_open(d, c.at, c.calendar):
        raise DossierError("Phiếu xin lỗi phải gửi trước thời hạn giải quyết (chậm nhất 1 ngày làm việc trước hạn).")
    if c.new_due_at is None or d.due_at is None or c.new_due_at <= d.due_at:
        raise DossierError("Ngày hẹn trả mới phải sau thời hạn giải quyết hiện tại.")
    if not c.reason:
        raise DossierError("Cần ghi rõ lý do chậm trễ.")
    d.extended_due_at = c.new_due_at
    c.payload.update(original_due_at=d.due_at.isoformat(), new_due_at=c.new_due_at.isoformat())


def _h_finish(d: Dossier, c: Context) -> None:
    action = c.payload["_action"]
    if action == Action.STOP and not regime_by_code(d.regime).allows_stop:
        raise NotAllowed("Chế độ pháp lý của hồ sơ này không có thông báo dừng xử lý.")
    if action in (Action.REFUSE, Action.STOP) and not c.reason:
        raise DossierError("Cần ghi rõ lý do.")
    _finish_current_step(d, c.at)
    d.finished_at = c.at
    d.outcome = lifecycle.FINISHING_ACTIONS[Action(action)]


def _h_return(d: Dossier, c: Context) -> None:
    d.returned_at = c.at


def _h_withdraw(d: Dossier, c: Context) -> None:
    d.withdrawn_at = c.at
    d.outcome = "withdrawn"


HANDLERS: dict[Action, Callable[[Dossier, Context], None]] = {
    Action.REQUEST_COMPLETION: _h_request_completion,
    Action.ACCEPT: _h_accept,
    Action.REJECT_INTAKE: _h_needs_reason,
    Action.HAND_OVER: _h_hand_over,
    Action.REQUEST_SUPPLEMENT: _h_pause,
    Action.SUPPLY: _h_resume,
    Action.REQUEST_PAYMENT: _h_pause,
    Action.PAY: _h_resume,
    Action.APOLOGIZE: _h_apologize,
    Action.RESOLVE: _h_finish,
    Action.REFUSE: _h_finish,
    Action.STOP: _h_finish,
    Action.RETURN: _h_return,
    Action.WITHDRAW: _h_withdraw,
}

_STATE_FIELDS = [
    "status", "clock_start", "due_at", "extended_due_at", "paused_at", "remaining_minutes", "supplement_requests",
    "finished_at", "outcome", "returned_at", "withdrawn_at", "current_step", "received_at", "last_event_at",
]


@transaction.atomic
def perform(
    dossier: Dossier | int, action: str, *, role: str, actor: Any = None, at: dt.datetime | None = None,
    note: str = "", reason: str = "", new_due_at: dt.datetime | None = None, agency: Agency | None = None,
    payload: dict[str, Any] | None = None,
) -> Dossier:
    """Apply ``action`` to the dossier as ``role``; raise a DossierError and change nothing if refused."""
    pk = dossier.pk if isinstance(dossier, Dossier) else dossier
    d = Dossier.objects.select_for_update().select_related("procedure", "unit").get(pk=pk)
    try:
        act = Action(action)
    except ValueError:
        raise NotAllowed(f"Không có thao tác {action!r}.") from None
    move = lifecycle.transition(d.status, act)
    if move is None:
        raise NotAllowed(f"Không thể '{lifecycle.ACTION_LABELS[act]}' khi hồ sơ {d.status_label.lower()}.")
    if role not in move.roles:
        raise Forbidden(f"Vai trò {role!r} không được '{lifecycle.ACTION_LABELS[act]}'.")
    at = _now(at)
    if d.last_event_at is not None and at < d.last_event_at:
        raise DossierError("Thời điểm thao tác không được trước thao tác trước đó của hồ sơ.")
    new_due = _now(new_due_at) if new_due_at is not None else None
    ctx = Context(at=at, calendar=calendar_for_unit(d.unit), note=note, reason=reason, new_due_at=new_due,
                  agency=agency, payload={**(payload or {}), "_action": act})
    from_status, version, before = d.status, d.version, rollups.position(d)
    HANDLERS[act](d, ctx)
    d.status = move.to
    d.last_event_at = at
    updated = Dossier.objects.filter(pk=d.pk, version=version).update(
        version=version + 1, **{name: getattr(d, name) for name in _STATE_FIELDS}
    )
    if updated != 1:
        raise Conflict("Hồ sơ vừa được người khác cập nhật; hãy tải lại và thử lại.")
    d.version = version + 1
    ctx.payload.pop("_action")
    _append_event(d, act, at, from_status, actor, role, note, reason, ctx.payload)
    rollups.record(d, before, at)
    return d
