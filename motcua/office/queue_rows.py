"""What a row of a work queue shows: the dossier's due instant and time left, its current step's
(``DossierStep`` with ``order == dossier.current_step``), and for an online dossier awaiting intake
its intake deadline (the regime's ``online_intake_minutes`` from the submission, on the legal clock)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F
from django.utils.translation import gettext as _

from motcua.dossiers import lifecycle
from motcua.dossiers.models import Dossier, DossierStep
from motcua.office.timeleft import OK, OVERDUE, SOON, TimeLeft, format_working, time_left
from motcua.regimes import regime_by_code
from motcua.workdays import MINUTES_PER_WORKING_DAY, Calendar


@dataclass(frozen=True)
class Row:
    dossier: Dossier
    left: TimeLeft | None  # the dossier's
    step: DossierStep | None  # the current step
    step_left: TimeLeft | None
    intake_due: dt.datetime | None = None
    intake_left: TimeLeft | None = None


def left_until(due: dt.datetime, now: dt.datetime, calendar: Calendar) -> TimeLeft:
    """Working time from ``now`` to ``due`` as the inbox writes it (overdue past it)."""
    if now >= due:
        late = calendar.working_time_between(due, now)
        text = _("quá hạn %(late)s") % {"late": format_working(late)} if late > 0 else _("quá hạn")
        return TimeLeft(text, OVERDUE, -late)
    left = calendar.working_time_between(now, due)
    state = SOON if left < MINUTES_PER_WORKING_DAY else OK
    return TimeLeft(_("còn %(left)s") % {"left": format_working(left)}, state, left)


def intake_due(dossier: Dossier, calendar: Calendar) -> dt.datetime | None:
    """When an online dossier must be taken in: the regime's intake time from its submission."""
    if dossier.status != lifecycle.Status.SUBMITTED or dossier.submitted_at is None:
        return None
    minutes = regime_by_code(dossier.regime).online_intake_minutes
    return calendar.add_working_time(calendar.start_of_clock(dossier.submitted_at, None), minutes)


def current_steps(dossiers: list[Dossier]) -> dict[int, DossierStep]:
    """The current step of each dossier, in one query."""
    ids = [d.pk for d in dossiers if d.current_step]
    if not ids:
        return {}
    steps = DossierStep.objects.filter(dossier_id__in=ids, order=F("dossier__current_step")).select_related("agency")
    return {s.dossier_id: s for s in steps}


def build(dossiers: list[Dossier], now: dt.datetime, calendars: object) -> list[Row]:
    steps = current_steps(dossiers)
    rows = []
    for d in dossiers:
        calendar = calendars(d.unit)  # type: ignore[operator]
        step = steps.get(d.pk)
        running = lifecycle.Status(d.status) in lifecycle.OPEN_STATES - lifecycle.PAUSED_STATES
        step_left = left_until(step.due_at, now, calendar) if step and step.due_at and running else None
        due = intake_due(d, calendar)
        rows.append(Row(d, time_left(d, now, calendar), step, step_left, due,
                        left_until(due, now, calendar) if due else None))
    return rows
