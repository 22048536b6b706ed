"""The lifecycle as the law has it (issue "5 · The law and the figures, exactly", items 1–4):
stopping at the applicant's request, the supplement during processing, the apology's new date,
the regimes' data."""
from __future__ import annotations

import datetime as dt

import pytest

from motcua.catalog.models import ClockPolicy, Procedure
from motcua.dossiers import policy, services
from motcua.dossiers.lifecycle import Action, Status
from motcua.dossiers.models import Dossier
from motcua.regimes import regime_at, regime_by_code
from motcua.reports import rollups
from motcua.units.calendars import calendar_for_unit
from motcua.units.models import Agency
from tests.factories import at, make_procedure, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def receive(world, when: str = "2026-03-02 09:00", procedure: Procedure | None = None) -> Dossier:
    return services.receive(procedure=procedure or world.procedure, unit=world.commune, agency=world.agency,
                            at=at(when), applicant=services.Applicant(name="Nguyễn Thị Hoa"))


def act(d: Dossier, action: str, role: str, when: str, **inputs: object) -> Dossier:
    return services.perform(d.pk, action, role=role, at=at(when), **inputs)


def offered(d: Dossier, role: str, when: str) -> set[str]:
    return {o.action for o in policy.DOSSIERS.available(Dossier.objects.get(pk=d.pk), [role], at(when))}


# --- 1. stopping in regime 2025 is the applicant's request ----------------------------------------

def test_item1_stop_at_the_applicants_request_in_regime_2025(world) -> None:
    d = act(receive(world), Action.HAND_OVER, "counter", "2026-03-02 10:00")
    assert d.regime == "2025"
    assert Action.STOP in offered(d, "counter", "2026-03-03 09:00")
    assert Action.WITHDRAW not in offered(d, "counter", "2026-03-03 09:00")  # 2025: stop replaces withdraw
    with pytest.raises(services.Forbidden):  # not an agency's decision
        act(d, Action.STOP, "head", "2026-03-03 09:00", reason="Thẩm định không đạt")
    with pytest.raises(services.NotAllowed, match="dừng giải quyết"):
        act(d, Action.WITHDRAW, "counter", "2026-03-03 09:00")
    d = act(d, Action.STOP, "counter", "2026-03-03 10:00", reason="Người nộp có đơn đề nghị dừng")
    assert d.status == Status.STOPPED and d.outcome == "stopped"
    assert d.finished_at is None and d.withdrawn_at == at("2026-03-03 10:00")  # not a result: counted apart
    assert rollups.position(d).closed == ("withdrawn", dt.date(2026, 3, 3))
    assert regime_by_code(d.regime).form("stop").title == "Thông báo dừng giải quyết hồ sơ"


def test_item1_no_stop_once_a_decision_exists(world) -> None:
    d = act(act(receive(world), Action.HAND_OVER, "counter", "2026-03-02 10:00"), Action.RESOLVE, "head",
            "2026-03-03 09:00")
    assert Action.STOP not in offered(d, "counter", "2026-03-03 10:00")
    with pytest.raises(services.NotAllowed):
        act(d, Action.STOP, "counter", "2026-03-03 10:00")


def test_item1_regime_2018_withdraws_and_has_no_stop(world) -> None:
    d = act(receive(world, "2025-06-02 09:00"), Action.HAND_OVER, "counter", "2025-06-02 10:00")
    assert d.regime == "2018"
    assert offered(d, "counter", "2025-06-03 09:00") >= {Action.WITHDRAW}
    assert Action.STOP not in offered(d, "counter", "2025-06-03 09:00")
    with pytest.raises(services.NotAllowed):
        act(d, Action.STOP, "counter", "2025-06-03 10:00")
    d = act(d, Action.WITHDRAW, "counter", "2025-06-03 10:00")
    assert d.status == Status.WITHDRAWN and d.outcome == "withdrawn"


# --- 2. supplement during processing ------------------------------------------------------------------

def test_item2_restart_is_the_default_clock_policy(world) -> None:
    from motcua.catalog.admin import ProcedureForm

    procedure = Procedure.objects.create(code="T.000777", name="Thủ tục mặc định", legal_minutes=5 * 480)
    assert procedure.clock_policy == ClockPolicy.RESTART
    data = {"code": "T.000777", "name": "Thủ tục mặc định", "levels": '["commune"]', "legal_minutes": 2400,
            "legal_time_unit": "d", "clock_policy": ClockPolicy.PAUSE, "fees": "[]", "channels": '["counter"]',
            "active": True}
    form = ProcedureForm(data, instance=procedure)
    assert not form.is_valid() and "căn cứ" in str(form.errors["clock_policy_basis"])
    form = ProcedureForm({**data, "clock_policy_basis": "Điều 12 văn bản quy định thủ tục"}, instance=procedure)
    assert form.is_valid(), form.errors


def test_item2_supplement_restarts_the_legal_time(world) -> None:
    procedure = make_procedure("T.000778", policy="restart")
    d = act(receive(world, procedure=procedure), Action.HAND_OVER, "counter", "2026-03-02 10:00")
    d = act(d, Action.REQUEST_SUPPLEMENT, "specialist", "2026-03-03 09:00", note="Thiếu bản vẽ")
    d = act(d, Action.SUPPLY, "counter", "2026-03-05 14:00")
    assert d.clock_start == at("2026-03-05 14:00")
    assert d.due_at == calendar_for_unit(world.commune).add_working_time(at("2026-03-05 14:00"), 5 * 480)


def test_item2_a_late_supplement_request_is_recorded_not_forbidden(world) -> None:
    procedure = make_procedure("T.000779", days=10, shares=(480, 3840, 480), policy="restart")
    d = act(receive(world, procedure=procedure), Action.HAND_OVER, "counter", "2026-03-02 10:00")
    deadline = policy.supplement_deadline(d)
    assert deadline == at("2026-03-05 09:00")  # 3 working days after receipt
    d = act(d, Action.REQUEST_SUPPLEMENT, "specialist", "2026-03-06 09:00", note="Thiếu giấy phép")
    event = d.events.get(action=Action.REQUEST_SUPPLEMENT)
    assert event.payload["late_request"] is True and event.payload["request_deadline"] == deadline.isoformat()
    on_time = act(receive(world, procedure=procedure), Action.HAND_OVER, "counter", "2026-03-02 10:00")
    on_time = act(on_time, Action.REQUEST_SUPPLEMENT, "specialist", "2026-03-04 09:00", note="Thiếu")
    assert "late_request" not in on_time.events.get(action=Action.REQUEST_SUPPLEMENT).payload


def test_item2_regime_2025_allows_one_supplement_request_only(world) -> None:
    d = act(receive(world), Action.HAND_OVER, "counter", "2026-03-02 10:00")
    d = act(d, Action.REQUEST_SUPPLEMENT, "specialist", "2026-03-02 11:00", note="Thiếu bản sao")
    d = act(d, Action.SUPPLY, "counter", "2026-03-03 09:00")
    assert Action.REQUEST_SUPPLEMENT not in offered(d, "specialist", "2026-03-03 10:00")  # the button goes
    with pytest.raises(services.NotAllowed, match="1 lần"):
        act(d, Action.REQUEST_SUPPLEMENT, "specialist", "2026-03-03 10:00", note="Lần hai")
    old = act(receive(world, "2025-06-02 09:00"), Action.HAND_OVER, "counter", "2025-06-02 10:00")
    old = act(old, Action.REQUEST_SUPPLEMENT, "specialist", "2025-06-02 11:00", note="Một")
    old = act(old, Action.SUPPLY, "counter", "2025-06-03 09:00")
    old = act(old, Action.REQUEST_SUPPLEMENT, "specialist", "2025-06-03 10:00", note="Hai")  # 2018: no limit
    assert old.supplement_requests == 2


# --- 3. the apology's new date ------------------------------------------------------------------------

def test_item3_apology_new_date_is_a_working_instant_within_the_bound(world) -> None:
    d = act(receive(world), Action.HAND_OVER, "counter", "2026-03-02 10:00")  # due 2026-03-09 09:00, 5 days
    with pytest.raises(services.InvalidInput, match="không được quá"):
        act(d, Action.APOLOGIZE, "head", "2026-03-04 09:00", reason="Chờ xác minh",
            new_due_at=dt.datetime(2099, 1, 5, 9, tzinfo=at("2026-01-01 00:00").tzinfo))
    with pytest.raises(services.InvalidInput, match="giờ làm việc"):
        act(d, Action.APOLOGIZE, "head", "2026-03-04 09:00", reason="Chờ xác minh", new_due_at=at("2026-03-14 09:00"))
    with pytest.raises(services.InvalidInput, match="giờ làm việc"):
        act(d, Action.APOLOGIZE, "head", "2026-03-04 09:00", reason="Chờ xác minh", new_due_at=at("2026-03-10 21:00"))
    assert policy.latest_apology_date(Dossier.objects.get(pk=d.pk)) == at("2026-03-16 09:00")
    d = act(d, Action.APOLOGIZE, "head", "2026-03-04 09:00", reason="Chờ xác minh", new_due_at=at("2026-03-16 09:00"))
    assert d.extended_due_at == at("2026-03-16 09:00")
    assert Dossier.objects.get(pk=d.pk).due_at == at("2026-03-09 09:00")  # the original due is kept


# --- 4. the regimes' data ---------------------------------------------------------------------------------

def test_item4_regime_2025_texts_as_amended() -> None:
    regime = regime_at(dt.date(2026, 3, 1))
    texts = " ".join((*regime.texts, *regime.amended_by))
    assert "Nghị định 367/2025/NĐ-CP" in texts and "Thông tư 04/2025/TT-VPCP" in texts


def test_item4_centralised_services_take_the_second_code_format_from_2026_01_25(world) -> None:
    agency = Agency.objects.create(code="G01.001.01", name="Hệ thống tập trung", kind="other", unit=world.commune,
                                   level="commune")
    procedure = make_procedure("T.000780")
    procedure.central_system_owner = "05"
    procedure.save()
    before = services.receive(procedure=procedure, unit=world.commune, agency=agency, at=at("2026-01-23 09:00"))
    after = services.receive(procedure=procedure, unit=world.commune, agency=agency, at=at("2026-01-26 09:00"))
    again = services.receive(procedure=procedure, unit=world.commune, agency=agency, at=at("2026-01-26 10:00"))
    assert before.code == "G01.001.01-260123-0001"
    assert (after.code, again.code) == ("G01.001.01-260126-050001", "G01.001.01-260126-050002")
    local = services.receive(procedure=world.procedure, unit=world.commune, agency=agency, at=at("2026-01-26 11:00"))
    assert local.code == "G01.001.01-260126-0001"  # a service that is not centralised keeps the first format


def test_item2_the_page_warns_of_the_supplement_deadline(client, world) -> None:
    from django.contrib.auth.models import User
    from django.urls import reverse

    from motcua.units.models import StaffRole

    d = act(receive(world), Action.HAND_OVER, "counter", "2026-03-02 10:00")  # received long before today
    specialist = User.objects.create_user("chuyenvien")
    StaffRole.objects.create(user=specialist, role="specialist", agency=world.agency)
    client.force_login(specialist)
    page = client.get(reverse("office:dossier", args=[d.code])).content.decode()
    assert "Đã quá hạn yêu cầu bổ sung (09:00 05/03/2026" in page
