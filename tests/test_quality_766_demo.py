"""Item 8 on the demo province: its 766 index computed twice — before and after a withdrawal and one
rating — with the change the Decision expects of each indicator (docs/domain.md §8)."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from motcua.dossiers.lifecycle import PAUSED_STATES, Status
from motcua.dossiers.models import Dossier
from motcua.portal.models import Rating
from motcua.quality.compute import compute_index
from motcua.units.scoping import units_below
from motcua.workdays import TZ
from tests.test_quality import close_on_request

pytestmark = pytest.mark.django_db

PROVINCE = "08"  # the demo province (Tuyên Quang)


def _index(date_from: dt.date, date_to: dt.date) -> tuple[dict[str, dict], dict[str, float], dict]:
    out = compute_index(PROVINCE, date_from, date_to)
    indicators = {i["code"]: i for g in out["groups"] for i in g["indicators"]}
    return indicators, {name: row["value"] for name, row in out["facts"].items()}, out


def test_the_demo_index_before_and_after_a_withdrawal_and_one_rating() -> None:
    call_command("seed_demo", dossiers=60, seed=7, stdout=io.StringIO(), stderr=io.StringIO())
    now = timezone.now()
    today = now.astimezone(TZ).date()
    period = (today - dt.timedelta(days=730), today)
    before, facts0, out0 = _index(*period)
    handled = facts0["handled"]
    assert handled > 0 and facts0["rated"] == 0  # the demo leaves no rating

    # The withdrawal: an open dossier still within time, ended at the citizen's request today.
    scope = list(units_below(PROVINCE, today))
    open_states = [Status.RECEIVED, Status.IN_PROCESSING]
    withdrawn = (Dossier.objects.filter(unit_id__in=scope, status__in=open_states,
                                        due_at__gte=now, supplement_requests__lte=1)
                 .exclude(status__in=PAUSED_STATES).order_by("received_at").first())
    assert withdrawn is not None
    close_on_request(withdrawn, now.astimezone(TZ).strftime("%Y-%m-%d %H:%M:%S.%f"))
    # The rating: a finished dossier, disliked (1 of 5 on four elements), but satisfied (5) with how
    # its feedback was handled.
    rated = (Dossier.objects.filter(unit_id__in=scope, finished_at__date__gte=period[0],
                                    outcome="approved").order_by("finished_at").first())
    assert rated is not None
    Rating.objects.create(dossier=rated, access=1, procedure=1, officials=1, result=1, feedback=5)

    after, facts1, out1 = _index(*period)
    # Withdrawn dossiers stay in the handled population, on time when withdrawn by their due date:
    # the withdrawal changes no fact of 2.1 nor any indicator.
    assert facts1["handled"] == handled and facts1["on_time_766"] == facts0["on_time_766"]
    assert facts1["late_766"] == facts0["late_766"]
    # The rating: one more rated dossier, satisfied with feedback handling, and one more dislike.
    assert facts1["rated"] == 1 and facts1["feedback_satisfied"] == 1
    assert facts1["feedback_or_dislike"] == facts0["feedback_or_dislike"] + 1 == 1

    # Expected change of each indicator.
    unchanged = {code for code in before if code != "5.3"}
    for code in unchanged:
        assert (after[code]["applicable"], after[code]["points"], after[code]["rate"]) == (
            before[code]["applicable"], before[code]["points"], before[code]["rate"]), code
    # 2.1: on time / handled, unchanged by the withdrawal.
    assert after["2.1"]["rate"] == pytest.approx(facts0["on_time_766"] / handled, abs=1e-6)
    # 5.2: one rating is below the minimum sample (30): not applicable before (none) and after (1).
    assert before["5.2"]["reason"] == after["5.2"]["reason"] == "small_sample"
    assert after["5.2"]["sample"] == {"fact": "rated", "value": 1, "minimum": 30}
    # 5.3 = 100 % − (late rate + dislike rate): down by exactly one dossier in the handled population;
    # full marks at 90 %, below it rate × 6 / 0.9.
    assert before["5.3"]["rate"] == pytest.approx(1 - facts0["late_766"] / handled, abs=1e-6)
    assert after["5.3"]["rate"] == pytest.approx(before["5.3"]["rate"] - 1 / handled, abs=1e-6)
    expected_points = min(6.0, max(after["5.3"]["rate"], 0) * 6 / 0.9)
    assert after["5.3"]["points"] == pytest.approx(expected_points, abs=1e-3)
    # The index: the computable maximum is unchanged; the points move by 5.3's change only.
    assert out1["computed_max"] == out0["computed_max"]
    assert out1["points"] - out0["points"] == pytest.approx(after["5.3"]["points"] - before["5.3"]["points"],
                                                           abs=1e-3)
