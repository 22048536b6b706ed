"""The officials' dossier search, shared by the screen (/office/tim-kiem/) and the API (GET /api/dossiers).

Criteria (any combination, all must hold):
  - ``code``: exact, case-insensitive (the code as typed, upper-cased or lower-cased: each an exact
    match on the unique index);
  - ``name``: the applicant's name, with or without diacritics: the query folded like
    ``Dossier.applicant_name_folded`` (``motcua.catalog.search.fold``), at least ``MIN_NAME``
    characters. A name of two words or more is a full name typed from the family name: the names that
    *begin* with it (a B-tree prefix index, flat in the table's size); when no name the user may see
    begins so, the names that *contain* it. One word (a family or a given name) is looked for inside
    the names. On PostgreSQL a pg_trgm GIN index serves "contains" (office migrations 0003, 0004);
  - ``id_number``, ``phone``: exact (partial B-tree indexes), spaces and dots ignored, +84 read as 0;
  - ``procedure`` (code), ``status``;
  - ``date_from`` / ``date_to``: the day of receipt (of submission for a dossier not received yet),
    as instants of Vietnam's day so that the index on ``received_at`` serves.
Scope: what ``motcua.units.scoping`` lets the user see — the same rule as ``dossier_filter``, written
with a per-row probe of the route (``probe``) instead of a join, so that the search's own index
drives the query.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.lookups import IsNull

from motcua.catalog.search import fold
from motcua.dossiers.lifecycle import Status
from motcua.dossiers.models import Dossier, DossierStep
from motcua.units import scoping
from motcua.workdays import TZ

MIN_NAME = 3
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")
ORDER = (F("received_at").desc(nulls_first=True), "-pk")


class BadCriteria(ValueError):
    """A criterion that cannot be searched, with the field and a Vietnamese message naming it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Criteria:
    code: str = ""
    name: str = ""
    id_number: str = ""
    phone: str = ""
    procedure: str = ""
    status: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    @property
    def empty(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self))


def _digits(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value)


def normal_phone(value: str) -> str:
    value = _digits(value)
    return "0" + value[3:] if value.startswith("+84") else value


def _date(value: str, field: str, label: str) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    for pattern in DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise BadCriteria(field, f"{label} “{value[:40]}” không phải là một ngày; hãy nhập theo dạng ngày/tháng/năm, "
                             "ví dụ 05/12/2026.")


def check(c: Criteria) -> Criteria:
    """The criteria, normalised; raise BadCriteria for one that cannot be searched."""
    if c.name and len(fold(c.name)) < MIN_NAME:
        raise BadCriteria("name", f"Tên người nộp: hãy nhập ít nhất {MIN_NAME} ký tự.")
    if c.status and c.status not in {s.value for s in Status}:
        raise BadCriteria("status", "Trạng thái không hợp lệ.")
    if c.date_from and c.date_to and c.date_from > c.date_to:
        raise BadCriteria("date_to", "Khoảng ngày không hợp lệ: “đến ngày” đứng trước “từ ngày”.")
    for name, value in (("code", c.code), ("name", c.name), ("id_number", c.id_number), ("phone", c.phone),
                        ("procedure", c.procedure)):
        if "\x00" in value or len(value) > 200:  # PostgreSQL refuses a NUL byte in a query: never a 500
            raise BadCriteria(name, "Giá trị tìm kiếm không hợp lệ.")
    return Criteria(code=c.code.strip(), name=fold(c.name), id_number=_digits(c.id_number),
                    phone=normal_phone(c.phone), procedure=c.procedure.strip(), status=c.status,
                    date_from=c.date_from, date_to=c.date_to)


def parse(params: Mapping[str, Any]) -> Criteria:
    """Criteria from a query string (the screen); raise BadCriteria for a bad one."""
    def text(key: str) -> str:
        return str(params.get(key, "") or "")[:200]
    return check(Criteria(
        code=text("code"), name=text("name"), id_number=text("id_number"), phone=text("phone"),
        procedure=text("procedure"), status=text("status"),
        date_from=_date(text("from"), "from", "Từ ngày"), date_to=_date(text("to"), "to", "Đến ngày"),
    ))


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=TZ)


def probe(rows: QuerySet) -> IsNull:
    """"A row exists" as ``(SELECT pk ... LIMIT 1) IS NOT NULL``: looked up row by row with the index
    of the correlation. An EXISTS may be planned by PostgreSQL as a hashed subplan over every matching
    row of the table (every route step of an agency: it grows with the history); a scalar subquery
    never is."""
    return IsNull(Subquery(rows.order_by().values("pk")[:1]), False)


def scope(user: Any) -> Q | None:
    """What the user may see (``scoping.dossier_filter``'s rule, with EXISTS); None = everything."""
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    units = scoping.visible_unit_ids(user)
    if units is None:
        return None
    condition = Q(unit_id__in=units) if units else Q(pk__in=[])
    for r in scoping.staff_roles(user):
        if r.agency_id is not None:
            on_route = DossierStep.objects.filter(dossier_id=OuterRef("pk"), agency_id=r.agency_id)
            condition |= (Q(agency_id=r.agency_id) | Q(agency__isnull=True, unit_id=r.agency.unit_id)
                          | Q(probe(on_route)))
    return condition


def full_name(c: Criteria) -> bool:
    """The name searched is a full name (two words or more): matched from its beginning first."""
    return " " in c.name.strip()


def condition(c: Criteria, *, name_from_start: bool = False) -> Q:
    q = Q()
    if c.code:
        q &= Q(code__in=sorted({c.code, c.code.upper(), c.code.lower()}))
    if c.name and name_from_start:
        q &= Q(applicant_name_folded__startswith=c.name.strip())
    elif c.name:
        q &= Q(applicant_name_folded__contains=c.name)
    if c.id_number:
        q &= Q(applicant_id=c.id_number)
    if c.phone:
        q &= Q(applicant_phone=c.phone)
    if c.procedure:
        q &= Q(procedure__code=c.procedure)
    if c.status:
        q &= Q(status=c.status)
    if c.date_from:
        start = _start_of(c.date_from)
        q &= Q(received_at__gte=start) | Q(received_at__isnull=True, submitted_at__gte=start)
    if c.date_to:
        end = _start_of(c.date_to + dt.timedelta(days=1))
        q &= Q(received_at__lt=end) | Q(received_at__isnull=True, submitted_at__lt=end)
    return q


def search(user: Any, c: Criteria) -> QuerySet[Dossier]:
    """The dossiers matching ``c`` that ``user`` may see, latest received first, with what a row shows.
    A full name: those whose name begins with it, or, if the user sees none, those containing it."""
    seen = scope(user)

    def matching(**kwargs: bool) -> QuerySet[Dossier]:
        qs = Dossier.objects.filter(condition(c, **kwargs))
        return qs if seen is None else qs.filter(seen)

    qs = matching()
    if c.name and full_name(c):
        from_start = matching(name_from_start=True)
        if from_start.exists():
            qs = from_start
    return qs.select_related("procedure", "unit", "agency").order_by(*ORDER)


def page(qs: QuerySet[Dossier], number: int, per_page: int) -> tuple[list[Dossier], bool]:
    """One page in one query: ``per_page`` rows and whether another page follows (one row more is read)."""
    start = (max(number, 1) - 1) * per_page
    found = list(qs[start : start + per_page + 1])
    return found[:per_page], len(found) > per_page
