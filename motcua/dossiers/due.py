"""A dossier's due instants replayed from its history on a calendar (docs/domain.md §6).

When the calendar changes (a late announcement, an administrator's override), the due instants of
open dossiers are what their own history gives on the new calendar: the clock starts at receipt
(or intake) with the procedure's cut-off, every request to supplement or to pay stops it, and the
arrival of the documents (or the payment) resumes it with the time that was left, or restarts it
with the whole legal time, as the event recorded. Pure computation: the caller passes the dossier,
its events in order, its steps and the calendar; ``replay`` returns what the fields should be.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from motcua.dossiers.lifecycle import EventKind
from motcua.dossiers.models import Dossier, DossierEvent, DossierStep
from motcua.workdays import Calendar

_STARTING = frozenset({EventKind.RECEIVE, EventKind.ACCEPT})
_PAUSING = frozenset({EventKind.REQUEST_SUPPLEMENT, EventKind.REQUEST_PAYMENT})
_RESUMING = frozenset({EventKind.SUPPLY, EventKind.PAY})


@dataclass
class Replayed:
    clock_start: dt.datetime
    due_at: dt.datetime
    remaining_minutes: int | None  # while paused: the working time that was left when the clock stopped
    steps: dict[int, dt.datetime] = field(default_factory=dict)  # order → due instant, unfinished steps only

    def differs_from(self, d: Dossier, steps: Sequence[DossierStep]) -> bool:
        if (self.clock_start, self.due_at, self.remaining_minutes) != (d.clock_start, d.due_at, d.remaining_minutes):
            return True
        return any(s.due_at != self.steps[s.order] for s in steps if s.order in self.steps)


def replay(d: Dossier, events: Iterable[DossierEvent], steps: Sequence[DossierStep],
           calendar: Calendar) -> Replayed | None:
    """The clock fields of ``d`` as its events give them on ``calendar``; None if the clock never
    started (an online dossier not yet taken in) or the history does not tell (an imported dossier:
    its due instant is the old system's)."""
    if d.imported:
        return None
    legal = d.procedure.legal_minutes
    start: dt.datetime | None = None
    due: dt.datetime | None = None
    paused_at: dt.datetime | None = None
    remaining: int | None = None
    schedule: tuple[dt.datetime, int] | None = None  # the steps' last schedule: (start, working time left)
    for event in events:
        kind = event.action
        if kind in _STARTING:
            start = calendar.start_of_clock(event.at, d.procedure.cutoff)
            due = calendar.add_working_time(start, legal)
            schedule = (start, legal)
        elif due is None:
            continue
        elif kind in _PAUSING:
            paused_at = event.at
            remaining = calendar.working_time_between(event.at, due)
        elif kind in _RESUMING and paused_at is not None:
            restart = event.payload.get("policy") == "restart"
            resumed = calendar.start_of_clock(event.at, None)
            left = legal if restart else (remaining or 0)
            if restart or paused_at < due:  # paused after the due instant: the time had already run out
                due = calendar.add_working_time(resumed, left)
                schedule = (resumed, left)
            if restart:
                start = resumed
            paused_at, remaining = None, None
    if start is None or due is None or schedule is None:
        return None
    return Replayed(start, due, remaining, _step_dues(steps, calendar, *schedule))


def _step_dues(
    steps: Sequence[DossierStep], calendar: Calendar, start: dt.datetime, left: int
) -> dict[int, dt.datetime]:
    """The same spending of the time left, in route order, as the services' scheduling."""
    open_steps = sorted((s for s in steps if s.finished_at is None), key=lambda s: s.order)
    later = sum(s.share_minutes for s in open_steps)
    dues = {}
    for step in open_steps:
        later -= step.share_minutes
        dues[step.order] = calendar.add_working_time(start, max(left - later, 0))
    return dues
