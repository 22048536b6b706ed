"""Demo dossiers, driven through ``motcua.dossiers.services`` (the only writer) with seeded,
realistic timings: most early or on time, some late, supplements, payments, apologies,
refusals, withdrawals, online submissions accepted or rejected.

Each dossier has its own random stream (``seed:index``) and an idempotency key ``demo:index``,
so a second run skips what exists and a larger ``--dossiers`` only adds the missing ones.
An action whose time would be after ``now`` is not performed: recent dossiers stay open.
"""
from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from motcua.catalog.models import Procedure
from motcua.demo.names import fake_person
from motcua.demo.world import REFORM_DAY, CommuneSite, DemoWorld
from motcua.dossiers import lifecycle, policy
from motcua.dossiers.lifecycle import Action, Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.policy import apology_open
from motcua.dossiers.services import Applicant, DossierError, perform, receive
from motcua.regimes import regime_at
from motcua.units.calendars import calendar_for_unit
from motcua.units.models import AdministrativeUnit, Agency
from motcua.workdays import TZ, Calendar

WINDOW_DAYS = 548  # about 18 months
BATCH = 250
KEY_PREFIX = "demo:"

# How often each procedure is asked for (commune civil status and certification dominate).
WEIGHTS: dict[str, int] = {
    "1.001193": 18, "1.000894": 6, "1.000656": 4, "2.000635": 5, "1.004873": 6, "1.000689": 1, "1.001022": 1,
    "1.004884": 2, "2.000815": 20, "2.000884": 8, "1.004194": 8, "2.000720": 4, "1.009994": 3, "1.012756": 3,
    "1.012757": 5, "2.000488": 6, "1.002809": 6, "2.001610": 3,
}
# The first dossiers are steered to one final status each, so that even a small demo shows every state.
FORCED = [
    Status.RETURNED, Status.RESULT_READY, Status.REFUSED, Status.STOPPED, Status.WITHDRAWN, Status.REJECTED_INTAKE,
    Status.SUBMITTED, Status.RECEIVED, Status.IN_PROCESSING, Status.AWAITING_SUPPLEMENT, Status.AWAITING_PAYMENT,
]
OPEN_TARGETS = {Status.SUBMITTED, Status.RECEIVED, Status.IN_PROCESSING, Status.AWAITING_SUPPLEMENT,
                Status.AWAITING_PAYMENT}

REJECT_REASONS = ["Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan.",
                  "Người nộp không bổ sung, hoàn thiện hồ sơ theo yêu cầu.",
                  "Thành phần hồ sơ tải lên không đọc được, không đúng thủ tục đề nghị."]
REFUSE_REASONS = ["Không đủ điều kiện theo quy định của pháp luật.",
                  "Kết quả xác minh không phù hợp với thông tin kê khai.",
                  "Đối tượng đề nghị đang có tranh chấp, chưa được giải quyết."]
STOP_REASONS = ["Người nộp hồ sơ đề nghị dừng giải quyết.", "Người nộp hồ sơ muốn nộp lại hồ sơ khác."]
APOLOGY_REASONS = ["Cần xác minh thêm thông tin tại cơ quan liên quan.",
                   "Số lượng hồ sơ tăng đột biến, chưa kịp giải quyết đúng hạn.",
                   "Phải lấy ý kiến cơ quan chuyên môn cấp tỉnh."]


class _Stop(Exception):
    """The story ends here (the next action would be in the future, or the services refused it)."""


@dataclass
class Summary:
    created: int = 0
    skipped: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    statuses: Counter[str] = field(default_factory=Counter)
    refusals: Counter[str] = field(default_factory=Counter)  # service refusals (should stay empty)


class _Story:
    def __init__(self, world: DemoWorld, procedures: dict[str, Procedure], rng: random.Random, now: dt.datetime,
                 key: str, target: Status | None, summary: Summary) -> None:
        self.world, self.rng, self.now, self.key, self.target, self.summary = world, rng, now, key, target, summary
        self.procedure = self._pick_procedure(procedures)
        self.dossier: Dossier | None = None

    # -- choices ---------------------------------------------------------------------------------
    def _pick_procedure(self, procedures: dict[str, Procedure]) -> Procedure:
        codes = [code for code in WEIGHTS if code in procedures]
        if self.target in (Status.SUBMITTED, Status.REJECTED_INTAKE):
            codes = [c for c in codes if {"online_full", "online_partial"} & set(procedures[c].channels)]
        elif self.target == Status.AWAITING_PAYMENT:
            codes = [c for c in codes if procedures[c].field and procedures[c].field.code == "DATDAI"] or codes
        elif self.target in OPEN_TARGETS:
            codes = [c for c in codes if procedures[c].legal_time_unit == "d"]
        return procedures[self.rng.choices(codes, weights=[WEIGHTS[c] for c in codes])[0]]

    def want(self, status: Status, probability: float) -> bool:
        if self.target is not None:
            return self.target == status
        return self.rng.random() < probability

    def _place(self, day: dt.date) -> tuple[AdministrativeUnit, Agency, str]:
        """(unit, receiving agency, place name for the address) for a receipt on ``day``."""
        levels = self.procedure.levels
        at_commune = "commune" in levels and not ("province" in levels and self.rng.random() < 0.3)
        province = self.world.province
        if not at_commune:
            return province, self.world.province_centre, province.name
        site: CommuneSite = self.rng.choice(self.world.communes)
        place = f"{site.unit.name}, {province.name}"
        if day < REFORM_DAY and site.legacy_unit is not None and site.legacy_agency is not None:
            return site.legacy_unit, site.legacy_agency, f"{site.legacy_unit.name}, {province.name}"
        return site.unit, site.centre, place

    def _day(self, cal: Calendar) -> dt.date:
        today = self.now.astimezone(TZ).date()
        if self.target in OPEN_TARGETS:
            back = 1
        elif self.target is not None:
            back = 40
        elif self.rng.random() < 0.12:
            back = self.rng.randint(0, 30)  # a busier last month: open dossiers for the inboxes
        else:
            back = self.rng.randint(0, WINDOW_DAYS)
        day = today - dt.timedelta(days=back)
        while not cal.is_working_day(day):
            day -= dt.timedelta(days=1)
        return day

    def _instant(self, day: dt.date, online: bool) -> dt.datetime:
        if self.target in OPEN_TARGETS:
            minute = 8 * 60 + 30
        elif online:
            minute = self.rng.randint(6 * 60, 23 * 60)  # citizens submit at any hour
        elif self.rng.random() < 0.1:
            minute = self.rng.randint(15 * 60, 16 * 60 + 50)  # after the usual 15:00 cut-off
        else:
            minute = self.rng.choice([self.rng.randint(8 * 60, 11 * 60 + 45), self.rng.randint(13 * 60, 16 * 60 + 45)])
        at = dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=TZ)
        return min(at, self.now - dt.timedelta(minutes=1))

    def _duration(self, share: int) -> int:
        roll = self.rng.random()
        if self.target in OPEN_TARGETS:
            return self.rng.randint(5, 30)  # a few minutes: all of it happens on the last working day
        if self.target is not None:
            factor = self.rng.uniform(0.2, 0.6)
        elif roll < 0.72:
            factor = self.rng.uniform(0.15, 0.85)
        elif roll < 0.93:
            factor = self.rng.uniform(0.85, 1.25)
        else:
            factor = self.rng.uniform(1.4, 3.0)
        return max(5, int(share * factor))

    # -- acting through the services -------------------------------------------------------------
    def staff(self, agency_id: int | None, role: str) -> Any:
        return self.world.staff.get((agency_id, role)) if agency_id is not None else None

    def act(self, action: Action, at: dt.datetime, role: str, actor: Any = None, **kwargs: Any) -> None:
        if at > self.now:
            raise _Stop
        try:
            self.dossier = perform(self.dossier, action, role=role, actor=actor, at=at, **kwargs)  # type: ignore[arg-type]
        except DossierError as exc:
            self.summary.refusals[f"{action}: {exc.message}"] += 1
            raise _Stop from None

    def run(self) -> None:
        try:
            self._run()
        except _Stop:
            pass
        if self.dossier is not None:
            self.summary.created += 1
            self.summary.statuses[self.dossier.status] += 1

    def _run(self) -> None:
        rng, proc = self.rng, self.procedure
        online_ok = bool({"online_full", "online_partial"} & set(proc.channels))
        online = self.target in (Status.SUBMITTED, Status.REJECTED_INTAKE, Status.WITHDRAWN) or (
            self.target is None and online_ok and rng.random() < 0.35)
        channel = "postal" if not online and "postal" in proc.channels and rng.random() < 0.06 else "counter"
        cal0 = calendar_for_unit(self.world.province)
        day = self._day(cal0)
        if self.target == Status.STOPPED and regime_at(day).closing_on_request != "stop":
            day = max(day, REFORM_DAY + dt.timedelta(days=7))
        unit, agency, place = self._place(day)
        cal = calendar_for_unit(unit)
        if day < unit.valid_from:  # a unit created by the reform (no older version known): move after it
            day = unit.valid_from + dt.timedelta(days=self.rng.randint(0, 90))
            while not cal.is_working_day(day):
                day += dt.timedelta(days=1)
        t = self._instant(day, online)
        if self.target == Status.SUBMITTED:
            t = self.now - dt.timedelta(hours=3)
        person = fake_person(rng, self.world.province.code, place, with_email=online)
        applicant = Applicant(name=person.name, id_number=person.id_number, phone=person.phone,
                              email=person.email, address=person.address)
        documents = [d.name for d in proc.documents.all() if d.required or rng.random() < 0.3]
        counter = self.staff(agency.pk, lifecycle.COUNTER)
        self.dossier = receive(
            procedure=proc, unit=unit, agency=agency, channel=channel, applicant=applicant, documents=documents,
            at=t, online=online, idempotency_key=self.key, role=lifecycle.APPLICANT if online else lifecycle.COUNTER,
            actor=None if online else counter,
        )
        if online:
            t = self._intake(cal, t, counter)
        self._process(cal, t, counter)

    def _intake(self, cal: Calendar, t: dt.datetime, counter: Any) -> dt.datetime:
        """An online dossier: withdrawn, rejected, completed once, then accepted."""
        if self.target == Status.SUBMITTED:
            raise _Stop
        t = cal.add_working_time(t, self.rng.randint(15, 600))
        if self.want(Status.WITHDRAWN, 0.02):
            self.act(Action.WITHDRAW, t, lifecycle.APPLICANT, note="Công dân rút hồ sơ trực tuyến.")
            raise _Stop
        if self.want(Status.REJECTED_INTAKE, 0.06):
            self.act(Action.REJECT_INTAKE, t, lifecycle.COUNTER, counter, reason=self.rng.choice(REJECT_REASONS))
            raise _Stop
        if self.target is None and self.rng.random() < 0.12:
            missing = ", ".join(d.name for d in self.procedure.documents.all()[:2])
            self.act(Action.REQUEST_COMPLETION, t, lifecycle.COUNTER, counter,
                     note=f"Đề nghị bổ sung, hoàn thiện: {missing} (bản rõ nét, đúng mẫu).")
            t = cal.add_working_time(t, self.rng.randint(240, 2400))
            if self.rng.random() < 0.15:
                self.act(Action.REJECT_INTAKE, t, lifecycle.COUNTER, counter,
                         reason="Người nộp không bổ sung, hoàn thiện hồ sơ theo yêu cầu.")
                raise _Stop
        self.act(Action.ACCEPT, t, lifecycle.COUNTER, counter)
        return t

    def _process(self, cal: Calendar, t: dt.datetime, counter: Any) -> None:
        rng, target = self.rng, self.target
        assert self.dossier is not None
        if target == Status.RECEIVED:
            raise _Stop
        steps = list(self.dossier.steps.all())
        plan = [self._duration(s.share_minutes) for s in steps]
        work_steps = [i for i, s in enumerate(steps) if s.role in (lifecycle.SPECIALIST, lifecycle.HEAD)]
        supplement_at = payment_at = withdraw_at = None
        if work_steps and self.want(Status.AWAITING_SUPPLEMENT, 0.09):
            supplement_at = work_steps[0]
        is_land = self.procedure.field is not None and self.procedure.field.code == "DATDAI"
        if work_steps and self.want(Status.AWAITING_PAYMENT, 0.6 if is_land else 0.0):
            payment_at = work_steps[-1]
        if self.want(Status.WITHDRAWN, 0.015):
            withdraw_at = rng.randrange(len(steps))
        apologized = False
        for i, step in enumerate(steps):
            if i == withdraw_at:
                closing = Action.STOP if regime_at(t.astimezone(TZ).date()).closing_on_request == "stop" \
                    else Action.WITHDRAW
                self.act(closing, cal.add_working_time(t, plan[i] // 3), lifecycle.COUNTER, counter,
                         note="Công dân có đơn đề nghị dừng giải quyết hồ sơ." if closing == Action.STOP
                         else "Công dân có đơn rút hồ sơ.")
                raise _Stop
            actor = self.staff(step.agency_id, step.role)
            if i in (supplement_at, payment_at):
                t = self._wait_for_citizen(cal, t, plan[i] // 2, step.role, actor, counter,
                                           payment=(i == payment_at and i != supplement_at))
            if not apologized:
                apologized = self._maybe_apologize(cal, t, sum(plan[i:]), step)
            t = cal.add_working_time(t, plan[i])
            if target == Status.IN_PROCESSING and i == 1:
                raise _Stop
            if i < len(steps) - 1:
                self.act(Action.HAND_OVER, t, step.role, actor)
            else:
                self._finish(cal, t, step.role, actor, counter)

    def _wait_for_citizen(self, cal: Calendar, t: dt.datetime, after: int, role: str, actor: Any, counter: Any,
                          payment: bool) -> dt.datetime:
        t = cal.add_working_time(t, after)
        if payment:
            self.act(Action.REQUEST_PAYMENT, t, role, actor, note="Thông báo nộp tiền sử dụng đất, lệ phí trước bạ.")
        else:
            doc = next(iter(self.procedure.documents.all()), None)
            self.act(Action.REQUEST_SUPPLEMENT, t, role, actor,
                     note=f"Đề nghị bổ sung: {doc.name if doc else 'giấy tờ chứng minh'} (bản sao có chứng thực).")
        if self.target in (Status.AWAITING_SUPPLEMENT, Status.AWAITING_PAYMENT):
            raise _Stop
        t = cal.add_working_time(t, self.rng.randint(240, 480 * 6))
        if self.rng.random() < 0.04:
            raise _Stop  # the citizen never comes back: the dossier keeps waiting
        self.act(Action.PAY if payment else Action.SUPPLY, t, lifecycle.COUNTER, counter)
        return t

    def _maybe_apologize(self, cal: Calendar, t: dt.datetime, remaining: int, step: Any) -> bool:
        d = self.dossier
        assert d is not None
        finish = cal.add_working_time(t, remaining)
        if d.due_at is None or finish <= d.due_at or self.rng.random() > 0.6 or not apology_open(d, t, cal):
            return False
        head = self.staff(step.agency_id, lifecycle.HEAD)
        role = lifecycle.HEAD if head is not None else lifecycle.LEADER
        leader = head or self.staff(step.agency_id, lifecycle.LEADER)
        self.act(Action.APOLOGIZE, t, role, leader, reason=self.rng.choice(APOLOGY_REASONS),
                 new_due_at=min(cal.add_working_time(finish, self.rng.choice([60, 240, 480])),
                                policy.latest_apology_date(self.dossier, cal)))
        return True

    def _finish(self, cal: Calendar, t: dt.datetime, role: str, actor: Any, counter: Any) -> None:
        assert self.dossier is not None
        stop_ok = regime_at(self.dossier.received_at.astimezone(TZ).date()).closing_on_request == "stop"
        if self.want(Status.REFUSED, 0.04):
            self.act(Action.REFUSE, t, role, actor, reason=self.rng.choice(REFUSE_REASONS))
        elif stop_ok and self.want(Status.STOPPED, 0.012):
            self.act(Action.STOP, t, lifecycle.COUNTER, counter, reason=self.rng.choice(STOP_REASONS))
            return
        else:
            self.act(Action.RESOLVE, t, role, actor)
        if self.target in (Status.RESULT_READY, Status.REFUSED) or (self.target is None and self.rng.random() < 0.07):
            return  # not collected yet
        self.act(Action.RETURN, cal.add_working_time(t, self.rng.randint(10, 480 * 3)), lifecycle.COUNTER, counter)


def generate_dossiers(world: DemoWorld, count: int = 3000, seed: int = 2025, now: dt.datetime | None = None,
                      progress: Callable[[int, int, float], None] | None = None) -> Summary:
    now = now or timezone.now()
    started, cpu_started = time.monotonic(), time.process_time()
    procedures = {p.code: p for p in Procedure.objects.filter(code__in=list(WEIGHTS), active=True)
                  .select_related("field").prefetch_related("documents", "steps")}
    if not procedures:
        raise ValueError("the demo catalogue is not loaded")
    existing = set(Dossier.objects.filter(idempotency_key__startswith=KEY_PREFIX)
                   .values_list("idempotency_key", flat=True))
    summary = Summary()
    for first in range(0, count, BATCH):
        with transaction.atomic():
            for index in range(first, min(count, first + BATCH)):
                key = f"{KEY_PREFIX}{index}"
                if key in existing:
                    summary.skipped += 1
                    continue
                target = FORCED[index] if index < len(FORCED) else None
                _Story(world, procedures, random.Random(f"{seed}:{index}"), now, key, target, summary).run()
        if progress is not None:
            progress(min(count, first + BATCH), count, time.monotonic() - started)
    summary.seconds = time.monotonic() - started
    summary.cpu_seconds = time.process_time() - cpu_started
    return summary
