"""The ONLY code that changes a dossier's state (docs/architecture.md, "One writer").

``receive`` creates a dossier; ``perform`` applies one action of the lifecycle table through the
shared lifecycle writer (``motcua.statemachine.writer``): one transaction that locks the dossier's
row, refuses a stale version, asks ``policy.DOSSIERS.decide`` with the caller's acting roles,
checks the inputs, runs the action's handler below, bumps the version with a conditional UPDATE,
appends a typed event, queues the applicant's notifications and updates the report rollups.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, ClassVar

from django.db import router
from django.db.models import Prefetch
from django.utils import timezone

from motcua import last_writes
from motcua.catalog.models import ClockPolicy, Procedure
from motcua.dossiers import applicant as applicant_rules
from motcua.dossiers import assignees, codes, due, lifecycle, policy, steps
from motcua.dossiers.lifecycle import INPUT_LABELS, Action, EventKind, Status
from motcua.dossiers.models import Document, Dossier, DossierEvent, DossierStep
from motcua.notifications import outbox
from motcua.people import person_name
from motcua.prepared import insert_rows, insert_rows_last
from motcua.regimes import regime_at, regime_by_code
from motcua.reports import rollups
from motcua.roles import role_label
from motcua.statemachine import Conflict, Forbidden, InvalidInput, NotAllowed
from motcua.statemachine import LifecycleError as DossierError
from motcua.statemachine.writer import Change, Writer
from motcua.units.calendars import calendar_for_unit
from motcua.units.models import AdministrativeUnit, Agency, Level
from motcua.workdays import TZ, Calendar

__all__ = ["Applicant", "Conflict", "DossierError", "Forbidden", "InvalidInput", "NotAllowed", "perform", "receive"]


@dataclass
class Applicant:
    name: str = ""
    id_number: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""


def _next_code(agency_code: str, regime_code: str, day: dt.date, owner: str = "",
               keyed: bool = False) -> tuple[str, int | None]:
    """The next code of the day for this agency (``motcua.dossiers.codes``: never reused), and with
    ``keyed`` the new dossier's key, drawn with it (``codes.draw_with_key``)."""
    regime = regime_by_code(regime_code)
    prefix = regime.code_prefix(agency_code, day, owner)
    seq, key = codes.draw_with_key(prefix, Dossier) if keyed else (codes.draw(prefix), None)
    return regime.dossier_code(agency_code, day, seq, owner), key


def _start_clock(dossier: Dossier, at: dt.datetime, calendar: Calendar) -> None:
    procedure = dossier.procedure
    dossier.received_at = at
    dossier.clock_start = calendar.start_of_clock(at, procedure.cutoff)
    dossier.due_at = calendar.add_working_time(dossier.clock_start, procedure.legal_minutes)
    steps.schedule(dossier, calendar, dossier.clock_start, procedure.legal_minutes, first_open=1)


def _actor_label(actor: Any, role: str) -> str:
    label = role_label(role)
    return f"{person_name(actor)} ({label})" if actor is not None else label


def check_level(
    procedure: Procedure, unit: AdministrativeUnit, agency: Agency | None, level: str | None = None
) -> None:
    """The doors' check that the procedure is handled at the level of the unit or agency receiving it
    (the counter offers only those; the API is refused the others)."""
    handled_at = level or (agency.level if agency else unit.level)
    if procedure.levels and handled_at not in procedure.levels:
        raise InvalidInput(f"Thủ tục {procedure.code} không giải quyết ở {str(Level(handled_at).label).lower()}.",
                           field="procedure")


@rollups.batched()  # one transaction; the counters written last (the COMMIT right behind them when outermost)
def receive(
    *, procedure: Procedure, unit: AdministrativeUnit, agency: Agency | None = None, channel: str = "counter",
    applicant: Applicant | None = None, matter: str = "", sets: int = 1, documents: Iterable[str] = (),
    at: dt.datetime | None = None, actor: Any = None, role: str = lifecycle.COUNTER,
    idempotency_key: str | None = None, level: str | None = None, online: bool = False, key_looked_up: bool = False,
) -> Dossier:
    """Create a dossier: received at the counter (status received, clock started), or, with
    ``online=True``, submitted online and awaiting intake (status submitted, no clock yet).
    ``idempotency_key``: the dossier already made with it is returned, unless the caller has looked the
    key up itself (``key_looked_up``); two receipts racing with one key meet the column's uniqueness."""
    at = policy.as_instant(at)
    if idempotency_key and not key_looked_up:
        existing = Dossier.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    if role not in {lifecycle.COUNTER, lifecycle.SYSTEM, lifecycle.APPLICANT}:
        raise Forbidden("Chỉ cán bộ một cửa được tiếp nhận hồ sơ.")
    day = at.astimezone(TZ).date()
    regime = regime_at(day)
    applicant = applicant or Applicant()
    bad = applicant_rules.problems(dataclasses.asdict(applicant))  # the one rule of every door
    if bad:
        field, message = next(iter(bad.items()))
        raise InvalidInput(message, field=f"applicant.{field}")
    owner_code = agency.code if agency else unit.code
    # Drawn apart (its own short transaction, PostgreSQL), the code comes first and is INSERTed with
    # the dossier. Drawn in this transaction, it comes last (below): its sequence row, shared by every
    # counter of the agency, stays locked only from there to the commit. Until then the dossier holds
    # a placeholder no code can equal.
    drawn_first = codes.apart()
    using = router.db_for_write(Dossier)
    # Drawn apart with the dossier's key too (where the end of the transaction can take its INSERT), the
    # dossier is written with its steps, event and messages at the end, in one round trip.
    keyed = drawn_first and last_writes.can_defer(using)
    code, key = (_next_code(owner_code, regime.code, day, procedure.central_system_owner, keyed) if drawn_first
                 else (f"~{uuid.uuid4().hex}", None))
    dossier = Dossier(
        pk=key, code=code, regime=regime.code, procedure=procedure, unit=unit, agency=agency,
        level=level or (agency.level if agency else unit.level),
        channel="online" if online else channel,
        status=Status.SUBMITTED if online else Status.RECEIVED,
        applicant_name=applicant.name, applicant_id=applicant.id_number, applicant_phone=applicant.phone,
        applicant_email=applicant.email, applicant_address=applicant.address, matter=matter or procedure.name,
        sets=sets, submitted_at=at if online else None, idempotency_key=idempotency_key, version=1,
        last_event_at=at,
    )
    if not online:  # the clock is computed before the first write: one INSERT of the dossier
        calendar = calendar_for_unit(unit)
        dossier.current_step = 1
        dossier.received_at = at
        dossier.clock_start = calendar.start_of_clock(at, procedure.cutoff)
        dossier.due_at = calendar.add_working_time(dossier.clock_start, procedure.legal_minutes)
    # Each new row by one INSERT whose SQL is kept per connection (the ORM builds it anew every time).
    dossier.fold_name()
    if keyed:
        insert_rows_last([[dossier]], using)
    else:
        insert_rows([dossier], using)
    route = steps.new_steps(dossier)
    if not online:
        steps.plan(route, calendar, dossier.clock_start, procedure.legal_minutes)
        if route:
            route[0].started_at = at
    event = DossierEvent(
        dossier=dossier, seq=dossier.version, action=EventKind.SUBMIT if online else EventKind.RECEIVE, at=at,
        actor=actor, actor_label=_actor_label(actor, role), from_status="", to_status=dossier.status,
        step=dossier.current_step or None, payload={"documents": list(documents)},
    )
    # The steps, the documents and the event: nothing reads them before the commit, so on PostgreSQL they go
    # with the transaction's end (the counters and the COMMIT), their keys set then.
    insert_rows_last([route, [Document(dossier=dossier, name=name, paper=not online) for name in documents],
                      [event]], using)
    if not drawn_first:
        dossier.code = _next_code(owner_code, regime.code, day, procedure.central_system_owner)[0]
        Dossier.objects.filter(pk=dossier.pk).update(code=dossier.code)
    outbox.on_event(dossier, event)
    rollups.record(dossier, rollups.Position(), at)
    return dossier


# --- handlers: one per action, each changes the locked dossier (never saves it) ----------------

def _calendar(d: Dossier, c: Change) -> Calendar:
    """The unit's calendar, looked up once a transition and only by the actions that need it."""
    if "calendar" not in c.memo:
        c.memo["calendar"] = calendar_for_unit(d.unit)
    return c.memo["calendar"]


def _h_accept(d: Dossier, c: Change) -> None:
    d.current_step = 1
    _start_clock(d, c.at, _calendar(d, c))
    DossierStep.objects.filter(dossier=d, order=1).update(started_at=c.at)
    for step in d.steps.all():
        if step.order == 1:
            step.started_at = c.at


def _h_hand_over(d: Dossier, c: Change) -> None:
    agency: Agency | None = c.get("agency")
    if agency is not None and not policy.handover_agencies(d).filter(pk=agency.pk).exists():
        raise InvalidInput(f"Cơ quan {agency.code} không thuộc quy trình hay đơn vị của hồ sơ này.", field="agency")
    if agency is not None:
        c.payload["agency"] = agency.code
    # One UPDATE finishes the current step and starts the next (the steps were read with the dossier),
    # sent with the dossier's own.
    step = steps.move_on(d, c.at, agency, c.writes)
    named = c.get("assignee")
    if named is not None:  # the receiving agency is looked up only to check the officer named
        agency = agency or (step.agency if step is not None else None)
        _set_assignee(d, c, named, agency or d.agency)
    else:  # no one named: the step is left to the receiving agency
        d.assignee_id = None


def _h_assign(d: Dossier, c: Change) -> None:
    step = policy.current_step(d)
    _set_assignee(d, c, c.get("assignee"), (step.agency if step is not None else None) or d.agency)


def _set_assignee(d: Dossier, c: Change, named: Any, agency: Agency | None) -> None:
    user = assignees.resolve(named)
    if user is not None:
        assignees.check(user, agency, d.unit_id)
        c.payload.update(assignee=user.get_username(), assignee_name=person_name(user))
    d.assignee_id = user.pk if user is not None else None


def _h_pause(d: Dossier, c: Change) -> None:
    if c.action == Action.REQUEST_SUPPLEMENT:
        d.supplement_requests += 1
        deadline = policy.supplement_deadline(d, _calendar(d, c))
        if deadline is not None and c.at > deadline:  # recorded, not forbidden (docs/domain.md §5)
            c.payload.update(late_request=True, request_deadline=deadline.isoformat())
    d.paused_at = c.at
    d.remaining_minutes = _calendar(d, c).working_time_between(c.at, d.due_at) if d.due_at else 0


def _h_resume(d: Dossier, c: Change) -> None:
    calendar = _calendar(d, c)
    restart = c.action == Action.SUPPLY and d.procedure.clock_policy == ClockPolicy.RESTART
    start = calendar.start_of_clock(c.at, None)
    remaining = d.procedure.legal_minutes if restart else (d.remaining_minutes or 0)
    old_due = d.due_at
    late_pause = not restart and old_due is not None and d.paused_at is not None and d.paused_at >= old_due
    # Paused after the due instant, the time had run out: waiting for the citizen gives none back.
    d.due_at = old_due if late_pause else calendar.add_working_time(start, remaining)
    if restart:
        d.clock_start = start
    c.payload.update(policy="restart" if restart else "pause", old_due_at=old_due.isoformat() if old_due else None,
                     new_due_at=d.due_at.isoformat())
    d.paused_at = None
    d.remaining_minutes = None
    if not late_pause:
        steps.schedule(d, calendar, start, remaining, first_open=d.current_step or 1)


def _h_apologize(d: Dossier, c: Change) -> None:
    new_due = policy.as_instant(c.get("new_due_at"))
    if d.due_at is None or new_due <= d.due_at:
        raise InvalidInput("Ngày hẹn trả mới phải sau thời hạn giải quyết hiện tại.", field="new_due_at")
    calendar = _calendar(d, c)
    minute = dt.timedelta(minutes=1)
    if not (calendar.working_time_between(new_due - minute, new_due) or calendar.working_time_between(
            new_due, new_due + minute)):
        raise InvalidInput("Ngày hẹn trả mới phải là một thời điểm trong giờ làm việc (không rơi vào ngày nghỉ, "
                           "ngoài giờ hành chính).", field="new_due_at")
    latest = policy.latest_apology_date(d, calendar)
    if new_due > latest:
        raise InvalidInput(f"Ngày hẹn trả mới không được quá {latest.astimezone(TZ):%H:%M %d/%m/%Y} "
                           "(giới hạn gia hạn của chế độ pháp lý).", field="new_due_at")
    d.extended_due_at = new_due
    c.payload.update(original_due_at=d.due_at.isoformat(), new_due_at=new_due.isoformat())


def _h_finish(d: Dossier, c: Change) -> None:
    steps.finish_current(d, c.at, c.writes)
    d.finished_at = c.at
    d.outcome = lifecycle.FINISHING_ACTIONS[Action(c.action)]


def _h_return(d: Dossier, c: Change) -> None:
    d.returned_at = c.at


def _h_close_on_request(d: Dossier, c: Change) -> None:
    """The applicant ends the dossier before its result: withdrawn, or stopped at its request (form
    05); either way counted apart from the results (``withdrawn_at``)."""
    d.withdrawn_at = c.at
    d.outcome = lifecycle.CLOSING_ON_REQUEST[Action(c.action)]


def _h_recompute(d: Dossier, c: Change) -> None:
    """The due instants replayed from the dossier's history on the calendar as it now is."""
    rows = list(d.steps.all())
    replayed = due.replay(d, d.events.order_by("seq"), rows, _calendar(d, c))
    if replayed is None:
        raise NotAllowed("Thời hạn của hồ sơ này không tính được từ lịch sử của nó (hồ sơ nhập từ hệ thống cũ).")
    c.payload.update(old_due_at=d.due_at.isoformat() if d.due_at else None, new_due_at=replayed.due_at.isoformat())
    d.clock_start, d.due_at, d.remaining_minutes = replayed.clock_start, replayed.due_at, replayed.remaining_minutes
    changed = [s for s in rows if s.order in replayed.steps and s.due_at != replayed.steps[s.order]]
    for step in changed:
        step.due_at = replayed.steps[step.order]
    DossierStep.objects.bulk_update(changed, ["due_at"])


class DossierWriter(Writer):
    model = Dossier
    event_model = DossierEvent
    subject_field = "dossier"
    lifecycle = policy.DOSSIERS
    related = ("procedure", "unit")
    # The steps, read once with the locked row (not locked themselves), in route order (no join on the
    # dossier for its ordering): the acting roles, the conditions and the handlers all use them.
    prefetch = (Prefetch("steps", queryset=DossierStep.objects.order_by("order")),)
    input_labels = INPUT_LABELS
    free_inputs = ("note", "reason")  # any action's event may carry a note and its grounds
    conflict_message = "Hồ sơ vừa được người khác cập nhật; hãy tải lại rồi thao tác."
    state_fields = (
        "clock_start", "due_at", "extended_due_at", "paused_at", "remaining_minutes", "supplement_requests",
        "finished_at", "outcome", "returned_at", "withdrawn_at", "current_step", "received_at", "assignee_id",
    )
    handlers: ClassVar = {
        Action.ACCEPT: _h_accept,
        Action.HAND_OVER: _h_hand_over,
        Action.REQUEST_SUPPLEMENT: _h_pause,
        Action.SUPPLY: _h_resume,
        Action.REQUEST_PAYMENT: _h_pause,
        Action.PAY: _h_resume,
        Action.APOLOGIZE: _h_apologize,
        Action.RESOLVE: _h_finish,
        Action.REFUSE: _h_finish,
        Action.STOP: _h_close_on_request,
        Action.RETURN: _h_return,
        Action.WITHDRAW: _h_close_on_request,
        Action.RECOMPUTE_DUE: _h_recompute,
        Action.ASSIGN: _h_assign,
    }

    def prepare(self, d: Dossier, change: Change) -> None:
        change.memo["before"] = rollups.position(d)

    def event_fields(self, d: Dossier, change: Change) -> dict[str, Any]:
        return {"actor_label": _actor_label(change.actor, change.role), "step": d.current_step or None,
                "note": change.get("note", ""), "reason": change.get("reason", "")}

    def transaction(self) -> AbstractContextManager[Any]:
        return rollups.batched()  # the counters written last; outermost, the COMMIT right behind them

    def after(self, d: Dossier, event: DossierEvent, change: Change) -> None:
        outbox.on_event(d, event)
        rollups.record(d, change.memo["before"], change.at)
        # The dossier handed back reads its steps afresh, as it did before they were read with the lock.
        getattr(d, "_prefetched_objects_cache", {}).pop("steps", None)


_WRITER = DossierWriter()


def perform(
    dossier: Dossier | int, action: str, *, actor: Any = None, role: str | None = None, token_role: str | None = None,
    at: dt.datetime | None = None, expected_version: int | None = None, note: str = "", reason: str = "",
    new_due_at: dt.datetime | None = None, agency: Agency | None = None, assignee: Any = None,
) -> Dossier:
    """Apply ``action`` to the dossier; raise a DossierError and change nothing if it is refused.

    The roles it is taken with: for a user (the screens), the user's acting roles on the dossier
    (``policy.acting_roles``); for an API token, ``token_role`` where its user acts; ``role`` is a
    role claimed by trusted code only (the portal for the applicant, integrations' jobs, the demo).
    ``expected_version``: the version the caller saw; another one is refused as a Conflict.
    ``assignee``: the officer named (a user or a username), for ``assign`` and ``hand_over``.
    """
    roles: Any = [role] if role is not None else (lambda d: policy.acting_roles(actor, d, token_role))
    inputs = {"note": note, "reason": reason, "new_due_at": new_due_at, "agency": agency, "assignee": assignee}
    return _WRITER.perform(
        dossier, action, roles=roles, actor=actor, at=policy.as_instant(at) if at is not None else None,
        expected_version=expected_version, inputs={k: v for k, v in inputs.items() if v not in (None, "")},
    )


def recompute_due(dossier: Dossier, reason: str, at: dt.datetime | None = None) -> Dossier | None:
    """Replay the dossier's due instants on its unit's calendar as it is now; write them, with a
    ``recompute_due`` event carrying ``reason`` (the calendar change and its basis), only if they
    changed. Returns the dossier changed, or None."""
    rows = list(dossier.steps.all())
    replayed = due.replay(dossier, dossier.events.order_by("seq"), rows, calendar_for_unit(dossier.unit))
    if replayed is None or not replayed.differs_from(dossier, rows):
        return None
    when = max(at or timezone.now(), dossier.last_event_at or dt.datetime.min.replace(tzinfo=dt.UTC))
    return _WRITER.perform(dossier, Action.RECOMPUTE_DUE, roles=[lifecycle.SYSTEM], at=when,
                           inputs={"reason": reason})
