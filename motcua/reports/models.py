"""Rollups that reports read instead of the dossier table (docs/architecture.md, "Rollups and verify_counters").

Every table holds the same counts for one (key, day) or (key, month): what was received (by
channel), what closed (early / on time / late / withdrawn) and two running deltas, so that a
report needs only sums of rows:

- ``open_delta``: the change that day in the number of open dossiers (received − closed).
  Open at the start of day F = Σ ``open_delta`` over days < F.
- ``overdue_delta``: the change in the number of open dossiers that are overdue at the end of
  that day. A dossier entering the bucket "due on day d" on day e counts as overdue at the end
  of day T exactly when e ≤ T and d < T, i.e. from day max(e, d + 1) on; leaving it on day e
  removes it from the same day max(e, d + 1). So the move is written as ±1 on that day (never
  for a paused dossier, which is within time whatever the day), and overdue at the end of day T
  = Σ ``overdue_delta`` over days ≤ T. Rows may thus lie in the future (the day after a due date).

Four grains of the same counts, written by ``motcua.reports.rollups`` in the transaction of
every transition: per day and per month, for the fine key (unit, agency, procedure, level) that
reports by agency / field / procedure need, and for the coarse key (unit, level) that reports by
child unit, by level and totals read. A sum over days < F reads the months before F's month and
the days of F's month before F: O(units × months + units × 31) rows however many dossiers.
``manage.py verify_counters`` recounts all four from the dossiers' events.
"""
from __future__ import annotations

import datetime as dt

from django.db import models

PAUSED_WITHIN = dt.date(9999, 12, 31)
COUNT_FIELDS = ("received_direct", "received_online", "received_postal", "resolved_early", "resolved_on_time",
                "resolved_late", "withdrawn", "open_delta", "overdue_delta")


class Counts(models.Model):
    # Not indexed alone: every table's unique key starts with the unit.
    unit = models.ForeignKey("units.AdministrativeUnit", on_delete=models.CASCADE, related_name="+", db_index=False)
    level = models.CharField(max_length=10)
    received_direct = models.IntegerField(default=0)
    received_online = models.IntegerField(default=0)
    received_postal = models.IntegerField(default=0)
    resolved_early = models.IntegerField(default=0)
    resolved_on_time = models.IntegerField(default=0)
    resolved_late = models.IntegerField(default=0)
    withdrawn = models.IntegerField(default=0)
    open_delta = models.IntegerField(default=0, help_text="Open dossiers: received − closed that day")
    overdue_delta = models.IntegerField(default=0, help_text="Change in open overdue dossiers at the end of the day")

    class Meta:
        abstract = True


class FineKey(Counts):
    agency_key = models.BigIntegerField(default=0, help_text="Agency id, 0 when none (keeps the key unique)")
    # Not indexed alone either: reports reach it through the unique key (units first) and join the
    # procedure by its own key; only deleting a procedure looks for its rows, and may scan for them.
    procedure = models.ForeignKey("catalog.Procedure", on_delete=models.CASCADE, related_name="+", db_index=False)

    class Meta:
        abstract = True


class DailyCounter(FineKey):
    """One day of the dossiers of one (unit, agency, procedure, level)."""

    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "agency_key", "procedure", "level", "day"], name="daily_counter_key"
            )
        ]
        indexes = [models.Index(fields=["day", "unit"])]

    def __str__(self) -> str:
        return f"{self.day} u{self.unit_id} p{self.procedure_id}"


class MonthlyCounter(FineKey):
    """DailyCounter summed by month (``month`` = the month's first day)."""

    month = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "agency_key", "procedure", "level", "month"], name="monthly_counter_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} u{self.unit_id} p{self.procedure_id}"


class UnitDailyCounter(Counts):
    """DailyCounter summed over agencies and procedures: the key (unit, level)."""

    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "level", "day"], name="unit_daily_counter_key")]
        indexes = [models.Index(fields=["day", "unit"])]

    def __str__(self) -> str:
        return f"{self.day} u{self.unit_id} {self.level}"


class UnitMonthlyCounter(Counts):
    """UnitDailyCounter summed by month (``month`` = the month's first day)."""

    month = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "level", "month"], name="unit_monthly_counter_key")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} u{self.unit_id} {self.level}"
