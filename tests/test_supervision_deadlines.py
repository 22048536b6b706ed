"""Law 87/2015 art. 80's three deadlines of a thematic supervision, computed from the data at an
instant: the plan within 15 days of the decision, the programme and members at least 10 days before
each session, the report within 10 days after the work ends — calendar days ("ngày"), each one on
time, late, pending (due soon) or overdue, across month ends and at Vietnam's midnight; the warnings
on the delegation page and in the "Sắp đến hạn / quá hạn" list."""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User

from motcua.supervision import deadlines, services
from motcua.supervision.deadlines import Deadline
from motcua.units.models import StaffRole
from tests.factories import at, make_world


def _keyed(d) -> dict[str, Deadline]:  # noqa: ANN001
    return {x.key if not x.key.startswith("notice-") else f"notice-{i}": x
            for i, x in enumerate(deadlines.deadlines(d))}


def _delegation(w, council, decision: dt.date, starts: dt.date, ends: dt.date):  # noqa: ANN001, ANN202
    return services.create_delegation(
        council_unit=w.province, committee="Ban Pháp chế HĐND tỉnh", number="18", decision_number="18/QĐ-BPC",
        decision_date=decision, topic="Thực thi công vụ", period_from=dt.date(2019, 1, 1),
        period_to=dt.date(2021, 12, 31), starts_on=starts, ends_on=ends, units=[w.commune], actor=council,
        at=at(f"{decision} 09:00"))


@pytest.fixture
def world(db):  # noqa: ANN001, ANN201
    w = make_world()
    w.council = User.objects.create_user("hdnd", password="mat-khau-dai-1234")
    StaffRole.objects.create(user=w.council, role="council", unit=w.province)
    return w


def test_a_deadline_at_an_instant_is_pending_due_soon_overdue_or_done_on_time_or_late() -> None:
    x = Deadline("plan", "Gửi kế hoạch", dt.date(2022, 3, 1), None)
    assert x.state_at(at("2022-02-20 09:00")) == "pending"
    assert x.state_at(at("2022-02-26 09:00")) == "due_soon"  # 3 days left
    assert x.state_at(at("2022-03-01 23:59")) == "due_soon"  # the whole due day counts
    assert x.state_at(at("2022-03-02 00:00")) == "overdue"
    # Vietnam's midnight, not UTC's: 17:30 UTC on the due day is already the next day in Hà Nội.
    assert x.state_at(dt.datetime(2022, 3, 1, 17, 30, tzinfo=dt.UTC)) == "overdue"
    assert x.state_at(dt.datetime(2022, 3, 1, 16, 30, tzinfo=dt.UTC)) == "due_soon"
    assert Deadline("plan", "", dt.date(2022, 3, 1), dt.date(2022, 3, 1)).state_at(at("2030-01-01 00:00")) == "on_time"
    assert Deadline("plan", "", dt.date(2022, 3, 1), dt.date(2022, 3, 2)).state_at(at("2022-03-02 00:00")) == "late"


def test_plan_within_15_calendar_days_of_the_decision_across_a_month_end(world) -> None:  # noqa: ANN001
    # 14/02/2022 + 15 days = 01/03/2022 (February has 28 days; weekends count: calendar days).
    d = _delegation(world, world.council, dt.date(2022, 2, 14), dt.date(2022, 3, 10), dt.date(2022, 3, 11))
    plan = _keyed(d)["plan"]
    assert (plan.due, plan.done) == (dt.date(2022, 3, 1), None)
    assert plan.state_at(at("2022-02-15 09:00")) == "pending"
    assert plan.state_at(at("2022-03-02 08:00")) == "overdue"
    services.record_plan_sent(d, dt.date(2022, 3, 2), actor=world.council)
    assert _keyed(d)["plan"].state_at(at("2022-03-05 08:00")) == "late"
    services.record_plan_sent(d, dt.date(2022, 3, 1), actor=world.council)
    assert _keyed(d)["plan"].state_at(at("2022-03-05 08:00")) == "on_time"
    # A leap year: 14/02/2024 + 15 days = 29/02/2024.
    leap = _delegation(world, world.council, dt.date(2024, 2, 14), dt.date(2024, 3, 10), dt.date(2024, 3, 11))
    assert _keyed(leap)["plan"].due == dt.date(2024, 2, 29)
    # The record is in the history.
    assert list(d.events.values_list("action", flat=True)) == ["create", "plan_sent", "plan_sent"]


def test_programme_and_members_at_least_10_days_before_each_session(world) -> None:  # noqa: ANN001
    d = _delegation(world, world.council, dt.date(2022, 2, 1), dt.date(2022, 3, 2), dt.date(2022, 3, 3))
    # Sessions on 02/03 and 03/03: the programme is due by 20/02 and 21/02 (back across the month end).
    s1 = services.add_session(d, date=dt.date(2022, 3, 2), unit=world.commune, programme_sent_on=dt.date(2022, 2, 20),
                              actor=world.council)
    s2 = services.add_session(d, date=dt.date(2022, 3, 3), unit=world.other_commune, actor=world.council)
    n1, n2 = _keyed(d)["notice-1"], _keyed(d)["notice-2"]
    assert (n1.due, n2.due) == (dt.date(2022, 2, 20), dt.date(2022, 2, 21))
    assert n1.state_at(at("2022-02-25 09:00")) == "on_time"  # sent exactly 10 days before
    assert n2.state_at(at("2022-02-10 09:00")) == "pending"
    assert n2.state_at(at("2022-02-19 09:00")) == "due_soon"
    assert n2.state_at(at("2022-02-22 09:00")) == "overdue"
    services.record_programme_sent(s2, dt.date(2022, 2, 22), actor=world.council)  # 9 days before: late
    assert _keyed(d)["notice-2"].state_at(at("2022-02-25 09:00")) == "late"
    s2.refresh_from_db()
    assert s2.programme_sent_on == dt.date(2022, 2, 22) and s1.programme_sent_on == dt.date(2022, 2, 20)


def test_report_within_10_days_after_the_work_ends(world) -> None:  # noqa: ANN001
    d = _delegation(world, world.council, dt.date(2022, 1, 20), dt.date(2022, 2, 20), dt.date(2022, 2, 21))
    report = _keyed(d)["report"]
    assert report.due == dt.date(2022, 3, 3)  # 21/02 + 10 days, across the end of February
    assert report.state_at(at("2022-02-21 17:00")) == "pending"
    assert report.state_at(at("2022-03-01 09:00")) == "due_soon"
    assert report.state_at(at("2022-03-04 00:01")) == "overdue"
    services.perform(d, "start", actor=world.council, at=at("2022-02-20 08:00"))
    services.perform(d, "report", actor=world.council, at=at("2022-03-04 08:00"), findings="Kết quả giám sát")
    d.refresh_from_db()
    assert d.reported_on == dt.date(2022, 3, 4)
    assert _keyed(d)["report"].state_at(at("2022-03-10 09:00")) == "late"
    r = d.reports.get()
    assert (r.date, r.sent_at) == (dt.date(2022, 3, 4), at("2022-03-04 08:00"))
    on_time = _delegation(world, world.council, dt.date(2022, 1, 20), dt.date(2022, 2, 20), dt.date(2022, 2, 21))
    services.perform(on_time, "start", actor=world.council, at=at("2022-02-20 08:00"))
    services.perform(on_time, "report", actor=world.council, at=at("2022-03-03 23:00"), findings="Kết quả")
    on_time.refresh_from_db()
    assert _keyed(on_time)["report"].state_at(at("2022-03-10 09:00")) == "on_time"


def test_warnings_on_the_page_and_in_the_due_list(client, world, monkeypatch) -> None:  # noqa: ANN001
    d = _delegation(world, world.council, dt.date(2026, 2, 14), dt.date(2026, 3, 10), dt.date(2026, 3, 11))
    calm = _delegation(world, world.council, dt.date(2026, 2, 14), dt.date(2026, 5, 10), dt.date(2026, 5, 11))
    services.record_plan_sent(calm, dt.date(2026, 2, 20), actor=world.council)
    monkeypatch.setattr("django.utils.timezone.now", lambda: at("2026-03-02 09:00"))
    client.force_login(world.council)
    page = client.get(f"/giam-sat/{d.code}/")
    assert [(x.key, state) for x, state, _ in page.context["warnings"]] == [("plan", "overdue")]
    assert "Quá hạn" in page.content.decode()
    assert client.get(f"/giam-sat/{calm.code}/").context["warnings"] == []
    # A session on 10/03 whose programme is not sent: due 28/02, overdue on 02/03; the page offers the record.
    s = services.add_session(d, date=dt.date(2026, 3, 10), unit=world.commune, actor=world.council)
    page = client.get(f"/giam-sat/{d.code}/")
    assert [(x.key, state) for x, state, _ in page.context["warnings"]] == [("plan", "overdue"),
                                                                            (f"notice-{s.pk}", "overdue")]
    assert 'name="form" value="programme_sent"' in page.content.decode()
    sent = client.post(f"/giam-sat/{d.code}/thao-tac/", {"form": "programme_sent", "session": s.pk,
                                                         "programme_sent_on": "2026-03-01"})
    assert sent.status_code == 302
    assert [x.key for x, _, _ in client.get(f"/giam-sat/{d.code}/").context["warnings"]] == ["plan", f"notice-{s.pk}"]
    assert client.get(f"/giam-sat/{d.code}/").context["deadlines"][1][1] == "late"
    due = client.get("/giam-sat/den-han/")
    assert [(r[0].code, r[1].key, r[2]) for r in due.context["rows"]] == [(d.code, "plan", "overdue")]
    register = client.get("/giam-sat/")
    assert [(r[0].code, r[1].key) for r in register.context["warnings"]] == [(d.code, "plan")]
