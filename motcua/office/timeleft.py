"""Remaining working time of a dossier, as officials read it ("còn 2 ngày 3 giờ", "quá hạn 1 ngày").

Counted with the handling unit's calendar (``calendar_for_unit``); one working day = 480 minutes.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from motcua.dossiers import lifecycle
from motcua.dossiers.models import Dossier
from motcua.workdays import MINUTES_PER_WORKING_DAY, Calendar

SOON = "soon"
OVERDUE = "overdue"
OK = "ok"
PAUSED = "paused"


@dataclass(frozen=True)
class TimeLeft:
    text: str
    state: str  # ok / soon (< 1 working day) / overdue / paused
    minutes: int  # working minutes left (negative when overdue)


def format_working(minutes: int) -> str:
    """Working minutes as days, hours (and minutes when under a day): "2 ngày 3 giờ", "45 phút"."""
    minutes = abs(minutes)
    days, rest = divmod(minutes, MINUTES_PER_WORKING_DAY)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(_("%(n)d ngày") % {"n": days})
    if hours:
        parts.append(_("%(n)d giờ") % {"n": hours})
    if mins and not days:
        parts.append(_("%(n)d phút") % {"n": mins})
    return " ".join(parts) or _("%(n)d phút") % {"n": 0}


def time_left(dossier: Dossier, now: dt.datetime, calendar: Calendar) -> TimeLeft | None:
    """None when the clock does not run for the dossier (not received yet, or finished)."""
    status = lifecycle.Status(dossier.status)
    if status in lifecycle.PAUSED_STATES:
        left = dossier.remaining_minutes or 0
        return TimeLeft(_("tạm dừng, còn %(left)s") % {"left": format_working(left)}, PAUSED, left)
    if status not in lifecycle.OPEN_STATES or dossier.due_at is None:
        return None
    if now >= dossier.due_at:
        late = calendar.working_time_between(dossier.due_at, now)
        text = _("quá hạn %(late)s") % {"late": format_working(late)} if late > 0 else _("quá hạn")
        return TimeLeft(text, OVERDUE, -late)
    left = calendar.working_time_between(now, dossier.due_at)
    state = SOON if left < MINUTES_PER_WORKING_DAY else OK
    return TimeLeft(_("còn %(left)s") % {"left": format_working(left)}, state, left)
