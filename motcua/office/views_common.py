"""Helpers shared by the office views: finding a dossier the user may see, the clock, masking."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone

from motcua.dossiers.models import Dossier
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


def mask(value: str, keep_start: int = 0, keep_end: int = 4) -> str:
    """"0123456789" → "******6789": enough to check an ID against a card, not enough to copy it."""
    if not value:
        return ""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[len(value) - keep_end:]


def mask_email(value: str) -> str:
    if "@" not in value:
        return mask(value)
    local, domain = value.rsplit("@", 1)
    return f"{local[:1]}***@{domain}"


def applicant_view(dossier: Dossier, full: bool) -> dict[str, Any]:
    """The applicant's details; masked unless ``full`` (the counter of the dossier's agency, who
    checks identity and hands the result over)."""
    return {
        "name": dossier.applicant_name,
        "id_number": dossier.applicant_id if full else mask(dossier.applicant_id),
        "phone": dossier.applicant_phone if full else mask(dossier.applicant_phone, 3, 2),
        "email": dossier.applicant_email if full else mask_email(dossier.applicant_email),
        "address": dossier.applicant_address,
        "masked": not full,
    }
