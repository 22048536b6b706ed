"""Council supervision: Law 87/2015's 15/10/10-day rules computed at an instant (on time, late,
pending, due soon, overdue, across a month end), publication (the public sees only what is
published), scoping (the supervised commune's leader reads, another commune's gets 404), seed 000's
delegation read back from the screens and the xlsx, bad input named."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.contrib.auth.models import User

from motcua.followup.models import Recommendation
from motcua.statemachine import Forbidden, InvalidInput
from motcua.supervision import deadlines, services
from motcua.units.models import StaffRole
from tests.factories import at, make_world

pytestmark = pytest.mark.django_db


def _user(name, role, unit):  # noqa: ANN001, ANN201
    user = User.objects.create_user(name, password="mat-khau-dai-1234")
    StaffRole.objects.create(user=user, role=role, unit=unit)
    return user


@pytest.fixture
def world():  # noqa: ANN201
    w = make_world()
    w.council = _user("hdnd", "council", w.province)
    w.leader_a = _user("lanhdao_a", "leader", w.commune)
    w.leader_b = _user("lanhdao_b", "leader", w.other_commune)
    # Seed 000: the provincial council's Ban Pháp chế, delegation no. 18, 20–21/2/2022, public-service
    # performance over 2019–2021 at the district and Minh Quang commune.
    w.d = services.create_delegation(
        council_unit=w.province, committee="Ban Pháp chế HĐND tỉnh", number="18", decision_number="18/QĐ-BPC",
        decision_date=dt.date(2022, 1, 20), topic="Việc thực thi công vụ của cán bộ, công chức giai đoạn 2019–2021",
        period_from=dt.date(2019, 1, 1), period_to=dt.date(2021, 12, 31), starts_on=dt.date(2022, 2, 20),
        ends_on=dt.date(2022, 2, 21), units=[w.commune], members=[("Nguyễn Văn Hùng", "Trưởng Ban Pháp chế")],
        actor=w.council, at=at("2022-01-20 09:00"))
    return w


def _states(d, when: str) -> dict[str, str]:  # noqa: ANN001
    return {x.key.split("-")[0]: x.state_at(at(when)) for x in deadlines.deadlines(d)}


def test_law_87_deadlines_15_10_10_days(world) -> None:  # noqa: ANN001
    d = world.d
    # 15 days after the decision of 20/01: 04/02 (calendar days; Tết 2022 does not stop them).
    [plan] = [x for x in deadlines.deadlines(d) if x.key == "plan"]
    assert plan.due == dt.date(2022, 2, 4)
    assert _states(d, "2022-01-25 09:00")["plan"] == "pending"
    assert _states(d, "2022-02-02 09:00")["plan"] == "due_soon"
    assert _states(d, "2022-02-04 23:00")["plan"] == "due_soon"
    assert _states(d, "2022-02-05 00:01")["plan"] == "overdue"
    services.record_plan_sent(d, dt.date(2022, 2, 7), actor=world.council)
    assert _states(d, "2022-02-08 09:00")["plan"] == "late"
    services.record_plan_sent(d, dt.date(2022, 2, 4), actor=world.council)
    assert _states(d, "2022-02-08 09:00")["plan"] == "on_time"
    # The programme at least 10 days before each session: a session on 20/02 → sent by 10/02; across a
    # month end, a session on 02/03 would need it by 20/02.
    services.add_session(d, date=dt.date(2022, 2, 20), unit=world.commune, programme_sent_on=dt.date(2022, 2, 11),
                         actor=world.council)
    notice = [x for x in deadlines.deadlines(d) if x.key.startswith("notice")][0]
    assert (notice.due, notice.state_at(at("2022-02-20 09:00"))) == (dt.date(2022, 2, 10), "late")
    # The report within 10 days after the work ends (21/02): by 03/03, across the month end.
    [report] = [x for x in deadlines.deadlines(d) if x.key == "report"]
    assert report.due == dt.date(2022, 3, 3)
    assert _states(d, "2022-03-03 16:00")["report"] == "due_soon"
    assert _states(d, "2022-03-04 08:00")["report"] == "overdue"
    services.perform(d, "start", actor=world.council, at=at("2022-02-20 08:00"))
    services.perform(d, "report", actor=world.council, at=at("2022-03-02 10:00"),
                     findings="Báo cáo về văn hóa công vụ chậm; hồ sơ một cửa lưu trữ chưa đầy đủ.")
    d.refresh_from_db()
    assert (d.reported_on, _states(d, "2022-03-10 08:00")["report"]) == (dt.date(2022, 3, 2), "on_time")
    # The warnings on the register.
    with pytest.raises(InvalidInput):
        services.add_session(d, date=dt.date(2022, 3, 1), unit=world.commune, actor=world.council)  # outside the work


def test_publication_and_scoping(client, world) -> None:  # noqa: ANN001
    d = world.d
    services.perform(d, "start", actor=world.council, at=at("2022-02-20 08:00"))
    services.perform(d, "report", actor=world.council, at=at("2022-02-25 10:00"),
                     findings="Một số công chức được đánh giá không hoàn thành nhiệm vụ, bị kỷ luật.")
    report = d.reports.get()
    rec = services.recommend(report, addressee_unit=world.commune, text="Hoàn thiện lưu trữ hồ sơ một cửa",
                             title="Lưu trữ hồ sơ", deadline=at("2022-06-30 17:00"), actor=world.council,
                             at=at("2022-02-25 11:00"))
    assert rec.source_kind == "supervision" and not rec.published
    client.logout()
    assert d.code not in client.get("/giam-sat/cong-khai/").content.decode()  # nothing published yet
    with pytest.raises(Forbidden):
        services.publish(d, actor=world.leader_a)
    services.publish(d, actor=world.council)
    public = client.get("/giam-sat/cong-khai/").content.decode()
    assert d.code in public and "bị kỷ luật" in public and "Lưu trữ hồ sơ" in public
    assert Recommendation.objects.get(pk=rec.pk).published
    assert "hdnd" not in public
    # Scoping: the supervised commune's leader reads; the other commune's gets 404.
    client.force_login(world.leader_a)
    page = client.get(f"/giam-sat/{d.code}/")
    assert page.status_code == 200 and not page.context["can_act"]
    client.force_login(world.leader_b)
    assert client.get(f"/giam-sat/{d.code}/").status_code == 404
    assert d.code not in client.get("/giam-sat/").content.decode()


def test_seed000_delegation_on_the_screen_and_in_the_xlsx(client, world) -> None:  # noqa: ANN001
    client.force_login(world.council)
    page = client.get(f"/giam-sat/{world.d.code}/")
    body = page.content.decode()
    assert "Đoàn giám sát 18 – Ban Pháp chế HĐND tỉnh" in body and "01/01/2019 – 31/12/2021" in body
    assert "20/02/2022 – 21/02/2022" in body
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/giam-sat/?year=2022&format=xlsx").content)).active
    [row] = [r for r in sheet.iter_rows(min_row=4, values_only=True) if r[0]]
    assert row[1:4] == ("18", "Ban Pháp chế HĐND tỉnh", world.d.topic) and row[7] == "Xã Một"
    pdf = client.get(f"/giam-sat/{world.d.code}/bao-cao.pdf")
    assert pdf.content.startswith(b"%PDF")
    bad = client.post("/giam-sat/moi/", {"committee": "Ban", "decision_number": "1", "decision_date": "2022-01-10",
                                         "topic": "T", "period_from": "2021-01-01", "period_to": "2021-12-31",
                                         "starts_on": "2022-01-05", "ends_on": "2022-01-06",
                                         "council_unit": world.province.code, "units": "KHONGCO"})
    assert bad.status_code == 400 and "Không có đơn vị hành chính mã KHONGCO" in bad.content.decode()
    early = client.post("/giam-sat/moi/", {"committee": "Ban", "decision_number": "1", "decision_date": "2022-01-10",
                                           "topic": "T", "period_from": "2021-01-01", "period_to": "2021-12-31",
                                           "starts_on": "2022-01-05", "ends_on": "2022-01-06",
                                           "council_unit": world.province.code, "units": world.commune.code})
    assert early.status_code == 400 and "trước ngày có quyết định" in early.content.decode()
