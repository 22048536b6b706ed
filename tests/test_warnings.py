"""Early warning: dossiers at risk (due soon, overdue, predicted late from history), apology
reminders on the last allowed day, and the daily digest to heads of agencies."""
from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command

from motcua.dossiers import policy, services
from motcua.dossiers.lifecycle import OPEN_STATES
from motcua.dossiers.models import Dossier, DossierStep
from motcua.quality import warnings
from motcua.quality.models import DigestSent
from motcua.quality.warnings import apology_reminders, at_risk
from motcua.units.calendars import calendar_for_unit
from motcua.units.models import StaffRole
from tests.factories import World, at, make_procedure, make_world

pytestmark = pytest.mark.django_db
NOW = at("2026-03-06 09:00")  # a Friday


def walk(d: Dossier, *steps: tuple) -> Dossier:
    for action, role, when, *extra in steps:
        services.perform(d, action, role=role, at=at(when), **(extra[0] if extra else {}))
    return Dossier.objects.get(pk=d.pk)


def rec(w: World, when: str, procedure=None, unit=None) -> Dossier:
    unit = unit or w.commune
    return services.receive(procedure=procedure or w.procedure, unit=unit,
                            agency=w.agency if unit == w.commune else w.other_agency, at=at(when))


@pytest.fixture
def world() -> World:
    w = make_world()
    slow = make_procedure(code="T.000002")  # same shares; its history says step 2 takes six days
    n = {}
    n["soon"] = rec(w, "2026-03-02 09:00")  # due Mon 9 March 09:00: 480 working minutes left
    n["far"] = rec(w, "2026-03-05 09:00")
    n["overdue"] = rec(w, "2026-02-23 09:00")  # due Mon 2 March 09:00
    n["paused"] = walk(rec(w, "2026-03-02 09:00"), ("hand_over", "counter", "2026-03-02 10:00"),
                       ("request_supplement", "specialist", "2026-03-02 11:00", {"note": "thiếu"}))
    n["finished"] = walk(rec(w, "2026-03-02 09:00"), ("hand_over", "counter", "2026-03-02 10:00"),
                         ("resolve", "head", "2026-03-03 10:00"))
    n["neighbour_soon"] = rec(w, "2026-03-02 09:00", unit=w.other_commune)
    n["left_660"] = rec(w, "2026-03-02 13:00")  # due Mon 9 March 13:00
    n["left_960"] = rec(w, "2026-03-03 09:00")  # due Tue 10 March 09:00
    apology = {"reason": "chờ xác minh", "new_due_at": at("2026-03-12 17:00")}
    n["apologized"] = walk(rec(w, "2026-03-02 10:00"), ("apologize", "head", "2026-03-05 09:00", apology))
    for day in ("02", "03", "04", "05", "06"):  # February history of the slow procedure
        walk(rec(w, f"2026-02-{day} 09:00", procedure=slow), ("hand_over", "counter", f"2026-02-{day} 10:00"),
             ("hand_over", "specialist", f"2026-02-{int(day) + 8:02d} 10:00"),  # a week or more later
             ("resolve", "head", f"2026-02-{int(day) + 9:02d} 10:00"))
    n["slow_open"] = walk(rec(w, "2026-03-04 09:00", procedure=slow), ("hand_over", "counter", "2026-03-04 10:00"))
    w.named = n
    w.slow = slow
    return w


def codes(rows: list[dict]) -> set[str]:
    return {r["code"] for r in rows}


def test_due_soon_and_overdue_in_the_agency(world):
    n = world.named
    rows = {r["code"]: r for r in at_risk(world.agency, 480, NOW)}
    assert rows[n["soon"].code]["reasons"] == ["due_soon"]
    assert rows[n["soon"].code]["remaining_minutes"] == 480
    assert rows[n["overdue"].code]["reasons"] == ["overdue"]
    for absent in ("far", "paused", "finished", "neighbour_soon", "left_660", "left_960", "apologized"):
        assert n[absent].code not in rows, absent
    # A wider window takes in the next ones; the province sees the neighbour too.
    wider = codes(at_risk(world.agency, 960, NOW))
    assert {n["left_660"].code, n["left_960"].code, n["apologized"].code} <= wider
    assert n["neighbour_soon"].code in codes(at_risk(world.province, 480, NOW))
    assert n["neighbour_soon"].code in codes(at_risk(world.province.code, 480, NOW))


def test_every_row_is_really_within_the_window(world):
    for row in at_risk(None, 720, NOW):
        d = Dossier.objects.get(pk=row["dossier_id"])
        assert d.status in OPEN_STATES and d.status not in ("awaiting_supplement", "awaiting_payment")
        left = calendar_for_unit(d.unit).working_time_between(NOW, d.due_at) if d.due_at > NOW else 0
        assert row["remaining_minutes"] == left
        if "due_soon" in row["reasons"]:
            assert 0 < left <= 720
        if "overdue" in row["reasons"]:
            assert d.due_at <= NOW


def test_predicted_late_from_the_procedures_history(world, monkeypatch):
    d = world.named["slow_open"]
    cal = calendar_for_unit(world.commune)
    rows = {r["code"]: r for r in at_risk(world.agency, 480, NOW)}
    row = rows[d.code]
    assert row["reasons"] == ["predicted_late"]
    # History: from the start of step 2 to the end of each February dossier (about a week, not three days).
    history = []
    for past in Dossier.objects.filter(procedure=world.slow, finished_at__isnull=False):
        step2 = DossierStep.objects.get(dossier=past, order=2)
        history.append(cal.working_time_between(step2.started_at, past.finished_at))
    p90 = statistics.quantiles(history, n=10, method="inclusive")[8]
    elapsed = cal.working_time_between(at("2026-03-04 10:00"), NOW)
    assert row["expected_minutes"] == round(p90 - elapsed)
    assert row["remaining_minutes"] == cal.working_time_between(NOW, d.due_at) < row["expected_minutes"]
    # With too little history, no prediction.
    monkeypatch.setattr(warnings, "MIN_HISTORY", 6)
    assert d.code not in codes(at_risk(world.agency, 480, NOW))


def test_apology_reminders_are_exactly_the_last_allowed_day(world):
    n = world.named
    rows = apology_reminders(NOW)
    assert all(r["apology_last_day"] and r["reasons"] == ["apology_last_day"] for r in rows)
    reminded = codes(rows)
    assert reminded == {n["soon"].code, n["left_660"].code, n["neighbour_soon"].code}
    # The same set, derived from the services' own rule: allowed now, no longer one working day later.
    expected = set()
    for d in Dossier.objects.filter(status__in=["received", "in_processing"]):
        later = calendar_for_unit(d.unit).add_working_time(NOW, 480)
        if policy.can_apologize(d, NOW) and not policy.apology_open(d, later):
            expected.add(d.code)
    assert reminded == expected
    assert codes(apology_reminders(NOW, scope=world.agency)) == {n["soon"].code, n["left_660"].code}


def test_at_risk_for_a_user_follows_scoping(world):
    user = get_user_model().objects.create_user("head2", email="head2@example.vn", password="x")
    StaffRole.objects.create(user=user, role="head", agency=world.other_agency)
    assert codes(at_risk(user, 480, NOW)) == {world.named["neighbour_soon"].code}


def test_send_digest_once_a_day_to_each_head(world):
    User = get_user_model()
    head = User.objects.create_user("head", email="head@example.vn", password="x")
    StaffRole.objects.create(user=head, role="head", agency=world.agency)
    no_mail = User.objects.create_user("nomail", password="x")
    StaffRole.objects.create(user=no_mail, role="head", agency=world.agency)
    specialist = User.objects.create_user("spec", email="spec@example.vn", password="x")
    StaffRole.objects.create(user=specialist, role="specialist", agency=world.agency)

    call_command("send_digest", now="2026-03-06T09:00", stdout=open("/dev/null", "w"))
    assert [m.to for m in mail.outbox] == [["head@example.vn"]]
    body = mail.outbox[0].body
    expected = codes(at_risk(world.agency, 480, NOW)) | codes(apology_reminders(NOW, scope=world.agency))
    assert world.named["left_660"].code in expected  # not due within a day, but its last apology day
    assert expected and all(code in body for code in expected)
    assert world.named["far"].code not in body and world.named["neighbour_soon"].code not in body
    last_day = [line for line in body.splitlines() if "ngày cuối được gửi phiếu xin lỗi" in line]
    assert {line.split(" · ")[0].lstrip("- ") for line in last_day} == codes(apology_reminders(NOW, world.agency))
    assert DigestSent.objects.get(user=head).dossier_count == len(expected)

    call_command("send_digest", now="2026-03-06T15:00", stdout=open("/dev/null", "w"))
    assert len(mail.outbox) == 1  # same day: not again
    call_command("send_digest", now="2026-03-09T07:30", stdout=open("/dev/null", "w"))
    assert len(mail.outbox) == 2 and DigestSent.objects.count() == 2


def test_send_digest_dry_run_sends_and_records_nothing(world, capsys):
    head = get_user_model().objects.create_user("head", email="head@example.vn", password="x")
    StaffRole.objects.create(user=head, role="head", agency=world.agency)
    call_command("send_digest", now="2026-03-06T09:00", dry_run=True)
    assert mail.outbox == [] and not DigestSent.objects.exists()
    assert world.named["soon"].code in capsys.readouterr().out


def test_send_digest_bad_input_is_one_line():
    with pytest.raises(CommandError, match="--now"):
        call_command("send_digest", now="hôm qua")
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "manage.py", "send_digest", "--now", "hôm qua"], cwd=root,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert len(done.stderr.strip().splitlines()) == 1 and "--now" in done.stderr
