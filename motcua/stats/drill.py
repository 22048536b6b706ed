"""The dossiers behind a cell of report form 06.

``dossiers_behind(unit_code, date_from, date_to, as_of, by, row_key, column)`` returns the dossiers
counted in one cell, with the rules written in ``motcua.reports.form06``'s docstring: the same
scope (``units_below``), the same *handled* population (received by the as-of instant, and
received in the period or carried over), the same state at the as-of instant (withdrawn, resolved,
in progress) and the same local-date comparisons with ``due_at``. The derived columns are the
same differences form 06 takes (direct = received in period − online − postal; on time =
resolved − early − late; within = in progress − overdue), so a cell and its list always agree.
``row_key`` is a row's ``key`` in form 06's object for ``by`` (``"total"`` or empty: the totals row).
With ``units="today"`` the scope is form 06's re-aggregation onto today's units (a legacy commune's
dossiers in the row of the commune that succeeded it).
"""
from __future__ import annotations

import datetime as dt

from django.db.models import F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.db.models.lookups import GreaterThan, LessThan
from django.utils.translation import gettext as _

from motcua.dossiers.models import Dossier
from motcua.reports.form06 import BY_CHOICES, COUNT_KEYS, ReportError, resolve_unit
from motcua.units.models import AdministrativeUnit
from motcua.units.scoping import units_below
from motcua.workdays import TZ

TOTAL_ROW = "total"


def bounds(date_from: dt.date, date_to: dt.date, as_of: dt.datetime | None) -> tuple[dt.datetime, dt.datetime,
                                                                                     dt.datetime]:
    """Start, end and as-of instants of a report, as form 06 takes them."""
    if date_from > date_to:
        raise ReportError(_("Từ ngày phải không sau đến ngày."))
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=TZ)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=TZ)
    if as_of is None:
        as_of = end - dt.timedelta(microseconds=1)
    elif as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=TZ)
    if as_of < start:
        raise ReportError(_("Thời điểm lấy số liệu không được trước đầu kỳ báo cáo."))
    return start, end, as_of


def column_conditions(start: dt.datetime, end: dt.datetime, as_of: dt.datetime) -> dict[str, Q]:
    """Condition of each counted column (the derived ones are differences, see ``dossiers_behind``)."""
    in_period = Q(received_at__gte=start, received_at__lt=end)
    withdrawn = Q(withdrawn_at__lte=as_of) | Q(outcome="withdrawn", finished_at__lte=as_of)
    resolved = Q(finished_at__lte=as_of) & ~withdrawn
    in_progress = ~withdrawn & (Q(finished_at__isnull=True) | Q(finished_at__gt=as_of))
    finished_on = TruncDate("finished_at", tzinfo=TZ)
    due_on = TruncDate("due_at", tzinfo=TZ)
    paused_in_time = Q(paused_at__lte=as_of) & Q(paused_at__lte=F("due_at"))
    overdue = Q(LessThan(due_on, as_of.astimezone(TZ).date())) & ~paused_in_time
    return {
        "received_total": Q(),
        "received_online": in_period & Q(channel="online"),
        "received_postal": in_period & Q(channel="postal"),
        "in_period": in_period,
        "carried_over": ~in_period,
        "resolved_total": resolved,
        "resolved_early": resolved & Q(LessThan(finished_on, due_on)),
        "resolved_late": resolved & Q(GreaterThan(finished_on, due_on)),
        "in_progress_total": in_progress,
        "in_progress_overdue": in_progress & overdue,
        "withdrawn": withdrawn,
    }


def handled_dossiers(scope: dict[int, int], start: dt.datetime, end: dt.datetime,
                     as_of: dt.datetime) -> QuerySet[Dossier]:
    in_period = Q(received_at__gte=start, received_at__lt=end)
    carried = Q(received_at__lt=start) & ~Q(finished_at__lt=start) & ~Q(withdrawn_at__lt=start)
    return Dossier.objects.filter(
        Q(unit_id__in=list(scope), received_at__isnull=False, received_at__lte=as_of) & (in_period | carried)
    )


def _row_filter(by: str | None, row_key: str, unit: AdministrativeUnit, scope: dict[int, int]) -> Q:
    if not row_key or row_key == TOTAL_ROW:
        return Q()
    if by is None:
        raise ReportError(_("Báo cáo không chia theo dòng: chỉ có dòng tổng cộng."))
    if by == "level":
        return Q(level=row_key)
    if by == "field":
        return Q(procedure__field__isnull=True) if row_key == "" else Q(procedure__field__code=row_key)
    if by == "procedure":
        return Q(procedure__code=row_key)
    if by == "agency":
        return Q(agency__isnull=True) if row_key == "" else Q(agency__code=row_key)
    if by != "child":
        raise ReportError(_("Cách chia dòng không hợp lệ: %s.") % by)
    heads = dict(AdministrativeUnit.objects.filter(pk__in=set(scope.values())).values_list("pk", "code"))
    return Q(unit_id__in=[uid for uid, head in scope.items() if heads.get(head) == row_key])


def report_scope(unit_code: str, date_to: dt.date, units: str = "as_was") -> tuple[AdministrativeUnit,
                                                                                  dict[int, int]]:
    """The unit and its scope (unit id → row branch) as form 06 takes them: units as they were on
    ``date_to``, or (``units="today"``) re-aggregated onto today's units (``reports.reaggregate``)."""
    if units == "as_was":
        return resolve_unit(unit_code, date_to), units_below(unit_code, date_to)
    if units != "today" or not supports_today_units():
        raise ReportError(_("Cách lấy đơn vị không hợp lệ: %s.") % units[:20])
    from motcua.reports.reaggregate import today_branches

    today = dt.date.today()
    unit = resolve_unit(unit_code, today)
    if unit.valid_to is not None:
        raise ReportError(_("Đơn vị %s không còn tồn tại; chọn một đơn vị hiện nay.") % unit_code)
    return unit, today_branches(unit, units_below(unit_code, today))


def supports_today_units() -> bool:
    """Whether report form 06 can re-aggregate onto today's units (``compute_form06(units=...)``)."""
    import importlib.util
    import inspect

    from motcua.reports.form06 import compute_form06

    return (importlib.util.find_spec("motcua.reports.reaggregate") is not None
            and "units" in inspect.signature(compute_form06).parameters)


def dossiers_behind(unit_code: str, date_from: dt.date, date_to: dt.date, as_of: dt.datetime | None,
                    by: str | None, row_key: str, column: str, units: str = "as_was") -> QuerySet[Dossier]:
    """The dossiers counted in the form 06 cell (``row_key``, ``column``); see the module doc.
    ``units="today"``: the cell of the report re-aggregated onto today's units."""
    if by is not None and by not in BY_CHOICES:
        raise ReportError(_("Cách chia dòng phải là một trong: %s.") % ", ".join(BY_CHOICES))
    if column not in COUNT_KEYS:
        raise ReportError(_("Không có cột “%s” trong mẫu 06.") % column[:40])
    start, end, as_of = bounds(date_from, date_to, as_of)
    unit, scope = report_scope(unit_code, date_to, units)
    base = handled_dossiers(scope, start, end, as_of).filter(_row_filter(by, row_key, unit, scope))
    cond = column_conditions(start, end, as_of)
    derived = {
        "received_direct": ("in_period", ("received_online", "received_postal")),
        "resolved_on_time": ("resolved_total", ("resolved_early", "resolved_late")),
        "in_progress_within": ("in_progress_total", ("in_progress_overdue",)),
    }
    if column in derived:
        whole, parts = derived[column]
        qs = base.filter(cond[whole])
        for part in parts:
            qs = qs.exclude(pk__in=base.filter(cond[part]).values("pk"))
    else:
        qs = base.filter(cond[column])
    return qs.select_related("procedure", "unit", "agency").order_by("received_at", "code")
