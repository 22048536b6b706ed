"""Computing the service-quality index (Decision 766) from dossier data.

    compute_index("99001", date(2026, 1, 1), date(2026, 3, 31)) -> dict

Scope and periods follow report form 06 (``motcua.reports.form06``): the unit ``unit_code`` as it was
on ``date_to`` with its earlier versions and every unit version below them
(``motcua.units.scoping.units_below``); the period is ``[date_from, date_to]`` in local
days. The facts are computed in one aggregate query per call (plus one for the procedures offering
online service); the formulas and scoring run in Python over those few numbers.

Scoring (docs/domain.md §8): ``rate`` = the formula's value, kept within [0, 1]; an indicator with a
threshold scores full marks at or above it, else ``rate × max / threshold``; without a threshold,
``rate × max``. One rule for every indicator without data: it is *not applicable* — no points, and
its maximum is left out of ``computed_max`` — whatever the reason (``reason``):

- ``not_computable``: no formula (scored elsewhere, e.g. on the national portal);
- ``no_data``: its formula uses a fact this system does not hold yet (a *stub*);
- ``small_sample``: a rating-based indicator (``sample`` names the fact that counts its ratings)
  with fewer than ``MOTCUA_QUALITY_MIN_SAMPLE`` ratings (a setting, default 30);
- ``nothing_to_measure``: its formula divides by zero (nothing received in the period, say).

``score`` = ``points × 100 / computed_max``: the index on the part that could be computed.
"""
from __future__ import annotations

import datetime as dt
import operator
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from functools import reduce

from django.conf import settings
from django.db.models import Q, QuerySet

from motcua.dossiers.models import Dossier
from motcua.quality.formula import FormulaError, parse, penalty_terms, ratio_pairs
from motcua.quality.indicators import FACT_NAMES, FACTS, Period, handled, rated_in, received_in
from motcua.quality.models import Indicator, IndicatorSet
from motcua.units.scoping import resolve_code, units_below

DB_FACTS = tuple(name for name, fact in FACTS.items() if fact.aggregate is not None and not fact.stub)
DERIVED_FACTS = tuple(name for name, fact in FACTS.items() if fact.derive is not None and not fact.stub)
STUB_FACTS = tuple(name for name, fact in FACTS.items() if fact.stub)
DEFAULT_MIN_SAMPLE = 30


class QualityError(ValueError):
    """Bad input (unknown unit, indicator or period); the message is for the user."""


# --- facts ------------------------------------------------------------------------------------

def _relevant(p: Period) -> Q:
    """Every dossier any fact may count: handled or received in the period, or rated in it."""
    return handled(p) | received_in(p) | rated_in(p) | Q(finished_at__gte=p.start, finished_at__lt=p.end)


def raw_facts(scope: Iterable[int], p: Period, group: str | None = None) -> dict[object, dict[str, float]]:
    """The database facts of the dossiers of the units ``scope``, per value of ``group`` (a Dossier
    field, e.g. ``unit_id``), or under the key ``None`` when ``group`` is None. One query."""
    aggregates = {name: FACTS[name].aggregate(p, FACTS[name].members(p)) for name in DB_FACTS}  # type: ignore[misc]
    base = Dossier.objects.filter(unit_id__in=list(scope)).filter(_relevant(p)).order_by()
    if group is None:
        row = base.aggregate(**aggregates)
        return {None: {name: float(row[name] or 0) for name in DB_FACTS}}
    return {
        row[group]: {name: float(row[name] or 0) for name in DB_FACTS}
        for row in base.values(group).annotate(**aggregates)
    }


def add_facts(parts: Iterable[dict[str, float]]) -> dict[str, float]:
    total = dict.fromkeys(DB_FACTS, 0.0)
    for part in parts:
        for name in DB_FACTS:
            total[name] += part[name]
    return total


def derive(raw: dict[str, float]) -> dict[str, float | None]:
    """Add the derived facts (in catalogue order, so one may use an earlier one); stubs are None (no data)."""
    facts: dict[str, float | None] = dict(raw)
    for name in DERIVED_FACTS:
        facts[name] = float(FACTS[name].derive(facts))  # type: ignore[misc, arg-type]
    for name in STUB_FACTS:
        facts[name] = None
    return facts


def min_sample() -> int:
    """Ratings a rating-based indicator needs before it scores (docs/domain.md §8; a setting)."""
    return int(getattr(settings, "MOTCUA_QUALITY_MIN_SAMPLE", DEFAULT_MIN_SAMPLE))


# --- scoring ------------------------------------------------------------------------------------

def points_for(rate: float | None, max_points: float, threshold: float | None) -> float | None:
    """docs/domain.md §8: full marks at or above the threshold, else rate × max / threshold; rate × max without one."""
    if rate is None:
        return None
    rate = min(max(rate, 0.0), 1.0)
    if threshold:
        return max_points if rate >= threshold else rate * max_points / threshold
    return rate * max_points


def _num(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


def indicator_set_for(day: dt.date, code: str | None = None) -> IndicatorSet:
    try:
        return IndicatorSet.objects.get(code=code) if code else IndicatorSet.in_force(day)
    except IndicatorSet.DoesNotExist:
        raise QualityError(f"Không có bộ chỉ số {code or 'áp dụng ngày ' + day.isoformat()}.") from None


def load_groups(iset: IndicatorSet) -> list:
    """The set's groups with their indicators, in two queries (reuse it to score many units)."""
    return list(iset.groups.prefetch_related("indicators"))


def score_facts(facts: dict[str, float | None], iset: IndicatorSet, loaded: list | None = None) -> dict:
    """Groups, indicators and totals for already computed facts."""
    groups = []
    total = computed_max = 0.0
    minimum = min_sample()
    for group in loaded if loaded is not None else load_groups(iset):
        g_points = g_computed = 0.0
        rows = []
        for ind in group.indicators.all():
            row = _score_indicator(ind, facts, minimum)
            if row["points"] is not None:
                g_points += row["points"]
                g_computed += row["max_points"]
            rows.append(row)
        groups.append({"code": group.code, "name": group.name, "max_points": float(group.max_points),
                       "points": round(g_points, 4), "computed_max": g_computed, "indicators": rows})
        total += g_points
        computed_max += g_computed
    return {
        "groups": groups,
        "points": round(total, 4),
        "max_points": float(sum(g["max_points"] for g in groups)),
        "computed_max": computed_max,
        "score": round(total * 100 / computed_max, 4) if computed_max else None,
    }


def _score_indicator(ind: Indicator, facts: dict[str, float | None], minimum: int) -> dict:
    """One indicator's row; ``reason`` says why one is not applicable (the same rule for all: no points,
    its maximum left out of the computable maximum)."""
    row = {"code": ind.code, "name": ind.name, "formula": ind.formula, "max_points": float(ind.max_points),
           "threshold": _num(ind.threshold), "note": ind.note, "computable": bool(ind.formula),
           "applicable": False, "reason": "not_computable", "rate": None, "points": None, "facts": {},
           "stub_facts": [], "sample": None}
    if not ind.formula:
        return row
    try:
        formula = parse(ind.formula, FACT_NAMES)
    except FormulaError as exc:
        raise QualityError(f"Chỉ tiêu {ind.code}: {exc}") from None
    row["facts"] = {name: facts[name] for name in sorted(formula.names)}
    row["stub_facts"] = sorted(name for name in formula.names if FACTS[name].stub)
    if ind.sample:
        row["sample"] = {"fact": ind.sample, "value": int(facts.get(ind.sample) or 0), "minimum": minimum}
    if row["stub_facts"]:
        row["reason"] = "no_data"
        return row
    if row["sample"] is not None and row["sample"]["value"] < max(minimum, 1):
        row["reason"] = "small_sample"
        return row
    rate = formula.evaluate(facts)  # type: ignore[arg-type]
    if rate is None:
        row["reason"] = "nothing_to_measure"
        return row
    row.update(applicable=True, reason="", rate=round(rate, 6),
               points=round(points_for(rate, float(ind.max_points), _num(ind.threshold)) or 0.0, 4))
    return row


# --- the index ----------------------------------------------------------------------------------

def _scope(unit_code: str, date_to: dt.date) -> tuple[dict, dict[int, int]]:
    unit = resolve_code(unit_code, date_to)
    if unit is None:
        raise QualityError(f"Không có đơn vị hành chính mã {unit_code}.")
    return {"code": unit.code, "name": unit.name}, units_below(unit_code, date_to)


def _check_period(date_from: dt.date, date_to: dt.date) -> Period:
    if date_from > date_to:
        raise QualityError(f"Từ ngày ({date_from}) phải không sau đến ngày ({date_to}).")
    return Period(date_from, date_to)


def fact_table(facts: dict[str, float | None]) -> dict[str, dict]:
    return {name: {"value": facts[name], "label": FACTS[name].label, "stub": FACTS[name].stub,
                   "note": FACTS[name].note} for name in FACTS}


def compute_index(unit_code: str, date_from: dt.date, date_to: dt.date, indicator_set: str | None = None) -> dict:
    """The 766 index of a unit (and everything below it) over ``[date_from, date_to]``."""
    p = _check_period(date_from, date_to)
    unit, scope = _scope(unit_code, date_to)
    iset = indicator_set_for(date_to, indicator_set)
    facts = derive(raw_facts(scope, p)[None])
    return {
        "unit": unit, "from": date_from.isoformat(), "to": date_to.isoformat(),
        "indicator_set": {"code": iset.code, "name": iset.name, "legal_basis": iset.legal_basis},
        "facts": fact_table(facts),
        **score_facts(facts, iset),
    }


def compute_index_by_child(parent_code: str, date_from: dt.date, date_to: dt.date,
                           indicator_set: str | None = None) -> dict[str, dict]:
    """Index of each direct child code of ``parent_code`` (all versions of a code together), with the
    facts computed in one query for the whole tree. The parent's own dossiers are not a child."""
    p = _check_period(date_from, date_to)
    _unit, scope = _scope(parent_code, date_to)
    iset = indicator_set_for(date_to, indicator_set)
    from motcua.units.models import AdministrativeUnit

    heads = {u.pk: u for u in AdministrativeUnit.objects.filter(pk__in=set(scope.values())).exclude(code=parent_code)}
    per_child: dict[str, list[dict[str, float]]] = defaultdict(list)
    names: dict[str, str] = {}
    for head in sorted(heads.values(), key=lambda u: u.valid_from):
        if head.valid_from <= date_to and (head.valid_to is None or head.valid_to >= date_from):
            per_child.setdefault(head.code, [])
        if head.valid_from <= date_to or head.code not in names:
            names[head.code] = head.name
    for unit_id, facts in raw_facts(scope, p, "unit_id").items():
        head = heads.get(scope.get(unit_id))  # type: ignore[arg-type]
        if head is not None:
            per_child[head.code].append(facts)
    out = {}
    loaded = load_groups(iset)
    for code in sorted(per_child):
        facts = derive(add_facts(per_child[code]))
        out[code] = {"code": code, "name": names[code], "facts": facts, **score_facts(facts, iset, loaded)}
    return out


# --- drill-down ---------------------------------------------------------------------------------

def dossiers_costing_points(unit_code: str, date_from: dt.date, date_to: dt.date, indicator_code: str,
                            indicator_set: str | None = None) -> QuerySet[Dossier]:
    """The dossiers that cost the indicator points: for a formula ``a / b`` over dossier facts,
    those counted in ``b`` but not in ``a`` (e.g. the late ones for 2.1, the ones not submitted
    online for 3.1); for ``1 - (a + c) / b``, those of ``b`` counted in ``a`` or ``c`` (5.3: the late
    and the disliked)."""
    p = _check_period(date_from, date_to)
    _unit, scope = _scope(unit_code, date_to)
    iset = indicator_set_for(date_to, indicator_set)
    ind = Indicator.objects.filter(group__indicator_set=iset, code=indicator_code).first()
    if ind is None:
        raise QualityError(f"Bộ chỉ số {iset.code} không có chỉ tiêu {indicator_code}.")
    if not ind.formula:
        raise QualityError(f"Chỉ tiêu {ind.code} không tính được từ dữ liệu hồ sơ.")
    formula = parse(ind.formula, FACT_NAMES)
    stubs = sorted(name for name in formula.names if FACTS[name].stub)
    if stubs:
        raise QualityError(f"Chỉ tiêu {ind.code} chưa có dữ liệu ({', '.join(stubs)}): không áp dụng, không mất điểm.")
    pairs = ratio_pairs(formula)
    penalties = penalty_terms(formula)
    if pairs:
        good, population = (FACTS[name] for name in pairs[0])
        shortfall = good.shortfall(p) if good.shortfall else ~good.members(p)
    elif penalties:  # 1 − (a + b) / d: the dossiers counted in a or b
        bad, denominator = penalties[0]
        population = FACTS[denominator]
        shortfall = reduce(operator.or_, (FACTS[name].members(p) for name in bad))
    else:
        raise QualityError(f"Công thức của chỉ tiêu {ind.code} không có dạng a / b để liệt kê hồ sơ.")
    return (Dossier.objects.filter(unit_id__in=list(scope)).filter(population.members(p)).filter(shortfall)
            .select_related("procedure", "unit", "agency").order_by("received_at", "code"))
