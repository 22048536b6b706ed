"""The clock: working days, sessions and due instants. Pure Python — no Django import here.

    from motcua.workdays import Calendar, parse_duration
    cal = Calendar.national(overrides=[(date(2026, 1, 2), False)])
    due = cal.add_working_time(cal.start_of_clock(received, cutoff=time(15)), parse_duration("5d"))

Datetimes in: aware (converted to Asia/Ho_Chi_Minh) or naive (taken as Asia/Ho_Chi_Minh).
Datetimes out: aware, zoneinfo Asia/Ho_Chi_Minh. Minute precision: seconds are truncated.
"""
from .announcements import ANNOUNCEMENTS, announcement_marks
from .calendar import DEFAULT_SESSIONS, Calendar
from .outcomes import in_progress_state, outcome_of
from .parsing import MINUTES_PER_WORKING_DAY, parse_duration, parse_sessions, parse_time_of_day
from .zone import TZ, local_date, to_local

__all__ = [
    "ANNOUNCEMENTS",
    "DEFAULT_SESSIONS",
    "MINUTES_PER_WORKING_DAY",
    "TZ",
    "Calendar",
    "announcement_marks",
    "in_progress_state",
    "local_date",
    "outcome_of",
    "parse_duration",
    "parse_sessions",
    "parse_time_of_day",
    "to_local",
]
