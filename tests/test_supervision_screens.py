"""Supervision screens: publication (the anonymous public sees only what was published, piece by
piece), scoping (the supervised commune's leader reads, another commune's gets 404), seed 000's
delegation read back from the screen's data and from the xlsx export, programmes, figures, and bad
input named by its field without writing anything."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.contrib.auth.models import User

from motcua.followup.models import Recommendation
from motcua.statemachine import Forbidden, NotAllowed
from motcua.supervision import figures, services
from motcua.supervision.models import Delegation, Programme, Session
from motcua.units.models import StaffRole
from tests.factories import at, make_world

pytestmark = pytest.mark.django_db


def _user(name: str, role: str, unit=None, agency=None) -> User:  # noqa: ANN001
    user = User.objects.create_user(name, password="mat-khau-dai-1234")
    StaffRole.objects.create(user=user, role=role, unit=unit, agency=agency)
    return user


@pytest.fixture
def w():  # noqa: ANN201
    w = make_world()
    w.council = _user("hdnd", "council", w.province)
    w.leader_a = _user("chutich_a", "leader", agency=w.agency)  # held at the commune's people's committee
    w.leader_b = _user("chutich_b", "leader", agency=w.other_agency)
    w.programme = services.create_programme(council_unit=w.province, year=2022, title="Chương trình giám sát năm 2022",
                                            resolution_number="05/NQ-HĐND", resolution_date=dt.date(2021, 7, 20),
                                            adopted_on=dt.date(2021, 7, 16), actor=w.council)
    # Seed 000: Ban Pháp chế's delegation no. 18, 20–21/02/2022, public service over 2019–2021, with
    # the district (here the province's commune) and Minh Quang commune (here the same commune).
    w.d = services.create_delegation(
        council_unit=w.province, programme=w.programme, committee="Ban Pháp chế HĐND tỉnh", number="18",
        decision_number="18/QĐ-BPC", decision_date=dt.date(2022, 2, 7),
        topic="Việc thực thi công vụ của các cơ quan hành chính nhà nước và công chức giai đoạn 2019–2021",
        subject="UBND xã Một", period_from=dt.date(2019, 1, 1), period_to=dt.date(2021, 12, 31),
        starts_on=dt.date(2022, 2, 20), ends_on=dt.date(2022, 2, 21), units=[w.commune],
        members=[("Trưởng Ban Pháp chế", "Trưởng đoàn"), ("Phó Trưởng Ban Pháp chế", "Phó Trưởng đoàn")],
        actor=w.council, at=at("2022-02-07 09:00"))
    services.record_plan_sent(w.d, dt.date(2022, 2, 10), actor=w.council)
    services.add_session(w.d, date=dt.date(2022, 2, 20), unit=w.commune, agency=w.agency,
                         programme_sent_on=dt.date(2022, 2, 8), actor=w.council)
    services.add_session(w.d, date=dt.date(2022, 2, 21), unit=w.commune, programme_sent_on=dt.date(2022, 2, 9),
                         actor=w.council)
    services.perform(w.d, "start", actor=w.council, at=at("2022-02-20 08:00"))
    services.perform(w.d, "report", actor=w.council, at=at("2022-02-28 15:00"),
                     findings="Hồ sơ một cửa lưu chưa đầy đủ; công chức không hoàn thành nhiệm vụ, bị kỷ luật.")
    return w


def test_the_public_sees_only_what_was_published(client, w) -> None:  # noqa: ANN001
    report = w.d.reports.get()
    rec = services.recommend(report, addressee_unit=w.commune, text="Hoàn thiện lưu trữ hồ sơ một cửa.",
                             title="Lưu trữ hồ sơ một cửa", deadline=at("2022-06-30 17:00"), actor=w.council,
                             at=at("2022-03-01 09:00"))
    hidden = services.create_delegation(
        council_unit=w.province, committee="Ban Kinh tế - Ngân sách", number="19", decision_number="19/QĐ-BKTNS",
        decision_date=dt.date(2022, 3, 1), topic="Đầu tư công bí mật chưa công khai", period_from=dt.date(2021, 1, 1),
        period_to=dt.date(2021, 12, 31), starts_on=dt.date(2022, 3, 20), ends_on=dt.date(2022, 3, 21),
        units=[w.other_commune], actor=w.council)
    client.logout()
    assert client.get(f"/giam-sat/{w.d.code}/").status_code == 302  # the staff's page needs a login
    public = client.get("/giam-sat/cong-khai/")
    assert public.status_code == 200 and public.context["items"] == [] and not public.context["programmes"]
    with pytest.raises(Forbidden):
        services.publish(w.d, actor=w.leader_a)
    published = services.publish(w.d, actor=w.council, at=at("2022-03-02 09:00"))
    assert published == ["quyết định, kế hoạch giám sát", "chương trình giám sát", "báo cáo kết quả giám sát",
                         "kiến nghị và kết quả theo dõi"]
    with pytest.raises(NotAllowed):
        services.publish(w.d, actor=w.council)  # nothing new
    # Written after the publication: the conclusion and a second recommendation wait for the next one.
    services.perform(w.d, "conclude", actor=w.council, at=at("2022-03-10 09:00"),
                     conclusion="Kết luận: khắc phục trong quý II.")
    late = services.recommend(w.d, addressee_unit=w.commune, text="Chấn chỉnh kỷ cương.", title="Chấn chỉnh kỷ cương",
                              deadline=at("2022-09-30 17:00"), actor=w.council, at=at("2022-03-10 10:00"))
    body = client.get("/giam-sat/cong-khai/").content.decode()
    assert w.d.code in body and "bị kỷ luật" in body and "Lưu trữ hồ sơ một cửa" in body
    assert "Chương trình giám sát năm 2022" in body
    assert "Kết luận: khắc phục" not in body and "Chấn chỉnh kỷ cương" not in body
    assert hidden.code not in body and "bí mật" not in body and "hdnd" not in body
    assert Recommendation.objects.get(pk=rec.pk).published and not Recommendation.objects.get(pk=late.pk).published
    assert services.publish(w.d, actor=w.council) == ["kết luận", "kiến nghị và kết quả theo dõi"]
    body = client.get("/giam-sat/cong-khai/").content.decode()
    assert "Kết luận: khắc phục" in body and "Chấn chỉnh kỷ cương" in body and hidden.code not in body
    assert [e for e in w.d.events.values_list("action", flat=True) if e == "publish"] == ["publish", "publish"]


def test_a_supervised_communes_leader_reads_another_gets_404(client, w) -> None:  # noqa: ANN001
    client.force_login(w.leader_a)
    page = client.get(f"/giam-sat/{w.d.code}/")
    assert page.status_code == 200 and not page.context["can_act"]
    assert 'data-action="conclude"' not in page.content.decode()
    assert [d.code for d in client.get("/giam-sat/").context["delegations"]] == [w.d.code]
    refused = client.post(f"/giam-sat/{w.d.code}/thao-tac/", {"form": "publish"})
    assert refused.status_code == 403 and Delegation.objects.get(pk=w.d.pk).published_at is None
    client.force_login(w.leader_b)
    assert client.get(f"/giam-sat/{w.d.code}/").status_code == 404
    assert client.get(f"/giam-sat/{w.d.code}/bao-cao.pdf").status_code == 404
    assert client.post(f"/giam-sat/{w.d.code}/thao-tac/", {"form": "publish"}).status_code == 404
    assert client.get("/giam-sat/").context["delegations"] == []
    assert client.get(f"/giam-sat/chuong-trinh/{w.programme.pk}/").status_code == 404


def test_seed000_delegation_read_back_from_the_screen_and_the_xlsx(client, w) -> None:  # noqa: ANN001
    client.force_login(w.council)
    page = client.get(f"/giam-sat/{w.d.code}/")
    ctx = page.context
    d = ctx["d"]
    assert (d.number, d.committee, d.status) == ("18", "Ban Pháp chế HĐND tỉnh", "reported")
    assert (d.period_from, d.period_to, d.starts_on, d.ends_on) == (
        dt.date(2019, 1, 1), dt.date(2021, 12, 31), dt.date(2022, 2, 20), dt.date(2022, 2, 21))
    assert [m.name for m in ctx["members"]] == ["Trưởng Ban Pháp chế", "Phó Trưởng Ban Pháp chế"]
    assert [s.date for s in ctx["sessions"]] == [dt.date(2022, 2, 20), dt.date(2022, 2, 21)]
    assert [(x.key.split("-")[0], state) for x, state, _ in ctx["deadlines"]] == [
        ("plan", "on_time"), ("notice", "on_time"), ("notice", "on_time"), ("report", "on_time")]
    assert [e.action for e in ctx["events"]] == ["create", "plan_sent", "session", "session", "start", "report"]
    body = page.content.decode()
    assert "Đoàn giám sát 18 – Ban Pháp chế HĐND tỉnh" in body and "01/01/2019 – 31/12/2021" in body
    # The register and its xlsx export, filtered by year, committee, status and unit.
    query = f"year=2022&committee=Pháp chế&status=reported&unit={w.commune.code}"
    assert [x.code for x in client.get(f"/giam-sat/?{query}").context["delegations"]] == [w.d.code]
    assert client.get("/giam-sat/?year=2023").context["delegations"] == []
    assert client.get("/giam-sat/?committee=Kinh tế").context["delegations"] == []
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"/giam-sat/?{query}&format=xlsx").content)).active
    rows = [r for r in sheet.iter_rows(min_row=4, values_only=True) if r[0]]
    assert rows == [(w.d.code, "18", "Ban Pháp chế HĐND tỉnh", w.d.topic, "18/QĐ-BPC ngày 07/02/2022",
                     "01/01/2019 – 31/12/2021", "20/02/2022 – 21/02/2022", "Xã Một", "Đã báo cáo kết quả", "Không",
                     2, 2, 1, 0)]
    assert client.get(f"/giam-sat/{w.d.code}/bao-cao.pdf").content.startswith(b"%PDF")
    # The programme's page: the proposals deadline of art. 58 (1 March of the year before).
    programme = client.get(f"/giam-sat/chuong-trinh/{w.programme.pk}/")
    assert programme.context["p"].proposals_deadline == dt.date(2021, 3, 1)
    assert "01/03/2021" in programme.content.decode()
    assert [x.code for x in programme.context["delegations"]] == [w.d.code]
    assert figures.figures(None, dt.date(2022, 1, 1), dt.date(2022, 12, 31)) == {
        "delegations": 1, "supervision_sessions": 2, "supervision_reports": 1}
    assert figures.figures({w.other_commune.pk}, dt.date(2022, 1, 1), dt.date(2022, 12, 31))["delegations"] == 0


def test_bad_input_is_named_and_nothing_is_written(client, w) -> None:  # noqa: ANN001
    client.force_login(w.council)
    before = Delegation.objects.count()
    good = {"committee": "Ban Pháp chế", "decision_number": "1/QĐ", "decision_date": "2022-01-10", "topic": "T",
            "period_from": "2021-01-01", "period_to": "2021-12-31", "starts_on": "2022-01-15", "ends_on": "2022-01-16",
            "council_unit": w.province.code, "units": w.commune.code}
    for change, named in (({"topic": ""}, "Nội dung giám sát"), ({"units": "KHONGCO"}, "KHONGCO"),
                          ({"decision_date": "32/13/2022"}, "Ngày quyết định"),
                          ({"ends_on": "2022-01-14"}, "Đoàn làm việc đến ngày: Ngày kết thúc trước ngày bắt đầu"),
                          ({"starts_on": "2022-01-05"}, "Đoàn làm việc từ ngày: Đoàn làm việc trước ngày có quyết"),
                          ({"programme": str(w.programme.pk)}, "Thuộc chương trình giám sát: Chương trình giám sát "
                                                               "năm 2022 không phải năm của quyết định (2023)")):
        data = {**good, **change}
        if "programme" in change:
            data["decision_date"], data["starts_on"], data["ends_on"] = "2023-01-10", "2023-01-15", "2023-01-16"
        response = client.post("/giam-sat/moi/", data)
        assert response.status_code == 400 and named in response.content.decode(), (change, named)
    assert Delegation.objects.count() == before
    created = client.post("/giam-sat/moi/", good)
    assert created.status_code == 302 and Delegation.objects.count() == before + 1
    # A session outside the delegation's working days, on the page.
    bad = client.post(f"/giam-sat/{w.d.code}/thao-tac/", {"form": "session", "date": "2022-03-01",
                                                          "unit": w.commune.code})
    assert bad.status_code == 400 and "Ngày làm việc phải trong thời gian làm việc của đoàn" in bad.content.decode()
    missing = client.post(f"/giam-sat/{w.d.code}/thao-tac/", {"form": "session", "date": "", "unit": "KHONGCO"})
    assert missing.status_code == 400 and "Ngày làm việc:" in missing.content.decode()
    assert "Mã đơn vị làm việc: Không có đơn vị hành chính mã KHONGCO" in missing.content.decode()
    assert Session.objects.filter(delegation=w.d).count() == 2
    # A programme adopted after its year.
    bad_programme = client.post("/giam-sat/chuong-trinh/moi/", {
        "council_unit": w.province.code, "year": "2023", "title": "Chương trình 2023", "adopted_on": "2024-01-05"})
    assert bad_programme.status_code == 400
    assert "Ngày HĐND thông qua (kỳ họp giữa năm trước): Ngày thông qua phải trước" in bad_programme.content.decode()
    assert not Programme.objects.filter(year=2023).exists()
    ok = client.post("/giam-sat/chuong-trinh/moi/", {"council_unit": w.province.code, "year": "2023",
                                                      "title": "Chương trình 2023", "adopted_on": "2022-07-10"})
    assert ok.status_code == 302 and Programme.objects.get(year=2023).proposals_deadline == dt.date(2022, 3, 1)


def test_programme_pages_and_publication(client, w) -> None:  # noqa: ANN001
    client.force_login(w.council)
    listing = client.get("/giam-sat/chuong-trinh/")
    assert [p.pk for p in listing.context["programmes"]] == [w.programme.pk]
    assert "01/03/2021" in listing.content.decode()
    assert client.get("/giam-sat/chuong-trinh/moi/").status_code == 200
    form = client.get(f"/giam-sat/moi/?chuong_trinh={w.programme.pk}")
    assert form.status_code == 200 and form.context["form"]["programme"].value() == str(w.programme.pk)
    client.logout()
    assert "Chương trình giám sát năm 2022" not in client.get("/giam-sat/cong-khai/").content.decode()
    client.force_login(w.leader_a)  # reads the programme of a delegation supervising it, cannot publish it
    assert client.get(f"/giam-sat/chuong-trinh/{w.programme.pk}/").context["can_act"] is False
    assert client.post(f"/giam-sat/chuong-trinh/{w.programme.pk}/cong-khai/").status_code == 403
    client.force_login(w.council)
    assert client.post(f"/giam-sat/chuong-trinh/{w.programme.pk}/cong-khai/").status_code == 302
    again = client.post(f"/giam-sat/chuong-trinh/{w.programme.pk}/cong-khai/")
    assert again.status_code == 409 and "đã được công khai" in again.content.decode()
    client.logout()
    public = client.get("/giam-sat/cong-khai/")
    assert [p.pk for p in public.context["programmes"]] == [w.programme.pk] and public.context["items"] == []
