"""Helpers shared by the office views: finding a dossier the user may see, the clock, masking."""
from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone

from motcua.dossiers.models import Dossier
from motcua.dossiers.privacy import applicant_view, mask, mask_email  # noqa: F401 - re-exported for the views
from motcua.office.access import can_see
from motcua.units.calendars import calendar_for_unit
from motcua.units.models import AdministrativeUnit
from motcua.workdays import Calendar


def now() -> dt.datetime:
    return timezone.now()


def lookup_code(code: str, max_length: int) -> str:
    """A code taken from the URL or the query string, or 404: a NUL byte (PostgreSQL refuses it in
    a query: it would be a 500) or more characters than the column holds cannot match anything."""
    if "\x00" in code or len(code) > max_length:
        raise Http404("no such code")
    return code


def visible_dossier(request: HttpRequest, code: str) -> Dossier:
    """The dossier with this code if the user may see it; 404 otherwise (never 403: a code the
    user may not see is not confirmed to exist)."""
    code = lookup_code(code, Dossier._meta.get_field("code").max_length)
    dossier = get_object_or_404(Dossier.objects.select_related("procedure", "unit", "agency"), code=code)
    if not can_see(request.user, dossier):
        raise Http404("no such dossier")
    return dossier


class Calendars:
    """One calendar per unit for the length of a request."""

    def __init__(self) -> None:
        self._by_unit: dict[int, Calendar] = {}

    def __call__(self, unit: AdministrativeUnit) -> Calendar:
        if unit.pk not in self._by_unit:
            self._by_unit[unit.pk] = calendar_for_unit(unit)
        return self._by_unit[unit.pk]
