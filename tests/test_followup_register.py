"""The one follow-up register: recommendations answered by their addressee, closed by their issuer,
overdue computed at an instant, deadlines on the legal clock, passed to successors of an abolished
unit without rewriting history."""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.followup import policy, services
from motcua.followup.models import Recommendation, ResponseDocument, State
from motcua.statemachine import Conflict, Forbidden, InvalidInput, NotAllowed
from motcua.units.models import AdministrativeUnit, StaffRole
from tests.factories import at, make_world

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _user(name: str, role: str, unit: AdministrativeUnit) -> User:
    user = User.objects.create_user(name, password="mat-khau-dai-1234")
    StaffRole.objects.create(user=user, role=role, unit=unit)
    return user


@pytest.fixture
def world():  # noqa: ANN201
    w = make_world()
    w.inspector = _user("thanhtra", "inspector", w.province)
    w.leader_a = _user("lanhdao_a", "leader", w.commune)
    w.leader_b = _user("lanhdao_b", "leader", w.other_commune)
    return w


def _recommend(w, deadline: str = "2026-04-30 17:00", unit=None) -> Recommendation:  # noqa: ANN001
    return services.recommend(source=None, addressee_unit=unit or w.commune, title="Niêm yết thủ tục",
                              text="Niêm yết đầy đủ thủ tục hành chính tại bộ phận một cửa.", deadline=at(deadline),
                              actor=w.inspector, issuer_unit=w.province, issuer_name="Đoàn kiểm tra công vụ",
                              at=at("2026-03-02 09:00"))


def test_addressee_answers_with_a_document_and_the_issuer_closes(world) -> None:  # noqa: ANN001
    rec = _recommend(world)
    assert rec.code == "KN-2026-00001" and rec.status == "open"
    assert [o.action for o in policy.available_actions(rec, world.leader_a, at("2026-03-03 09:00"))] == ["respond"]
    assert policy.available_actions(rec, world.leader_b, at("2026-03-03 09:00")) == []
    with pytest.raises(Forbidden):
        services.perform(rec, "respond", actor=world.leader_b, at=at("2026-03-03 09:00"), note="Không phải của tôi")
    upload = SimpleUploadedFile("bao-cao.pdf", PDF, content_type="application/pdf")
    rec = services.perform(rec, "respond", actor=world.leader_a, at=at("2026-03-10 09:00"),
                           note="Đã niêm yết đủ 120 thủ tục.", documents=[upload])
    assert rec.status == "in_progress" and rec.version == 2
    [doc] = ResponseDocument.objects.filter(recommendation=rec)
    assert (doc.event_seq, doc.original_name, doc.size) == (2, "bao-cao.pdf", len(PDF))
    event = rec.events.get(seq=2)
    assert event.payload["documents"][0]["name"] == "bao-cao.pdf" and "lanhdao_a" in event.actor_label
    # The addressee cannot close its own recommendation; the inspector can.
    with pytest.raises(Forbidden):
        services.perform(rec, "close", actor=world.leader_a, at=at("2026-03-11 09:00"), note="Xong")
    rec = services.perform(rec, "close", actor=world.inspector, at=at("2026-03-12 09:00"), note="Đã kiểm tra lại")
    assert (rec.status, rec.closed_at) == ("done", at("2026-03-12 09:00"))
    assert list(rec.events.values_list("action", flat=True)) == ["recommend", "respond", "close"]
    with pytest.raises(NotAllowed):
        services.perform(rec, "respond", actor=world.leader_a, at=at("2026-03-13 09:00"), note="Thêm")


def test_bad_input_is_named_and_nothing_is_written(world) -> None:  # noqa: ANN001
    with pytest.raises(InvalidInput) as caught:
        services.recommend(source=None, addressee_unit=world.commune, text=" ", deadline=at("2026-04-30 17:00"))
    assert caught.value.field == "text"
    with pytest.raises(InvalidInput) as caught:
        services.recommend(source=None, addressee_unit=world.commune, text="X", deadline=at("2026-01-01 17:00"),
                           at=at("2026-03-02 09:00"))
    assert caught.value.field == "deadline"
    rec = _recommend(world)
    with pytest.raises(InvalidInput) as caught:
        services.perform(rec, "drop", actor=world.inspector, at=at("2026-03-03 09:00"))
    assert caught.value.field == "reason"
    with pytest.raises(InvalidInput) as caught:
        services.perform(rec, "extend", actor=world.inspector, at=at("2026-03-03 09:00"), reason="Cần thêm thời gian",
                         new_deadline=at("2026-04-01 17:00"))
    assert caught.value.field == "new_deadline"
    not_a_pdf = SimpleUploadedFile("virus.exe", b"MZ\x90\x00", content_type="application/pdf")
    with pytest.raises(InvalidInput) as caught:
        services.perform(rec, "respond", actor=world.leader_a, at=at("2026-03-03 09:00"), note="x",
                         documents=[not_a_pdf])
    assert caught.value.field == "documents" and "virus.exe" in str(caught.value)
    rec.refresh_from_db()
    assert (rec.status, rec.version, rec.events.count(), rec.documents.count()) == ("open", 1, 1, 0)
    with pytest.raises(Conflict):
        services.perform(rec, "respond", actor=world.leader_a, at=at("2026-03-03 09:00"), note="x",
                         expected_version=7)


def test_overdue_is_computed_at_the_instant_with_no_job(world) -> None:  # noqa: ANN001
    rec = _recommend(world, deadline="2026-04-30 17:00")
    assert rec.state_at(at("2026-04-30 17:00")) == State.OPEN
    assert rec.state_at(at("2026-04-30 17:01")) == State.OVERDUE
    states = dict(Recommendation.objects.with_state(at("2026-05-04 08:00")).values_list("code", "state"))
    assert states == {rec.code: "overdue"}
    assert Recommendation.objects.overdue_at(at("2026-04-30 16:59")).count() == 0
    rec = services.perform(rec, "extend", actor=world.inspector, at=at("2026-04-29 09:00"),
                           reason="Chờ kinh phí", new_deadline=at("2026-06-30 17:00"))
    assert rec.state_at(at("2026-05-04 08:00")) == State.OPEN
    assert dt.datetime.fromisoformat(rec.events.last().payload["old_deadline"]) == at("2026-04-30 17:00")
    services.perform(rec, "drop", actor=world.inspector, at=at("2026-07-01 09:00"), reason="Không còn phù hợp")
    rec.refresh_from_db()
    assert rec.state_at(at("2026-12-01 09:00")) == State.DROPPED  # a dropped one is never overdue


def test_deadline_in_working_days_crosses_tet_on_the_legal_clock(world) -> None:  # noqa: ANN001
    # Thursday 12/02/2026 09:00 + 10 working days: Fri 13, then Tết (14–22/02) is skipped, then
    # 23, 24, 25, 26, 27/02, 2, 3, 4, 5/03 → 5/03 09:00.
    assert services.deadline_after(at("2026-02-12 09:00"), 10, world.commune) == at("2026-03-05 09:00")
    # Calendar days where the law says days: the end of that day.
    assert services.deadline_after(at("2026-02-12 09:00"), 15, world.commune, working=False) == \
        dt.datetime(2026, 2, 27, 23, 59, 59, tzinfo=at("2026-02-12 09:00").tzinfo)
    rec = services.recommend(source=None, addressee_unit=world.commune, text="Kiến nghị trước Tết",
                             deadline=services.deadline_after(at("2026-02-12 09:00"), 10, world.commune),
                             at=at("2026-02-12 09:00"))
    assert rec.state_at(at("2026-03-04 17:00")) == State.OPEN
    assert rec.state_at(at("2026-03-05 09:01")) == State.OVERDUE


def test_a_district_abolished_passes_its_recommendations_to_its_successors(world) -> None:  # noqa: ANN001
    district = AdministrativeUnit.objects.create(code="9D01", name="Huyện Cũ", level="district",
                                                 parent=world.province, valid_from=dt.date(2000, 1, 1),
                                                 valid_to=dt.date(2025, 6, 30))
    district.successors.add(world.commune)
    old_leader = _user("lanhdao_huyen", "leader", district)
    rec = services.recommend(source=None, addressee_unit=district, text="Chấn chỉnh lưu trữ hồ sơ một cửa",
                             deadline=at("2026-06-30 17:00"), actor=world.inspector, at=at("2025-03-03 09:00"))
    # Before the abolition the district answers; after it, the commune that took over does.
    assert policy.acting_roles(old_leader, rec, on=dt.date(2025, 6, 1)) == ["leader"]
    assert policy.acting_roles(world.leader_a, rec, on=dt.date(2025, 6, 1)) == []
    assert policy.acting_roles(world.leader_a, rec, on=dt.date(2026, 3, 1)) == ["leader"]
    assert policy.acting_roles(world.leader_b, rec, on=dt.date(2026, 3, 1)) == []
    assert rec in policy.visible(world.leader_a) and rec not in policy.visible(world.leader_b)
    rec = services.perform(rec, "respond", actor=world.leader_a, at=at("2026-03-02 09:00"), note="Đã chấn chỉnh")
    rec.refresh_from_db()
    assert rec.addressee_unit_id == district.pk  # history is not rewritten
