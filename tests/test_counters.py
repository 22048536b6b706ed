"""The report rollups stay exactly equal to a recount from the dossiers, whatever happens."""
from __future__ import annotations

import datetime as dt
import random

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from motcua.dossiers import lifecycle, policy, services
from motcua.dossiers.models import Dossier
from motcua.notifications import outbox
from motcua.reports.models import DailyCounter, MonthlyCounter, UnitDailyCounter, UnitMonthlyCounter
from motcua.units.calendars import calendar_for_unit
from tests.factories import at, make_procedure, make_world

pytestmark = pytest.mark.django_db

EXAMPLES, STEPS, BURST = 25, 50, 24
TRANSITIONS = 10_000  # at least, in all
# The dossiers pile up across examples (one test transaction), so a recount at every example's end costs
# the square of the run: every 5th example is recounted, and the whole run at the end.
RECOUNT_EVERY = 5


class Transitions(RuleBasedStateMachine):
    """Random receipts and random transitions (allowed or not) by random roles, time moving on."""

    world = None
    procedures: list = []
    steps_run = 0
    examples_run = 0

    @initialize()
    def start(self) -> None:
        self.now = at("2025-06-20 08:00")  # straddles the 2018 → 2025 regime change
        self.ids: list[int] = []

    @rule(minutes=st.integers(0, 3 * 24 * 60), channel=st.sampled_from(["counter", "online", "postal"]),
          which=st.integers(0, 1), agency=st.booleans())
    def receive(self, minutes: int, channel: str, which: int, agency: bool) -> None:
        self.now += dt.timedelta(minutes=minutes)
        Transitions.steps_run += 1
        w = self.world
        d = services.receive(procedure=self.procedures[which], unit=w.commune if agency else w.other_commune,
                             agency=w.agency if agency else None, channel=channel,
                             online=channel == "online", role="counter", at=self.now)
        self.ids.append(d.pk)

    @rule(seed=st.integers(0, 2**32), size=st.integers(1, BURST))
    def act(self, seed: int, size: int) -> None:
        """A burst of transitions (allowed or not) on random dossiers, chosen by a seeded generator
        so that a long burst costs Hypothesis one draw."""
        rnd = random.Random(seed)
        for _ in range(size):
            if not self.ids:
                return
            self.now += dt.timedelta(minutes=rnd.randint(0, 12 * 60))
            d = Dossier.objects.get(pk=rnd.choice(self.ids))
            action = rnd.choice(list(lifecycle.Action))
            move = policy.DOSSIERS.transition(d.status, action)
            role = rnd.choice(sorted(move.roles) if move else ["counter"])
            new_due = None
            if action == lifecycle.Action.APOLOGIZE and d.due_at is not None:
                # a new date on the clock (a working instant 0–5 working days on), or one before the due date
                days = rnd.randint(-1, 5)
                new_due = calendar_for_unit(d.unit).add_working_time(d.due_at, days * 480) if days >= 0 \
                    else d.due_at - dt.timedelta(hours=1)
            Transitions.steps_run += 1
            try:
                services.perform(d, action, role=role, at=self.now, note="ghi chú", reason="lý do",
                                 new_due_at=new_due)
            except services.DossierError:
                stored = Dossier.objects.get(pk=d.pk)
                assert stored.version == d.version and stored.status == d.status  # refused = unchanged

    @invariant()
    def events_match_versions(self) -> None:
        if self.ids:
            d = Dossier.objects.get(pk=self.ids[-1])
            assert d.events.count() == d.version

    def teardown(self) -> None:
        Transitions.examples_run += 1
        if Transitions.examples_run % RECOUNT_EVERY == 0:
            call_command("verify_counters", stdout=open("/dev/null", "w"))  # noqa: SIM115 - raises on disagreement


@pytest.mark.slow  # 10,000 transitions
def test_counters_agree_with_a_recount_after_random_transitions():
    Transitions.world = make_world()
    Transitions.procedures = [make_procedure("T.000101"), make_procedure("T.000102", policy="restart")]
    with outbox.suppressed():
        # Hypothesis decides how long each run is; run again until enough transitions were tried.
        for _ in range(20):
            run_state_machine_as_test(Transitions, settings=settings(
                max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, database=None,
                suppress_health_check=list(HealthCheck)))
            if Transitions.steps_run >= TRANSITIONS:
                break
    print(f"{Transitions.steps_run} receipts and transitions tried, {Dossier.objects.count()} dossiers, "
          f"{Transitions.examples_run} examples")
    call_command("verify_counters", stdout=open("/dev/null", "w"))  # noqa: SIM115 - the whole run, recounted
    assert Transitions.steps_run >= TRANSITIONS
    assert all(m.objects.exists() for m in (DailyCounter, MonthlyCounter, UnitDailyCounter, UnitMonthlyCounter))
    assert DailyCounter.objects.exclude(overdue_delta=0).exists()


def test_verify_counters_notices_a_stored_count_that_is_wrong():
    world = make_world()
    d = services.receive(procedure=world.procedure, unit=world.commune, agency=world.agency, at=at("2026-03-02 09:00"))
    call_command("verify_counters", stdout=open("/dev/null", "w"))  # noqa: SIM115
    DailyCounter.objects.filter(unit=d.unit, received_direct=1).update(received_direct=2)
    with pytest.raises(CommandError, match=r"\(1 daily, 0 monthly, 0 unit_daily, 0 unit_monthly\)"):
        call_command("verify_counters", stdout=open("/dev/null", "w"), stderr=open("/dev/null", "w"))  # noqa: SIM115
    call_command("verify_counters", "--rebuild", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert DailyCounter.objects.get(received_direct__gt=0).received_direct == 1
    call_command("verify_counters", stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.mark.parametrize("model", [MonthlyCounter, UnitDailyCounter, UnitMonthlyCounter])
def test_verify_counters_checks_every_grain(model):
    world = make_world()
    services.receive(procedure=world.procedure, unit=world.commune, agency=world.agency, at=at("2026-03-02 09:00"))
    model.objects.update(received_direct=5)
    with pytest.raises(CommandError, match="số liệu không khớp"):
        call_command("verify_counters", stdout=open("/dev/null", "w"), stderr=open("/dev/null", "w"))  # noqa: SIM115
