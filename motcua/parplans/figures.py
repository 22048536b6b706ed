"""Figures of PAR plans and internal procedures, as the reports quote them ("30/40 nhiệm vụ",
"26/46 thủ tục nội bộ = 57 %", "18/18 xã phê duyệt phương án").

- tasks: those of the plans of the units given whose year falls in the period, cancelled ones
  left out; done, done on time (completed by the deadline), overdue at the end of the period (or now,
  if earlier), overdue by owner;
- internal procedures: the items of the simplification plans of those years — planned (all items),
  simplified (abolished or simplified, and approved or carried out), working days and steps cut;
- communes with an approved simplification plan, among the communes of the units given that were
  valid at the end of the period.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Q
from django.utils import timezone

from motcua.parplans.lifecycle import Status
from motcua.parplans.models import SimplificationItem, SimplificationPlan, Task
from motcua.parplans.services import units_filter
from motcua.units.models import AdministrativeUnit, Level
from motcua.workdays import TZ


def task_figures(tasks: list[Task], at: dt.datetime) -> dict[str, object]:
    live = [t for t in tasks if t.status != Status.CANCELLED]
    overdue = [t for t in live if t.overdue_at(at)]
    by_owner = Counter(t.owner_label or "—" for t in overdue)
    return {
        "plan_tasks_total": len(live),
        "plan_tasks_done": sum(t.status == Status.DONE for t in live),
        "plan_tasks_in_progress": sum(t.status == Status.IN_PROGRESS for t in live),
        "plan_tasks_done_on_time": sum(t.on_time() for t in live),
        "plan_tasks_overdue": len(overdue),
        "plan_tasks_overdue_by_owner": [{"owner": o, "overdue": n} for o, n in sorted(by_owner.items())],
    }


def simplification_figures(items: list[SimplificationItem]) -> dict[str, object]:
    cut = [i for i in items if i.simplified]
    return {
        "internal_procedures_planned": len(items),
        "internal_procedures_simplified": len(cut),
        "internal_procedures_simplified_percent": round(100 * len(cut) / len(items)) if items else None,
        "internal_procedures_days_cut": sum((i.days_before or 0) - (i.days_after or 0) for i in cut
                                            if i.days_before is not None and i.days_after is not None),
        "internal_procedures_steps_cut": sum((i.steps_before or 0) - (i.steps_after or 0) for i in cut
                                             if i.steps_before is not None and i.steps_after is not None),
    }


def communes_figures(unit_ids: set[int] | None, end: dt.date) -> dict[str, object]:
    communes = AdministrativeUnit.objects.filter(level=Level.COMMUNE, valid_from__lte=end).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=end)).filter(units_filter(unit_ids, "pk"))
    ids = set(communes.values_list("pk", flat=True))
    approved = set(SimplificationPlan.objects.filter(unit_id__in=ids, approved_on__isnull=False,
                                                     approved_on__lte=end).values_list("unit_id", flat=True))
    return {"communes_with_simplification_plan": len(approved), "communes_total": len(ids)}


def figures(unit_ids: set[int] | None, start: dt.date, end: dt.date) -> dict[str, object]:
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=TZ)
    tasks = list(Task.objects.filter(plan__year__gte=start.year, plan__year__lte=end.year)
                 .filter(units_filter(unit_ids, "plan__unit_id")).select_related("owner"))
    items = list(SimplificationItem.objects.filter(plan__year__gte=start.year, plan__year__lte=end.year)
                 .filter(units_filter(unit_ids, "plan__unit_id")))
    return {**task_figures(tasks, min(until, timezone.now())), **simplification_figures(items),
            **communes_figures(unit_ids, end)}
