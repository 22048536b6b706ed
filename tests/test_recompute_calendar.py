"""Issue 12, item 9: when an administrator changes the calendar in the admin (24/11/2026, the
Vietnamese Culture Day, made a working day), the open dossiers whose clock runs over that date are
recomputed, each change recorded with its basis; finished dossiers keep their due date; the report
rollups move with them; removing the override moves them back (docs/domain.md §6)."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import timezone

from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.reports import rollups
from motcua.units.models import CalendarOverride
from tests.factories import at, make_procedure, make_world

CULTURE_DAY = {"date": "2026-11-24", "is_working": "on", "reason": "Chưa có ngày nghỉ theo Bộ luật Lao động",
               "legal_basis": "Điều 112 Bộ luật Lao động 2019"}


@pytest.fixture
def world(db, monkeypatch):  # noqa: ANN001, ANN201
    # The administrator acts on Thursday 26/11/2026 at noon; the dossiers' histories are before that.
    monkeypatch.setattr(timezone, "now", lambda: at("2026-11-26 12:00"))
    return make_world()


def _receive(world, when: str, unit=None, procedure=None) -> Dossier:  # noqa: ANN001
    return services.receive(procedure=procedure or world.procedure, unit=unit or world.commune,
                            agency=world.agency if unit is None else world.other_agency, at=at(when), role="system")


def _admin(client, path: str, data: dict | None = None, capture=None):  # noqa: ANN001, ANN201
    admin = User.objects.filter(username="quantri").first() or User.objects.create_superuser(
        "quantri", password="mat-khau-quan-tri-1")
    client.force_login(admin)
    with capture(execute=True):
        response = client.post(path, data or {"post": "yes"})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


def _steps(d: Dossier) -> dict[int, dt.datetime | None]:
    return dict(d.steps.values_list("order", "due_at"))


def _recomputes(d: Dossier) -> list[DossierEvent]:
    return list(d.events.filter(action="recompute_due").order_by("seq"))


def test_item9_removing_the_culture_day_in_the_admin_recomputes_open_dossiers(
        world, client, django_capture_on_commit_callbacks) -> None:  # noqa: ANN001
    # Received Friday 20/11 09:00, 5 working days; with 24/11 off: Mon 23, Wed 25, Thu 26, Fri 27, Mon 30.
    running = _receive(world, "2026-11-20 09:00")
    services.perform(running, "hand_over", role="system", at=at("2026-11-23 08:30"))
    assert Dossier.objects.get(pk=running.pk).due_at == at("2026-11-30 09:00")
    assert _steps(running)[2] == at("2026-11-27 09:00")  # 4 days of the 5 spent by the end of step 2
    # Paused on Wednesday 25/11 09:00: 2 days used (Fri→Mon, Mon→Wed over the day off), 3 left.
    paused = _receive(world, "2026-11-20 09:00")
    services.perform(paused, "hand_over", role="system", at=at("2026-11-20 10:00"))
    services.perform(paused, "request_supplement", role="system", at=at("2026-11-25 09:00"), note="Thiếu bản sao")
    assert Dossier.objects.get(pk=paused.pk).remaining_minutes == 3 * 480
    # Finished before the change: keeps its due date.
    finished = _receive(world, "2026-11-20 09:00")
    services.perform(finished, "hand_over", role="system", at=at("2026-11-20 10:00"))
    services.perform(finished, "resolve", role="system", at=at("2026-11-26 10:00"))
    # Received after the changed date: its clock never ran over it.
    later = _receive(world, "2026-11-25 09:00")
    # In another commune of the same province: a national change reaches it.
    elsewhere = _receive(world, "2026-11-20 09:00", unit=world.other_commune)
    before_later, before_finished = Dossier.objects.get(pk=later.pk), Dossier.objects.get(pk=finished.pk)

    _admin(client, "/admin/units/calendaroverride/add/", CULTURE_DAY, django_capture_on_commit_callbacks)
    assert "Thời hạn của các hồ sơ đang giải quyết" in client.get("/admin/units/calendaroverride/").content.decode()

    running = Dossier.objects.get(pk=running.pk)
    assert running.due_at == at("2026-11-27 09:00")  # Mon 23, Tue 24, Wed 25, Thu 26, Fri 27
    assert _steps(running) == {1: at("2026-11-23 09:00"), 2: at("2026-11-26 09:00"), 3: at("2026-11-27 09:00")}
    [event] = _recomputes(running)
    assert event.reason.startswith("Lịch làm việc thay đổi: ngày 24/11/2026 là ngày làm việc")
    assert "Điều 112 Bộ luật Lao động 2019" in event.reason
    assert {k: dt.datetime.fromisoformat(v) for k, v in event.payload.items()} == {
        "old_due_at": at("2026-11-30 09:00"), "new_due_at": at("2026-11-27 09:00")}
    assert event.at == at("2026-11-26 12:00") and event.from_status == event.to_status == "in_processing"

    paused = Dossier.objects.get(pk=paused.pk)
    assert (paused.status, paused.remaining_minutes, paused.due_at) == (
        "awaiting_supplement", 2 * 480, at("2026-11-27 09:00"))  # 3 days used now that 24/11 is worked
    services.perform(paused, "supply", role="system", at=at("2026-11-30 09:00"))
    paused = Dossier.objects.get(pk=paused.pk)
    assert paused.due_at == at("2026-12-02 09:00")  # pause policy: the 2 days left from Monday 30/11 09:00

    assert Dossier.objects.get(pk=elsewhere.pk).due_at == at("2026-11-27 09:00")
    for kept, was in ((finished, before_finished), (later, before_later)):
        kept = Dossier.objects.get(pk=kept.pk)
        assert (kept.due_at, kept.version, _recomputes(kept)) == (was.due_at, was.version, [])

    # The rollups moved with the dossiers: recounting every history gives what is stored.
    assert not any(rollups.disagreements(rollups.recount(), rollups.stored()).values())
    assert rollups.position(running).bucket == dt.date(2026, 11, 27)

    # Removing the override gives 24/11 back to the announcement: the open dossier moves back.
    override = CalendarOverride.objects.get(date=dt.date(2026, 11, 24))
    _admin(client, f"/admin/units/calendaroverride/{override.pk}/delete/", None, django_capture_on_commit_callbacks)
    running = Dossier.objects.get(pk=running.pk)
    assert running.due_at == at("2026-11-30 09:00")
    assert [e.reason.startswith("Lịch làm việc thay đổi: bỏ điều chỉnh ngày 24/11/2026") for e in
            _recomputes(running)] == [False, True]
    assert not any(rollups.disagreements(rollups.recount(), rollups.stored()).values())


def test_item9_a_unit_override_recomputes_only_that_unit_and_below(
        world, client, django_capture_on_commit_callbacks) -> None:  # noqa: ANN001
    restart = make_procedure(code="T.000002", policy="restart")
    here = _receive(world, "2026-11-20 09:00", procedure=restart)
    there = _receive(world, "2026-11-20 09:00", unit=world.other_commune, procedure=restart)
    imported = _receive(world, "2026-11-20 09:00")
    Dossier.objects.filter(pk=imported.pk).update(imported=True)  # its due instant is the old system's

    _admin(client, "/admin/units/calendaroverride/add/", {**CULTURE_DAY, "unit": world.commune.pk},
           django_capture_on_commit_callbacks)

    assert Dossier.objects.get(pk=here.pk).due_at == at("2026-11-27 09:00")
    assert "tại Xã Một" in _recomputes(here)[0].reason
    assert Dossier.objects.get(pk=there.pk).due_at == at("2026-11-30 09:00")
    assert _recomputes(there) == []
    assert Dossier.objects.get(pk=imported.pk).due_at == at("2026-11-30 09:00")
    assert _recomputes(imported) == []


def test_item9_recompute_due_command_after_an_announcement_changed(world) -> None:  # noqa: ANN001
    d = _receive(world, "2026-11-20 09:00")
    # The database changed without signals (as a new release's announcement list would change the calendar).
    CalendarOverride.objects.bulk_create([CalendarOverride(date=dt.date(2026, 11, 24), is_working=True,
                                                           reason="Làm việc")])
    from motcua.units.calendars import clear_calendar_cache

    clear_calendar_cache()
    assert Dossier.objects.get(pk=d.pk).due_at == at("2026-11-30 09:00")
    out, err = io.StringIO(), io.StringIO()
    call_command("recompute_due", "--date", "2026-11-24", stdout=out, stderr=err)
    assert out.getvalue().strip() == "đã xét 1 hồ sơ đang giải quyết, tính lại thời hạn 1 hồ sơ"
    assert "đã xét 1/1 hồ sơ" in err.getvalue()
    assert Dossier.objects.get(pk=d.pk).due_at == at("2026-11-27 09:00")
    assert "Ngày Văn hóa Việt Nam; căn cứ: Nghị quyết 80-NQ/TW" in _recomputes(d)[0].reason
    # Run again: nothing moves, nothing is written.
    call_command("recompute_due", "--date", "2026-11-24", stdout=io.StringIO(), stderr=io.StringIO())
    assert len(_recomputes(d)) == 1
    with pytest.raises(CommandError, match="--date: không đọc được ngày '24/11'"):
        call_command("recompute_due", "--date", "24/11")
    with pytest.raises(CommandError, match="--unit: không có đơn vị"):
        call_command("recompute_due", "--date", "2026-11-24", "--unit", "KHONGCO")


def test_item9_only_the_system_may_recompute(world) -> None:  # noqa: ANN001
    d = _receive(world, "2026-11-20 09:00")
    with pytest.raises(services.Forbidden):
        services.perform(d, "recompute_due", role="head", reason="thử")
