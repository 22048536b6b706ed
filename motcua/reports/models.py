"""Rollups that reports read instead of the dossier table (design.md "Reports read rollups").

Both tables are written by ``motcua.reports.rollups`` in the same transaction as every
transition, so a province-year report reads O(units × procedures × days) rows, never the
dossiers. ``manage.py verify_counters`` recounts them from the dossiers' events.
"""
from __future__ import annotations

import datetime as dt

from django.db import models

PAUSED_WITHIN = dt.date(9999, 12, 31)


class DailyCounter(models.Model):
    """What happened on one day to the dossiers of one (unit, agency, procedure, level)."""

    day = models.DateField()
    unit = models.ForeignKey("units.AdministrativeUnit", on_delete=models.CASCADE, related_name="+")
    agency_key = models.BigIntegerField(default=0, help_text="Agency id, 0 when none (keeps the key unique)")
    procedure = models.ForeignKey("catalog.Procedure", on_delete=models.CASCADE, related_name="+")
    level = models.CharField(max_length=10)
    received_direct = models.IntegerField(default=0)
    received_online = models.IntegerField(default=0)
    received_postal = models.IntegerField(default=0)
    resolved_early = models.IntegerField(default=0)
    resolved_on_time = models.IntegerField(default=0)
    resolved_late = models.IntegerField(default=0)
    withdrawn = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "agency_key", "procedure", "level", "day"], name="daily_counter_key"
            )
        ]
        indexes = [models.Index(fields=["day", "unit"])]

    def __str__(self) -> str:
        return f"{self.day} u{self.unit_id} p{self.procedure_id}"


class OpenLedger(models.Model):
    """Changes on one day to the number of open dossiers due on ``due_day``.

    ``due_day`` = PAUSED_WITHIN (9999-12-31) for a dossier whose clock stopped before its due
    instant: it is within time whatever the day. The open dossiers at the end of day D, by due
    day, are the sums of ``delta`` over ``day <= D``.
    """

    day = models.DateField()
    due_day = models.DateField()
    unit = models.ForeignKey("units.AdministrativeUnit", on_delete=models.CASCADE, related_name="+")
    agency_key = models.BigIntegerField(default=0, help_text="Agency id, 0 when none (keeps the key unique)")
    procedure = models.ForeignKey("catalog.Procedure", on_delete=models.CASCADE, related_name="+")
    level = models.CharField(max_length=10)
    delta = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "agency_key", "procedure", "level", "day", "due_day"], name="open_ledger_key"
            )
        ]
        indexes = [models.Index(fields=["day", "unit"])]

    def __str__(self) -> str:
        return f"{self.day} due {self.due_day}: {self.delta:+d}"
