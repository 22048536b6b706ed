"""The database side of the clock: builds a pure ``motcua.workdays.Calendar`` for a unit.

Layers, later winning (docs/domain.md §6):

1. the ``holidays`` package (VN, ``vi``): holidays, swapped days off, make-up Saturdays;
2. ``motcua.workdays.announcements.ANNOUNCEMENTS``: late government announcements known to the code;
3. national ``CalendarOverride`` rows (``unit`` empty);
4. overrides of the unit's ancestors, outermost first (province, then district), then the unit's own.

Working hours are ``unit.effective_sessions()`` (the unit's, else its nearest ancestor's, else
``settings.MOTCUA_DEFAULT_SESSIONS``).

Calendars are cached per process and per unit. The cache is dropped when a ``CalendarOverride`` or an
``AdministrativeUnit`` is saved or deleted (signals, connected by importing this module from
``UnitsConfig.ready``), and entries expire after ``settings.MOTCUA_CALENDAR_CACHE_SECONDS`` (default
300) so that other processes pick up an administrator's change. A change made inside a transaction
that is still open switches caching off until the transaction has ended (a rollback must not leave a
calendar built from rows that no longer exist).
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

from django.conf import settings
from django.db.models import Q

from motcua.process_cache import ProcessCache
from motcua.workdays import Calendar
from motcua.workdays.announcements import ANNOUNCEMENTS

from .models import AdministrativeUnit, CalendarOverride

_cache: ProcessCache[Calendar] = ProcessCache("MOTCUA_CALENDAR_CACHE_SECONDS", 300)
_cache.drop_on(CalendarOverride, AdministrativeUnit)


def build_calendar(unit: AdministrativeUnit | None) -> Calendar:
    """A fresh calendar for ``unit`` (``None`` = national), read from the database now."""
    chain = unit.ancestors()[::-1] if unit is not None else []  # outermost first, the unit itself last
    rank = {member.pk: position for position, member in enumerate(chain, start=1)}
    rows = CalendarOverride.objects.filter(Q(unit__isnull=True) | Q(unit_id__in=list(rank)))
    ordered = sorted(rows.values_list("date", "is_working", "reason", "unit_id"), key=lambda row: rank.get(row[3], 0))
    overrides = tuple((day, is_working, reason) for day, is_working, reason, _unit in ordered)
    sessions = unit.effective_sessions() if unit is not None else settings.MOTCUA_DEFAULT_SESSIONS
    return _calendar_of(sessions, overrides)


@lru_cache(maxsize=128)
def _calendar_of(sessions: str, overrides: tuple[tuple[dt.date, bool, str], ...]) -> Calendar:
    """Content-addressed: the same sessions and overrides give the same (immutable) calendar."""
    return Calendar.national(
        overrides=overrides,
        sessions=sessions,
        extra_non_working=[(day, reason) for day, working, reason, _basis in ANNOUNCEMENTS if not working],
        extra_working=[(day, reason) for day, working, reason, _basis in ANNOUNCEMENTS if working],
    )


def calendar_for_unit(unit: AdministrativeUnit | None) -> Calendar:
    """The calendar that applies to dossiers handled in ``unit`` (``None`` = the national default)."""
    return _cache.get(unit.pk if unit is not None else None, lambda: build_calendar(unit))


def clear_calendar_cache() -> None:
    _cache.clear()

