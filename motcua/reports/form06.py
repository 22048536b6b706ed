"""Report form 06 (Circular 01/2020/TT-VPCP): status and results of handling procedures.

``compute_form06(unit_code, date_from, date_to, as_of=None, by=None)`` returns the JSON object
promised in docs/architecture.md, "report". It is the only entry point; the counting behind it
(``_count_rows``) reads the dossiers today and may later read rollup counters instead.

Semantics (all times Asia/Ho_Chi_Minh, +07:00):

- **Period**: ``[date_from 00:00, date_to + 1 day 00:00)``. **As of** ``T``: ``--as-of`` or, by
  default, the end of the ``date_to`` day (shown as ``23:59:59+07:00``). ``T`` may not be
  before the start of the period.
- **Handled** dossiers are those received (``received_at`` set: online submissions rejected at
  intake never count) no later than ``T`` and either
  *received in the period* — counted by channel: ``received_online`` (online),
  ``received_postal`` (postal), ``received_direct`` (the counter, and any other channel) — or
  *carried over*: received before the period and still open at its start (neither finished nor
  withdrawn before ``date_from`` 00:00). A dossier finished in the period but received before it
  is carried over.
- **State at T** of each handled dossier (exactly one of):
  *withdrawn* — ``withdrawn_at <= T`` (or an imported row with outcome ``withdrawn`` and
  ``finished_at <= T``);
  *resolved* — otherwise ``finished_at <= T``; approved, refused and stopped are all results.
  Early / on time / late compare the local calendar date of ``finished_at`` with that of
  ``due_at`` (never ``extended_due_at``: an apology does not make a late dossier on time);
  a dossier without a due instant counts as on time;
  *in progress* — otherwise (not yet finished at ``T``, even if it was finished later).
  Overdue when the local date of ``due_at`` is before the local date of ``T``; within time
  otherwise — also when the clock is stopped at ``T`` waiting for the citizen (``paused_at <= T``)
  and the pause began before the due instant, since the due instant is then not yet known.
  These date rules are those of ``motcua.workdays.outcomes`` (``outcome_of``,
  ``in_progress_state``), written here as database expressions in ``_date_rules``.
- **Scope**: the unit named by ``unit_code`` — its version valid on ``date_to``, else the latest
  earlier one, with its earlier versions (``motcua.units.scoping.units_below``) — and every unit
  version below them, as units were when each dossier was received (dossiers point at unit
  versions, so a legacy district keeps its own figures, and a commune that moved counts under
  the district it was in when each dossier was received).
- **Rows** (``by``): ``level`` — one per agency level of the dossier (province, district,
  commune); ``child`` — one per direct child unit code (dossiers of deeper units counted under
  the child they descend from; dossiers of the unit itself under its own code, first);
  ``field`` — procedure field; ``procedure`` — procedure code; ``None`` — no rows, totals only.
- ``on_time_rate = 1 − (resolved_late + in_progress_overdue) / (received_total − withdrawn)``,
  ``None`` when nothing was handled (no rate is not 100 %: screens and exports show "—").
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.db import connections
from django.db.models import Count, DateField, F, Func, Q, Value
from django.db.models.functions import TruncDate
from django.db.models.lookups import GreaterThan, LessThan
from django.utils.translation import gettext as _

from motcua.dossiers.models import Dossier
from motcua.reports import form06_rollups
from motcua.reports.reaggregate import today_branches
from motcua.units.models import AdministrativeUnit, Level
from motcua.units.scoping import resolve_code, units_below

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
BY_CHOICES = ("child", "level", "agency", "field", "procedure")
UNIT_CHOICES = ("as_was", "today")
COUNT_KEYS = (
    "received_total", "received_online", "received_direct", "received_postal", "carried_over",
    "resolved_total", "resolved_early", "resolved_on_time", "resolved_late",
    "in_progress_total", "in_progress_within", "in_progress_overdue", "withdrawn",
)
LEVEL_ORDER = (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE)
# Counted in the database; the others are derived (see _finish_counts).
_DB_KEYS = (
    "received_total", "received_online", "received_postal", "carried_over", "resolved_total", "resolved_early",
    "resolved_late", "in_progress_total", "in_progress_overdue", "withdrawn",
)


class ReportError(ValueError):
    """Bad input to a report (unknown unit, empty period...); the message is for the user."""


def compute_form06(
    unit_code: str, date_from: dt.date, date_to: dt.date, as_of: dt.datetime | None = None, by: str | None = None,
    units: str = "as_was", source: str = "auto",
) -> dict:
    """The form 06 object of docs/architecture.md ("report") for the unit ``unit_code`` over ``[date_from, date_to]``.

    ``units``: "as_was" (units as they were when each dossier was received) or "today" (old units'
    figures re-aggregated onto today's units, see reaggregate.py). ``source``: "auto" reads the
    rollups when the report is taken as of the end of its last day, the dossiers otherwise;
    "dossiers" / "rollups" force one (both give the same figures; tests check it)."""
    if date_from > date_to:
        raise ReportError(_("--from (%(f)s) phải không sau --to (%(t)s).") % {"f": date_from, "t": date_to})
    if by is not None and by not in BY_CHOICES:
        raise ReportError(_("--by phải là một trong: %s.") % ", ".join(BY_CHOICES))
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=TZ)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=TZ)
    if source not in ("auto", "dossiers", "rollups"):
        raise ReportError(_("--source phải là auto, dossiers hoặc rollups."))
    if units not in UNIT_CHOICES:
        raise ReportError(_("--units phải là một trong: %s.") % ", ".join(UNIT_CHOICES))
    end_of_day = end - dt.timedelta(microseconds=1)
    if as_of is None:
        as_of = end_of_day
    elif as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=TZ)
    if as_of < start:
        raise ReportError(_("--as-of không được trước đầu kỳ báo cáo (%s).") % date_from.isoformat())
    if units == "today":
        unit = resolve_unit(unit_code, dt.date.today())
        if unit.valid_to is not None:
            raise ReportError(_("Đơn vị %s không còn tồn tại; chọn một đơn vị hiện nay.") % unit_code)
        scope = today_branches(unit, units_below(unit_code, dt.date.today()))
    else:
        unit = resolve_unit(unit_code, date_to)
        scope = units_below(unit_code, date_to)
    group = _group_field(by)
    use_rollups = source == "rollups" or (source == "auto" and as_of.astimezone(TZ) >= end_of_day
                                          and as_of.astimezone(TZ) < end)
    if use_rollups:
        raw = form06_rollups.count_rows(scope, date_from, date_to, group)
    else:
        raw = _count_rows(scope, start, end, as_of, group)
    rows = _shape_rows(by, unit, raw, scope, date_from, date_to)
    totals = _finish_counts(_sum_counts(raw.values()))
    return {
        "unit": {"code": unit.code, "name": unit.name},
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "as_of": as_of.astimezone(TZ).isoformat(timespec="seconds"),
        "totals": totals,
        "rows": rows,
    }


# --- units ----------------------------------------------------------------------------------

def resolve_unit(code: str, on_date: dt.date) -> AdministrativeUnit:
    """The version of ``code`` valid on ``on_date``, else the latest earlier one, else the first."""
    unit = resolve_code(code, on_date)
    if unit is None:
        raise ReportError(_("Không có đơn vị hành chính mã %s.") % code)
    return unit


# --- counting ---------------------------------------------------------------------------------

def _local_date(field: str) -> Func:
    """The local calendar date of a datetime column. On SQLite, ``date(col, '+7 hours')`` in SQL
    instead of Django's per-row Python time-zone function (ten times faster); exact because
    Asia/Ho_Chi_Minh has kept +07:00, without daylight saving, since 1975."""
    if connections[Dossier.objects.db].vendor == "sqlite":
        return Func(F(field), Value("+7 hours"), function="date", output_field=DateField())
    return TruncDate(field, tzinfo=TZ)


def _date_rules(as_of: dt.datetime) -> dict[str, Q]:
    """The outcome rules of workdays.outcomes as database conditions, on local calendar dates."""
    finished_on, due_on = _local_date("finished_at"), _local_date("due_at")
    paused_in_time = Q(paused_at__lte=as_of) & Q(paused_at__lte=F("due_at"))
    return {
        "early": Q(LessThan(finished_on, due_on)),
        "late": Q(GreaterThan(finished_on, due_on)),
        "overdue": Q(LessThan(due_on, as_of.astimezone(TZ).date())) & ~paused_in_time,
    }


def _count_rows(
    scope: Iterable[int], start: dt.datetime, end: dt.datetime, as_of: dt.datetime, group: str
) -> dict[object, dict[str, int]]:
    """Counts per value of ``group`` over the handled dossiers, by conditional aggregation."""
    in_period = Q(received_at__gte=start, received_at__lt=end)
    open_at_start = ~Q(finished_at__lt=start) & ~Q(withdrawn_at__lt=start)
    carried = Q(received_at__lt=start) & open_at_start
    withdrawn = Q(withdrawn_at__lte=as_of) | Q(outcome="withdrawn", finished_at__lte=as_of)
    resolved = Q(finished_at__lte=as_of) & ~withdrawn
    in_progress = ~withdrawn & (Q(finished_at__isnull=True) | Q(finished_at__gt=as_of))
    rules = _date_rules(as_of)
    handled = Dossier.objects.filter(
        Q(unit_id__in=list(scope), received_at__isnull=False, received_at__lte=as_of) & (in_period | carried)
    )
    aggregates = {
        "received_total": Count("pk"),
        "received_online": Count("pk", filter=in_period & Q(channel="online")),
        "received_postal": Count("pk", filter=in_period & Q(channel="postal")),
        "carried_over": Count("pk", filter=~in_period),
        "resolved_total": Count("pk", filter=resolved),
        "resolved_early": Count("pk", filter=resolved & rules["early"]),
        "resolved_late": Count("pk", filter=resolved & rules["late"]),
        "in_progress_total": Count("pk", filter=in_progress),
        "in_progress_overdue": Count("pk", filter=in_progress & rules["overdue"]),
        "withdrawn": Count("pk", filter=withdrawn),
    }
    result: dict[object, dict[str, int]] = {}
    for row in handled.values(group).order_by().annotate(**aggregates):
        result[row[group]] = {key: row[key] for key in _DB_KEYS}
    return result


def _group_field(by: str | None) -> str:
    return {
        "level": "level", "field": "procedure__field_id", "procedure": "procedure_id", "child": "unit_id",
        "agency": "agency_id",
    }.get(by or "", "unit_id")


def _sum_counts(parts: Iterable[dict[str, int]]) -> dict[str, int]:
    total = dict.fromkeys(_DB_KEYS, 0)
    for part in parts:
        for key in _DB_KEYS:
            total[key] += part[key]
    return total


def _finish_counts(raw: dict[str, int]) -> dict[str, int | float | None]:
    """Derive the remaining columns so that the identities of docs/architecture.md ("report") hold by construction
    of the partitions above: direct = received in period − online − postal, on time = resolved −
    early − late, within = in progress − overdue."""
    counts: dict[str, int | float | None] = {key: 0 for key in COUNT_KEYS}
    counts.update(raw)
    counts["received_direct"] = (
        raw["received_total"] - raw["carried_over"] - raw["received_online"] - raw["received_postal"]
    )
    counts["resolved_on_time"] = raw["resolved_total"] - raw["resolved_early"] - raw["resolved_late"]
    counts["in_progress_within"] = raw["in_progress_total"] - raw["in_progress_overdue"]
    to_handle = raw["received_total"] - raw["withdrawn"]
    late = raw["resolved_late"] + raw["in_progress_overdue"]
    counts["on_time_rate"] = None if to_handle <= 0 else 1.0 - late / to_handle
    return {key: counts[key] for key in (*COUNT_KEYS, "on_time_rate")}


# --- rows -------------------------------------------------------------------------------------

def _shape_rows(
    by: str | None, unit: AdministrativeUnit, raw: dict[object, dict[str, int]], scope: dict[int, int],
    date_from: dt.date, date_to: dt.date,
) -> list[dict]:
    if by is None:
        return []
    if by == "level":
        labels = dict(Level.choices)
        keys = [lv.value for lv in LEVEL_ORDER if lv.value in raw] + sorted(
            str(k) for k in raw if k not in {lv.value for lv in LEVEL_ORDER}
        )
        return [_row(k, str(labels.get(k, k)), raw[k]) for k in keys]
    if by == "child":
        return _child_rows(unit, raw, scope, date_from, date_to)
    if by == "field":
        from motcua.catalog.models import Field

        rows = Field.objects.filter(pk__in=[k for k in raw if k is not None]).values_list("pk", "code", "name")
        names = {pk: (code, name) for pk, code, name in rows}
        names[None] = ("", _("Chưa xác định lĩnh vực"))
    elif by == "agency":
        from motcua.units.models import Agency

        rows = Agency.objects.filter(pk__in=[k for k in raw if k is not None]).values_list("pk", "code", "name")
        names = {pk: (code, name) for pk, code, name in rows}
        names[None] = ("", _("Không ghi cơ quan"))
    else:
        from motcua.catalog.models import Procedure

        rows = Procedure.objects.filter(pk__in=list(raw)).values_list("pk", "code", "name")
        names = {pk: (code, name) for pk, code, name in rows}
    return sorted((_row(*names[k], raw[k]) for k in raw), key=lambda r: r["key"])


def _child_rows(
    unit: AdministrativeUnit, raw: dict[object, dict[str, int]], scope: dict[int, int],
    date_from: dt.date, date_to: dt.date,
) -> list[dict]:
    """One row per direct child code (all versions of a code together), the unit's own code first."""
    heads = AdministrativeUnit.objects.filter(pk__in=set(scope.values())).order_by("code", "valid_from")
    by_pk = {u.pk: u for u in heads}
    per_key: dict[str, list[dict[str, int]]] = defaultdict(list)
    label: dict[str, tuple[dt.date, str]] = {}
    for head in heads:
        # The children shown: those in force during the period, plus any with dossiers.
        in_force = head.valid_from <= date_to and (head.valid_to is None or head.valid_to >= date_from)
        if in_force or head.code == unit.code:
            per_key.setdefault(head.code, [])
        if head.code not in label or head.valid_from <= date_to:
            label[head.code] = (head.valid_from, head.name)
    for unit_id, counts in raw.items():
        per_key[by_pk[scope[unit_id]].code].append(counts)
    if unit.code in label:
        label[unit.code] = (unit.valid_from, unit.name)
    keys = sorted(per_key, key=lambda k: (k != unit.code, k))
    return [_row(k, label[k][1], _sum_counts(per_key[k])) for k in keys]


def _row(key: str, label: str, raw: dict[str, int]) -> dict:
    return {"key": key, "label": label, **_finish_counts(raw)}
