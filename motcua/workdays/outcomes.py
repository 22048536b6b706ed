"""Outcome of a dossier against its due instant (docs/domain.md §6), by calendar date in Asia/Ho_Chi_Minh.

Pure Python; no Django.
"""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from .zone import local_date

Outcome = Literal["early", "on_time", "late"]
ProgressState = Literal["within", "overdue"]


def outcome_of(finished: datetime, due: datetime) -> Outcome:
    """Finished before the due date → early; on the due date → on time; after → late."""
    finished_on, due_on = local_date(finished), local_date(due)
    if finished_on < due_on:
        return "early"
    if finished_on == due_on:
        return "on_time"
    return "late"


def in_progress_state(due: datetime, at: datetime) -> ProgressState:
    """An unfinished dossier at instant ``at``: due date ≥ date of ``at`` → within time; else overdue."""
    return "within" if local_date(due) >= local_date(at) else "overdue"
