"""The lifecycle through the one writer: table, clock, pauses, apology, codes, events."""
from __future__ import annotations

import pytest

from motcua.dossiers import policy, services
from motcua.dossiers.lifecycle import Action, Status
from motcua.dossiers.models import Dossier
from motcua.units.calendars import calendar_for_unit
from tests.factories import at, make_procedure, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def receive(world, when="2026-03-02 09:00", procedure=None, **kw):
    return services.receive(procedure=procedure or world.procedure, unit=world.commune, agency=world.agency,
                            at=at(when), applicant=services.Applicant(name="Nguyễn Thị Hoa", phone="0912345678"),
                            **kw)


def walk(dossier, *steps):
    """Perform (action, role, when, extra) steps; return the dossier as stored."""
    for action, role, when, *extra in steps:
        services.perform(dossier, action, role=role, at=at(when), **(extra[0] if extra else {}))
    return Dossier.objects.get(pk=dossier.pk)


def test_receipt_starts_the_clock_and_schedules_each_step(world):
    d = receive(world)  # Monday 2 March 2026, 09:00; 5 working days
    assert d.status == Status.RECEIVED
    assert d.code == "X91-260302-0001"
    assert d.regime == "2025"
    assert d.due_at == at("2026-03-09 09:00")
    steps = list(d.steps.order_by("order"))
    assert [s.due_at for s in steps] == [at("2026-03-03 09:00"), at("2026-03-06 09:00"), at("2026-03-09 09:00")]
    assert list(d.events.values_list("seq", "action", "to_status")) == [(1, "receive", "received")]


def test_codes_follow_a_daily_sequence_and_are_never_reused(world):
    codes = [receive(world, "2026-03-02 09:00").code, receive(world, "2026-03-02 10:00").code,
             receive(world, "2026-03-03 09:00").code]
    assert codes == ["X91-260302-0001", "X91-260302-0002", "X91-260303-0001"]


@pytest.mark.parametrize("status", list(Status))
def test_every_action_outside_the_table_is_refused_and_changes_nothing(world, status):
    d = receive(world)
    Dossier.objects.filter(pk=d.pk).update(status=status)  # put the row in each state
    for action in Action:
        move = policy.DOSSIERS.transition(status, action)
        if move is not None:
            continue
        with pytest.raises(services.NotAllowed):
            services.perform(d, action, role="system", at=at("2026-03-02 10:00"), note="x", reason="x")
        stored = Dossier.objects.get(pk=d.pk)
        assert (stored.status, stored.version, stored.events.count()) == (status, 1, 1)


def test_a_role_the_table_does_not_name_is_forbidden(world):
    d = receive(world)
    with pytest.raises(services.Forbidden):
        services.perform(d, Action.HAND_OVER, role="inspector", at=at("2026-03-02 10:00"))
    assert Dossier.objects.get(pk=d.pk).version == 1


def test_pause_policy_resumes_with_the_remaining_time(world):
    d = receive(world)
    d = walk(d, ("hand_over", "counter", "2026-03-02 10:00"),
             ("request_supplement", "specialist", "2026-03-03 09:00", {"note": "Thiếu bản sao CCCD"}))
    assert d.status == Status.AWAITING_SUPPLEMENT and d.supplement_requests == 1
    assert d.remaining_minutes == 4 * 480  # Tue 09:00 → Mon 09:00 is 4 working days
    d = walk(d, ("supply", "counter", "2026-03-10 14:00"))  # a week later
    assert d.status == Status.IN_PROCESSING
    assert d.due_at == at("2026-03-16 14:00")  # four working days from Tue 10 March 14:00
    assert d.steps.get(order=3).due_at == d.due_at


def test_restart_policy_starts_the_full_time_again(world):
    procedure = make_procedure("T.000002", policy="restart")
    d = receive(world, procedure=procedure)
    d = walk(d, ("hand_over", "counter", "2026-03-02 10:00"),
             ("request_supplement", "specialist", "2026-03-05 09:00", {"note": "Thiếu bản vẽ"}),
             ("supply", "counter", "2026-03-06 16:30"))
    assert d.clock_start == at("2026-03-06 16:30")
    assert d.due_at == calendar_for_unit(world.commune).add_working_time(at("2026-03-06 16:30"), 5 * 480)
    assert d.due_at == at("2026-03-13 16:30")


def test_apology_once_before_the_due_date_and_the_original_due_is_kept(world):
    d = receive(world)
    d = walk(d, ("hand_over", "counter", "2026-03-02 10:00"))
    with pytest.raises(services.InvalidInput, match="Lý do"):
        services.perform(d, "apologize", role="head", at=at("2026-03-05 09:00"), new_due_at=at("2026-03-12 17:00"))
    d = walk(d, ("apologize", "head", "2026-03-05 09:00",
                 {"reason": "Chờ ý kiến cơ quan phối hợp", "new_due_at": at("2026-03-12 17:00")}))
    assert d.extended_due_at == at("2026-03-12 17:00") and d.due_at == at("2026-03-09 09:00")
    assert not policy.can_apologize(d, at("2026-03-05 10:00"))
    with pytest.raises(services.DossierError, match="một lần"):
        services.perform(d, "apologize", role="head", at=at("2026-03-05 10:00"), reason="lần hai",
                         new_due_at=at("2026-03-13 17:00"))
    d = walk(d, ("resolve", "head", "2026-03-11 10:00"))
    assert d.finished_at == at("2026-03-11 10:00") and d.outcome == "approved"
    from motcua.workdays import outcome_of

    assert outcome_of(d.finished_at, d.due_at) == "late"  # met the new date, still late


def test_apology_must_come_at_least_a_working_day_before_the_due_instant(world):
    d = walk(receive(world), ("hand_over", "counter", "2026-03-02 10:00"))
    assert policy.can_apologize(d, at("2026-03-06 09:00"))  # exactly one working day left
    assert not policy.can_apologize(d, at("2026-03-06 09:01"))
    with pytest.raises(services.DossierError, match="trước thời hạn"):
        services.perform(d, "apologize", role="head", at=at("2026-03-09 08:30"), reason="muộn",
                         new_due_at=at("2026-03-12 17:00"))


def test_events_are_contiguous_and_tell_the_whole_story(world):
    d = walk(receive(world), ("hand_over", "counter", "2026-03-02 10:00"),
             ("hand_over", "specialist", "2026-03-04 10:00"), ("resolve", "head", "2026-03-05 10:00"),
             ("return", "counter", "2026-03-06 10:00"))
    events = list(d.events.order_by("seq").values_list("seq", "action", "from_status", "to_status", "step"))
    assert events == [
        (1, "receive", "", "received", 1), (2, "hand_over", "received", "in_processing", 2),
        (3, "hand_over", "in_processing", "in_processing", 3), (4, "resolve", "in_processing", "result_ready", 3),
        (5, "return", "result_ready", "returned", 3),
    ]
    assert d.version == 5 and d.returned_at == at("2026-03-06 10:00")
    with pytest.raises(services.DossierError, match="bước cuối"):
        d2 = walk(receive(world), ("hand_over", "counter", "2026-03-02 10:00"),
                  ("hand_over", "specialist", "2026-03-02 11:00"))
        services.perform(d2, "hand_over", role="head", at=at("2026-03-02 12:00"))


def test_an_action_dated_before_the_last_event_is_refused(world):
    d = walk(receive(world), ("hand_over", "counter", "2026-03-03 10:00"))
    with pytest.raises(services.DossierError, match="trước thao tác trước đó"):
        services.perform(d, "resolve", role="head", at=at("2026-03-02 10:00"))


def test_online_submission_waits_for_intake_then_the_clock_starts(world):
    d = services.receive(procedure=world.procedure, unit=world.commune, agency=world.agency, online=True,
                         role="applicant", at=at("2026-03-07 20:00"), idempotency_key="k-1")
    again = services.receive(procedure=world.procedure, unit=world.commune, agency=world.agency, online=True,
                             role="applicant", at=at("2026-03-07 20:01"), idempotency_key="k-1")
    assert again.pk == d.pk and d.status == Status.SUBMITTED and d.due_at is None
    d = walk(d, ("accept", "counter", "2026-03-09 08:30"))
    assert d.received_at == at("2026-03-09 08:30") and d.due_at == at("2026-03-16 08:30")


def test_a_supplement_asked_after_the_due_instant_gives_no_time_back(world):
    d = walk(receive(world), ("hand_over", "counter", "2026-03-02 10:00"))  # due Mon 9 March 09:00
    d = walk(d, ("request_supplement", "specialist", "2026-03-10 09:00", {"note": "Thiếu giấy tờ"}),
             ("supply", "counter", "2026-03-12 09:00"))
    assert d.due_at == at("2026-03-09 09:00")  # still due when it was: the dossier stays late
