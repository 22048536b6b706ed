"""When the calendar changes, open dossiers are recomputed (docs/domain.md §6).

A ``CalendarOverride`` saved or deleted (the admin, a shell, a data load) changes the working days
of its unit and of the units below it (all units for a national row). Once the change is committed,
every open dossier of those units whose clock runs over a changed date is replayed on the new
calendar (``services.recompute_due``): the dossiers whose due instants move get them rewritten
with a ``recompute_due`` event that says which date changed, why and on what basis; the report
rollups move with them. Finished dossiers keep the due instant they had; an imported dossier keeps
its old system's.

Up to ``settings.MOTCUA_RECOMPUTE_INLINE_MAX`` dossiers (default 500) are recomputed at once, when
the change commits; more are queued as one task for the worker (``manage.py db_worker``).
``manage.py recompute_due`` does the same by hand (for instance after an announcement known to the
code changed with a new release).
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django_tasks import task

from motcua.dossiers import services
from motcua.dossiers.lifecycle import OPEN_STATES
from motcua.dossiers.models import Dossier
from motcua.units.models import AdministrativeUnit, CalendarOverride
from motcua.workdays import TZ

logger = logging.getLogger(__name__)


@dataclass
class Outcome:
    examined: int = 0
    changed: int = 0
    imported: int = 0  # open imported dossiers in the window, left with their old system's due instant


def unit_tree(unit_id: int | None) -> list[int] | None:
    """The unit and every unit below it (ids); None for a national change (every unit)."""
    if unit_id is None:
        return None
    found, frontier = {unit_id}, [unit_id]
    while frontier:
        children = list(AdministrativeUnit.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        frontier = [c for c in children if c not in found]
        found.update(frontier)
    return sorted(found)


def affected(days: Iterable[dt.date], unit_id: int | None) -> QuerySet[Dossier]:
    """Open dossiers whose clock may run over one of ``days``: received before the end of the last
    day, due on or after the first one (a paused dossier's time left runs to its due instant too)."""
    days = sorted(set(days))
    first = dt.datetime.combine(days[0], dt.time.min, tzinfo=TZ)
    end = dt.datetime.combine(days[-1] + dt.timedelta(days=1), dt.time.min, tzinfo=TZ)
    qs = Dossier.objects.filter(status__in=list(OPEN_STATES), received_at__lt=end, due_at__gte=first,
                                finished_at__isnull=True, withdrawn_at__isnull=True)
    units = unit_tree(unit_id)
    return qs if units is None else qs.filter(unit_id__in=units)


def recompute(days: Iterable[dt.date], unit_id: int | None, reason: str,
              progress: Callable[[int, int], None] | None = None) -> Outcome:
    """Replay every affected dossier on the calendar as it now is; each one in its own transaction."""
    days = sorted(set(days))
    outcome = Outcome()
    qs = affected(days, unit_id)
    outcome.imported = qs.filter(imported=True).count()
    ids = list(qs.filter(imported=False).order_by("pk").values_list("pk", flat=True))
    for n, pk in enumerate(ids, start=1):
        dossier = Dossier.objects.select_related("procedure", "unit").filter(pk=pk).first()
        if dossier is not None and dossier.status in OPEN_STATES:
            outcome.examined += 1
            if services.recompute_due(dossier, reason) is not None:
                outcome.changed += 1
        if progress is not None:
            progress(n, len(ids))
    logger.info("calendar change %s (unit %s): %d open dossiers examined, %d recomputed, %d imported left",
                [d.isoformat() for d in days], unit_id, outcome.examined, outcome.changed, outcome.imported)
    return outcome


@task()
def recompute_task(days: list[str], unit_id: int | None, reason: str) -> str:
    outcome = recompute([dt.date.fromisoformat(d) for d in days], unit_id, reason)
    return f"{outcome.changed}/{outcome.examined}"


def describe(override: CalendarOverride, deleted: bool = False) -> str:
    """The reason written in each recomputed dossier's history."""
    day = f"{override.date:%d/%m/%Y}"
    what = "là ngày làm việc" if override.is_working else "là ngày nghỉ"
    where = f" tại {override.unit.name}" if override.unit_id else ""
    basis = f"; căn cứ: {override.legal_basis}" if override.legal_basis else ""
    if deleted:
        return f"Lịch làm việc thay đổi: bỏ điều chỉnh ngày {day}{where} ({what}: {override.reason}{basis})."
    return f"Lịch làm việc thay đổi: ngày {day}{where} {what} ({override.reason}{basis})."


def schedule(days: list[dt.date], unit_ids: set[int | None], reason: str) -> None:
    """After the change commits: recompute at once when few dossiers are concerned, else queue."""
    inline_max = int(getattr(settings, "MOTCUA_RECOMPUTE_INLINE_MAX", 500))
    for unit_id in sorted(unit_ids, key=lambda u: (u is not None, u or 0)):
        if affected(days, unit_id).count() <= inline_max:
            recompute(days, unit_id, reason)
            continue
        try:
            recompute_task.enqueue([d.isoformat() for d in days], unit_id, reason)
        except Exception:  # noqa: BLE001 - the change is kept; the command can be run by hand
            logger.exception("could not queue the recompute of %s; run manage.py recompute_due", days)


@receiver(pre_save, sender=CalendarOverride, dispatch_uid="motcua.recalendar.before")
def _remember_previous(sender: type, instance: CalendarOverride, **kwargs: object) -> None:
    rows = CalendarOverride.objects.filter(pk=instance.pk) if instance.pk else CalendarOverride.objects.none()
    instance._previous = rows.values("date", "unit_id").first()  # type: ignore[attr-defined]


@receiver(post_save, sender=CalendarOverride, dispatch_uid="motcua.recalendar.saved")
@receiver(post_delete, sender=CalendarOverride, dispatch_uid="motcua.recalendar.deleted")
def _override_changed(sender: type, instance: CalendarOverride, **kwargs: object) -> None:
    if kwargs.get("raw"):
        return  # fixtures: the data is being loaded as it was
    days, units = {instance.date}, {instance.unit_id}
    previous = getattr(instance, "_previous", None)
    if previous:
        days.add(previous["date"])
        units.add(previous["unit_id"])
    if None in units:
        units = {None}
    reason = describe(instance, deleted="created" not in kwargs)
    using = kwargs.get("using") or "default"
    transaction.on_commit(lambda: schedule(sorted(days), units, reason), using=using)

