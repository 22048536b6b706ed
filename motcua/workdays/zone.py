"""The clock's time zone: everything is Asia/Ho_Chi_Minh wall time, at minute precision.

Naive datetimes are taken as Asia/Ho_Chi_Minh; aware ones are converted to it. Seconds
and microseconds are truncated (the clock counts whole minutes: a receipt at 15:00:59
is a receipt at 15:00). Pure Python; no Django.
"""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def to_local(value: datetime) -> datetime:
    """The same instant as an aware Asia/Ho_Chi_Minh datetime, truncated to the minute."""
    if not isinstance(value, datetime):
        raise TypeError(f"expected a datetime, got {type(value).__name__}")
    local = value.replace(tzinfo=TZ) if value.tzinfo is None else value.astimezone(TZ)
    if local.second or local.microsecond:
        local = local.replace(second=0, microsecond=0)
    return local


def local_date(value: datetime | date) -> date:
    """Calendar date in Asia/Ho_Chi_Minh (a plain ``date`` is returned as is)."""
    if isinstance(value, datetime):
        return value.date() if value.tzinfo is None else value.astimezone(TZ).date()
    return value
