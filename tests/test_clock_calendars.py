"""The database side of the clock: calendar_for_unit (overrides, ancestors, sessions, cache)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from motcua.units.calendars import calendar_for_unit, clear_calendar_cache
from motcua.units.models import AdministrativeUnit, CalendarOverride, Level
from motcua.workdays import TZ

WEDNESDAY = dt.date(2030, 3, 6)  # an ordinary working day, far from any holiday
SATURDAY = dt.date(2030, 3, 9)


def unit(code: str, level: str = Level.COMMUNE, parent: AdministrativeUnit | None = None,
         sessions: str = "", valid_from: dt.date = dt.date(2000, 1, 1),
         valid_to: dt.date | None = None) -> AdministrativeUnit:
    return AdministrativeUnit.objects.create(
        code=code, name=f"Đơn vị {code}", level=level, parent=parent, sessions=sessions,
        valid_from=valid_from, valid_to=valid_to,
    )


@pytest.fixture
def tree() -> dict[str, AdministrativeUnit]:
    province = unit("T01", Level.PROVINCE, sessions="07:30-11:30,13:30-17:00")
    district = unit("H01", Level.DISTRICT, parent=province)
    commune = unit("X01", parent=district)
    other = unit("X02", parent=unit("H02", Level.DISTRICT, parent=province), sessions="08:00-12:00,13:00-17:00")
    return {"province": province, "district": district, "commune": commune, "other": other}


@pytest.mark.django_db
def test_national_calendar_has_package_and_announcements() -> None:
    cal = calendar_for_unit(None)
    assert not cal.is_working_day(dt.date(2026, 2, 17))  # Tết, from the package
    assert not cal.is_working_day(dt.date(2026, 1, 2))  # announcement 12729/VPCP-KGVX
    assert cal.is_working_day(dt.date(2026, 1, 10))  # its make-up Saturday


@pytest.mark.django_db
def test_national_override_wins_over_announcement_and_package() -> None:
    CalendarOverride.objects.create(date=dt.date(2026, 1, 2), is_working=True, reason="thử: làm việc")
    CalendarOverride.objects.create(date=dt.date(2026, 2, 17), is_working=True, reason="thử: trực Tết")
    CalendarOverride.objects.create(date=WEDNESDAY, is_working=False, reason="Nghỉ theo thông báo muộn")
    cal = calendar_for_unit(None)
    assert cal.is_working_day(dt.date(2026, 1, 2))
    assert cal.is_working_day(dt.date(2026, 2, 17))
    assert cal.day_status(WEDNESDAY) == (False, "Nghỉ theo thông báo muộn")


@pytest.mark.django_db
def test_unit_and_ancestor_overrides_nearest_wins(tree: dict[str, AdministrativeUnit]) -> None:
    CalendarOverride.objects.create(date=WEDNESDAY, is_working=False, reason="tỉnh nghỉ", unit=tree["province"])
    CalendarOverride.objects.create(date=SATURDAY, is_working=True, reason="tỉnh làm bù", unit=tree["province"])
    CalendarOverride.objects.create(date=SATURDAY, is_working=False, reason="huyện không làm", unit=tree["district"])
    commune = calendar_for_unit(tree["commune"])
    assert not commune.is_working_day(WEDNESDAY)  # from the province
    assert not commune.is_working_day(SATURDAY)  # the district's word is nearer than the province's
    assert calendar_for_unit(tree["other"]).is_working_day(SATURDAY)  # the province's word in another district
    assert calendar_for_unit(None).is_working_day(WEDNESDAY)  # the nation is not affected


@pytest.mark.django_db
def test_sessions_come_from_the_unit_or_its_ancestors(tree: dict[str, AdministrativeUnit]) -> None:
    received = dt.datetime(2030, 3, 6, 7, 40, tzinfo=TZ)
    assert calendar_for_unit(tree["commune"]).start_of_clock(received) == received  # province opens 07:30
    assert calendar_for_unit(tree["other"]).start_of_clock(received) == received.replace(hour=8, minute=0)
    assert calendar_for_unit(None).start_of_clock(received) == received.replace(hour=8, minute=0)
    assert calendar_for_unit(tree["commune"]).minutes_per_day == 450


@pytest.mark.django_db
def test_saving_or_deleting_an_override_changes_the_next_answer() -> None:
    assert calendar_for_unit(None).is_working_day(WEDNESDAY)
    row = CalendarOverride.objects.create(date=WEDNESDAY, is_working=False, reason="nghỉ")
    assert not calendar_for_unit(None).is_working_day(WEDNESDAY)
    row.is_working = True
    row.save()
    assert calendar_for_unit(None).is_working_day(WEDNESDAY)
    row.delete()
    CalendarOverride.objects.create(date=SATURDAY, is_working=True, reason="làm bù")
    assert calendar_for_unit(None).is_working_day(SATURDAY)


@pytest.mark.django_db
def test_a_rolled_back_override_leaves_no_trace() -> None:
    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        CalendarOverride.objects.create(date=WEDNESDAY, is_working=False, reason="sẽ bị hủy")
        assert not calendar_for_unit(None).is_working_day(WEDNESDAY)
        raise Abort
    assert calendar_for_unit(None).is_working_day(WEDNESDAY)


@pytest.mark.django_db(transaction=True)
def test_cached_between_changes_and_refreshed_after_commit() -> None:
    clear_calendar_cache()
    CalendarOverride.objects.create(date=WEDNESDAY, is_working=False, reason="nghỉ")  # autocommit
    first = calendar_for_unit(None)
    assert calendar_for_unit(None) is first  # cached
    assert not first.is_working_day(WEDNESDAY)
    CalendarOverride.objects.filter(date=WEDNESDAY).delete()  # queryset delete sends post_delete too
    again = calendar_for_unit(None)
    assert again is not first
    assert again.is_working_day(WEDNESDAY)
