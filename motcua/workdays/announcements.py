"""Government announcements known to the project but missing from the pinned ``holidays``.

Announcements of swapped days come late (often in December for the next year), after a
``holidays`` release. The project applies this list under the administrators'
CalendarOverride rows (``motcua/units/calendars.py``), so a date here can still be
overridden from the admin. When ``holidays`` catches up an entry becomes redundant but
harmless (same answer). Checked against ``holidays==0.109``.
"""
from __future__ import annotations

from datetime import date

Mark = tuple[date, bool, str]
"""(date, is_working, reason)."""

Announcement = tuple[date, bool, str, str]
"""(date, is_working, reason, legal basis)."""

ANNOUNCEMENTS: tuple[Announcement, ...] = (
    # Tết Dương lịch 2026: 4 days off, 1–4 Jan; Friday 2 Jan swapped with Saturday 10 Jan.
    # Not in holidays 0.109.
    (
        date(2026, 1, 2),
        False,
        "Nghỉ Tết Dương lịch 2026 (hoán đổi với thứ Bảy 10/01/2026)",
        "Công văn 12729/VPCP-KGVX ngày 25/12/2025",
    ),
    (
        date(2026, 1, 10),
        True,
        "Làm bù cho ngày 02/01/2026 (Tết Dương lịch 2026)",
        "Công văn 12729/VPCP-KGVX ngày 25/12/2025",
    ),
    # Ngày Văn hóa Việt Nam, 24/11, from 2026: asked for by Resolution 80-NQ/TW; a day off needs an
    # amendment of the Labour Code's art. 112, not made yet. holidays 0.109 already lists it. An
    # administrator who must count it as a working day adds a CalendarOverride (working) for it.
    (
        date(2026, 11, 24),
        False,
        "Ngày Văn hóa Việt Nam",
        "Nghị quyết 80-NQ/TW; chờ sửa đổi Điều 112 Bộ luật Lao động (chưa có hiệu lực)",
    ),
)


def announcement_basis(day: date) -> str | None:
    """The legal basis of the announcement for ``day``, if the project knows one."""
    return next((basis for d, _working, _reason, basis in ANNOUNCEMENTS if d == day), None)


def announcement_marks() -> tuple[Mark, ...]:
    return tuple((day, is_working, reason) for day, is_working, reason, _basis in ANNOUNCEMENTS)
