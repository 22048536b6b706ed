"""Where the time goes: per step and agency, working time (pauses excluded) and who made dossiers late."""
from __future__ import annotations

import datetime as dt
from statistics import median

import pytest

from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierStep
from motcua.quality.compute import QualityError
from motcua.quality.timing import percentile, step_timing
from motcua.units.calendars import calendar_for_unit
from motcua.units.models import Agency
from tests.factories import at, make_world

pytestmark = pytest.mark.django_db
MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def walk(d: Dossier, *steps: tuple) -> Dossier:
    for action, role, when, *extra in steps:
        services.perform(d, action, role=role, at=at(when), **(extra[0] if extra else {}))
    return Dossier.objects.get(pk=d.pk)


@pytest.fixture
def world():
    w = make_world()
    # A department of the province: a step may go up to it (not to another commune's agency).
    w.other_agency = Agency.objects.create(code="SO-TU-PHAP", name="Sở Tư pháp", kind="department", unit=w.province,
                                           level="province")
    rec = lambda when: services.receive(procedure=w.procedure, unit=w.commune, agency=w.agency, at=at(when))  # noqa: E731
    n = {}
    # Shares: step 1 480, step 2 1440, step 3 480 (5 working days). Received Monday 2 March 09:00.
    n["on_time"] = walk(rec("2026-03-02 09:00"), ("hand_over", "counter", "2026-03-02 15:00"),
                        ("hand_over", "specialist", "2026-03-04 15:00"), ("resolve", "head", "2026-03-05 10:00"))
    # Step 2 takes a week; step 3 is done at another agency (inter-agency), within its share.
    n["late_step2"] = walk(rec("2026-03-02 09:00"), ("hand_over", "counter", "2026-03-02 10:00"),
                           ("hand_over", "specialist", "2026-03-09 10:00", {"agency": w.other_agency}),
                           ("resolve", "head", "2026-03-10 10:00"))
    # Step 1 overruns first; step 3 overruns too, but the delay is put on step 1.
    n["late_step1"] = walk(rec("2026-03-02 09:00"), ("hand_over", "counter", "2026-03-04 09:00"),
                           ("hand_over", "specialist", "2026-03-06 09:00"), ("resolve", "head", "2026-03-10 09:00"))
    # Four working days waiting for a supplement inside step 2: not the step's time.
    n["paused"] = walk(rec("2026-03-02 09:00"), ("hand_over", "counter", "2026-03-02 10:00"),
                       ("request_supplement", "specialist", "2026-03-02 11:00", {"note": "thiếu"}),
                       ("supply", "counter", "2026-03-06 11:00"), ("hand_over", "specialist", "2026-03-09 11:00"),
                       ("resolve", "head", "2026-03-09 15:00"))
    # Still at step 2 at the end of March, long overdue.
    n["open_overdue"] = walk(rec("2026-03-16 09:00"), ("hand_over", "counter", "2026-03-16 10:00"))
    # Stopped at the applicant's request (regime 2025's withdrawal), and another procedure's dossier:
    # neither counts.
    n["withdrawn"] = walk(rec("2026-03-03 09:00"), ("stop", "counter", "2026-03-03 10:00"))
    w.named = n
    return w


def spent(d: Dossier, order: int, pause: tuple[str, str] | None = None) -> int:
    step = DossierStep.objects.get(dossier=d, order=order)
    cal = calendar_for_unit(d.unit)
    minutes = cal.working_time_between(step.started_at, step.finished_at)
    if pause:
        minutes -= cal.working_time_between(at(pause[0]), at(pause[1]))
    return minutes


def test_step_statistics_per_step_and_agency(world):
    n = world.named
    out = step_timing(world.procedure.code, *MARCH)
    assert out["dossiers"] == 5  # the withdrawn one is left out
    steps = {row["order"]: row for row in out["steps"]}
    assert [row["name"] for row in out["steps"]] == ["Bước 1", "Bước 2", "Bước 3"]
    finished = ("on_time", "late_step2", "late_step1", "paused")
    one = [spent(n[k], 1) for k in (*finished, "open_overdue")]
    two = [spent(n[k], 2, ("2026-03-02 11:00", "2026-03-06 11:00") if k == "paused" else None) for k in finished]
    assert steps[1]["count"] == 5 and steps[1]["median_minutes"] == median(one)
    assert steps[1]["p90_minutes"] == pytest.approx(percentile(one, 0.9))
    assert steps[2]["count"] == 4 and steps[2]["median_minutes"] == median(two)
    assert two[3] == 540  # 5 days + 1 hour gross, less 4 days waiting for the citizen
    assert steps[2]["share_minutes"] == [1440]
    three = {a["agency_code"]: a for a in steps[3]["agencies"]}
    assert three[world.agency.code]["count"] == 3
    assert three[world.other_agency.code]["count"] == 1
    assert three[world.other_agency.code]["median_minutes"] == spent(n["late_step2"], 3) == 480


def test_late_dossiers_are_put_on_the_first_step_over_its_share_once(world):
    out = step_timing(world.procedure.code, *MARCH)
    steps = {row["order"]: row for row in out["steps"]}
    assert out["late"] == 3  # late_step2, late_step1, open_overdue
    assert steps[1]["late_caused"] == 1 and steps[2]["late_caused"] == 2 and steps[3]["late_caused"] == 0
    assert sum(row["late_caused"] for row in out["steps"]) + out["unattributed_late"] == out["late"]
    assert steps[2]["late_share"] == pytest.approx(2 / 3)
    # Step 3 of late_step1 overran (960 > 480) but the delay was already caused at step 1.
    assert steps[3]["over_share"] == 1
    step2_agencies = {a["agency_code"]: a["late_caused"] for a in steps[2]["agencies"]}
    assert step2_agencies == {world.agency.code: 2}


def test_scope_and_bad_input(world):
    assert step_timing(world.procedure.code, *MARCH, unit_code=world.other_commune.code)["dossiers"] == 0
    assert step_timing(world.procedure.code, *MARCH, unit_code=world.province.code)["dossiers"] == 5
    assert step_timing(world.procedure.code, dt.date(2026, 4, 1), dt.date(2026, 4, 30))["steps"] == []
    with pytest.raises(QualityError, match="X.404"):
        step_timing("X.404", *MARCH)
    with pytest.raises(QualityError, match="ZZ7"):
        step_timing(world.procedure.code, *MARCH, unit_code="ZZ7")


def test_percentile():
    assert percentile([], 0.9) is None
    assert percentile([7], 0.9) == 7
    assert percentile([10, 20, 30, 40, 50], 0.9) == pytest.approx(46)
    assert percentile([3, 1, 2], 0.5) == 2
