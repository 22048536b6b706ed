"""Item 8: the 766 index as Decision 766/QĐ-TTg defines it (docs/domain.md §8) — the 2022 set shipped
as a data file with the Decision's indicators, weights and thresholds; withdrawn dossiers stay in the
handled population; an indicator without data is not applicable and leaves the maximum, on every
indicator alike; a rating-based indicator scores only from a minimum sample (a setting)."""
from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from motcua.portal.models import Rating
from motcua.quality.compute import compute_index, dossiers_costing_points
from motcua.quality.models import Indicator, IndicatorSet
from tests.factories import at, make_world
from tests.test_quality import MARCH, build, close_on_request, receive, walk

pytestmark = pytest.mark.django_db

DATA_FILE = Path(__file__).resolve().parent.parent / "motcua" / "quality" / "data" / "766-2022.json"

# code → (max points, threshold) of the Decision's 2022 set.
EXPECTED_2022 = {
    "1": (18, {"1.1": (6, None), "1.2": (4, None), "1.3": (2, None), "1.4": (6, None)}),
    "2": (20, {"2.1": (20, None)}),
    "3": (22, {"3.1": (12, 0.5), "3.2": (2, 0.8), "3.3": (2, 0.8), "3.4": (6, None)}),
    "4": (22, {"4.1": (6, None), "4.2": (4, 0.8), "4.3": (2, None), "4.4": (2, 0.8), "4.5": (4, None),
               "4.6": (2, None), "4.7": (2, None)}),
    "5": (18, {"5.1": (6, None), "5.2": (6, None), "5.3": (6, 0.9)}),
}


def _indicators(out: dict) -> dict[str, dict]:
    return {i["code"]: i for g in out["groups"] for i in g["indicators"]}


@pytest.fixture
def scenario():  # noqa: ANN201
    return build(make_world())


def test_the_2022_set_has_the_decisions_indicators_weights_and_thresholds() -> None:
    iset = IndicatorSet.objects.get(code="766-2022")
    found = {
        g.code: (int(g.max_points), {i.code: (int(i.max_points), None if i.threshold is None else float(i.threshold))
                                     for i in g.indicators.all()})
        for g in iset.groups.all()
    }
    assert found == EXPECTED_2022
    for g_max, indicators in found.values():
        assert sum(points for points, _ in indicators.values()) == g_max
    assert sum(g_max for g_max, _ in found.values()) == 100
    # The formulas of the Decision's definitions (docs/domain.md §8).
    formulas = dict(Indicator.objects.filter(group__indicator_set=iset).values_list("code", "formula"))
    assert formulas["2.1"] == "on_time_766 / handled"
    assert formulas["3.1"] == "online_full / online_full_capable"
    assert formulas["5.3"] == "1 - (late_766 + feedback_or_dislike) / handled"
    assert Indicator.objects.get(group__indicator_set=iset, code="5.2").sample == "rated"


def test_the_2022_set_is_shipped_as_a_data_file_and_loaded_from_it() -> None:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    assert data["code"] == "766-2022"
    iset = IndicatorSet.objects.get(code=data["code"])
    assert iset.legal_basis.startswith("Quyết định số 766/QĐ-TTg")
    rows = {i.code: i for i in Indicator.objects.filter(group__indicator_set=iset)}
    from_file = {ind["code"]: ind for g in data["groups"] for ind in g["indicators"]}
    assert set(rows) == set(from_file)
    for code, ind in from_file.items():
        assert (rows[code].name, rows[code].formula, float(rows[code].max_points)) == (
            ind["name"], ind.get("formula", ""), float(ind["max_points"])), code


def test_withdrawn_dossiers_stay_in_the_handled_population(scenario) -> None:  # noqa: ANN001
    w, n = scenario.world, scenario.named
    # Withdrawn on 5 March, before its due date (9 March): handled and on time.
    out = compute_index(w.commune.code, *MARCH)
    facts = {name: row["value"] for name, row in out["facts"].items()}
    assert facts["handled"] == 9 and facts["on_time_766"] == 6 and facts["late_766"] == 3
    assert _indicators(out)["2.1"]["rate"] == pytest.approx(6 / 9)
    # Withdrawn on 20 March, after its due date (9 March): handled and late.
    close_on_request(walk(receive(w, "2026-03-02 09:00"), ("hand_over", "counter", "2026-03-02 10:00")),
                     "2026-03-20 09:00")
    out = compute_index(w.commune.code, *MARCH)
    facts = {name: row["value"] for name, row in out["facts"].items()}
    assert facts["handled"] == 10 and facts["on_time_766"] == 6 and facts["late_766"] == 4
    # Withdrawn before the period: not handled in it (as for a dossier finished before it).
    april = compute_index(w.commune.code, dt.date(2026, 4, 1), dt.date(2026, 4, 30))
    assert april["facts"]["handled"]["value"] == 2  # the two March dossiers still open
    assert n["withdrawn"].withdrawn_at is not None


def test_an_indicator_without_data_is_not_applicable_and_leaves_the_maximum(scenario) -> None:  # noqa: ANN001
    out = compute_index(scenario.world.commune.code, *MARCH)
    ind = _indicators(out)
    # No formula (not from dossier data), a fact the system does not hold (payments online, the feedback
    # register), or too few ratings: the same rule — not applicable.
    for code in ("1.1", "1.2", "1.3", "1.4", "3.2", "3.3", "3.4", "4.3", "4.4", "4.5", "4.6", "4.7",
                 "5.1", "5.2"):
        assert ind[code]["applicable"] is False and ind[code]["points"] is None, code
        assert ind[code]["reason"], code
    assert ind["3.4"]["reason"] == "no_data" and ind["3.4"]["stub_facts"] == ["paid_online"]
    assert ind["5.1"]["reason"] == "no_data"
    assert ind["1.1"]["reason"] == "not_computable" and ind["5.2"]["reason"] == "small_sample"
    applicable = {c for c, i in ind.items() if i["applicable"]}
    assert applicable == {"2.1", "3.1", "4.1", "4.2", "5.3"}
    assert out["computed_max"] == 20 + 12 + 6 + 4 + 6
    # The Decision's scores: 2.1 = 6/9 × 20; 3.1 = 1/8 online of 8 (full at 50 %); 4.2 = 2/8 digitised
    # (full at 80 %); 5.3 = 1 − 3 late / 9, no dislike (full at 90 %); 4.1 = 1 of the 6 results issued
    # in March has its file attached.
    assert ind["2.1"]["points"] == pytest.approx(20 * 6 / 9, abs=1e-3)
    assert ind["3.1"]["points"] == pytest.approx(0.125 * 12 / 0.5)
    assert ind["4.2"]["points"] == pytest.approx(0.25 * 4 / 0.8)
    assert ind["5.3"]["points"] == pytest.approx((1 - 3 / 9) * 6 / 0.9, abs=1e-3)
    assert ind["4.1"]["rate"] == pytest.approx(1 / 6, abs=1e-5)
    assert ind["4.1"]["points"] == pytest.approx(6 / 6, abs=1e-3)
    assert out["points"] == pytest.approx(sum(ind[c]["points"] for c in applicable), abs=1e-3)
    assert out["score"] == pytest.approx(out["points"] * 100 / 48, abs=1e-3)
    # A division by zero is the same: in June nothing was received, so 3.1 and 4.2 are not applicable.
    june = _indicators(compute_index(scenario.world.commune.code, dt.date(2026, 6, 1), dt.date(2026, 6, 30)))
    assert june["3.1"]["reason"] == june["4.2"]["reason"] == "nothing_to_measure"


def test_a_rating_based_indicator_needs_the_minimum_sample(scenario, settings) -> None:  # noqa: ANN001
    code = scenario.world.commune.code
    assert settings.MOTCUA_QUALITY_MIN_SAMPLE == 30
    ind = _indicators(compute_index(code, *MARCH))
    assert ind["5.2"]["applicable"] is False and ind["5.2"]["sample"] == {"fact": "rated", "value": 2, "minimum": 30}
    settings.MOTCUA_QUALITY_MIN_SAMPLE = 2
    out = compute_index(code, *MARCH)
    ind = _indicators(out)
    # Both March ratings are satisfied (4 or 5) with the handling of feedback: full marks.
    assert ind["5.2"]["applicable"] is True and ind["5.2"]["rate"] == 1 and ind["5.2"]["points"] == 6
    assert out["computed_max"] == 48 + 6
    settings.MOTCUA_QUALITY_MIN_SAMPLE = 3
    assert _indicators(compute_index(code, *MARCH))["5.2"]["applicable"] is False


def test_satisfaction_with_procedure_handling_counts_late_dossiers_and_dislikes(scenario) -> None:  # noqa: ANN001
    n = scenario.named
    Rating.objects.create(dossier=n["open_within"], access=2, procedure=2, officials=2, result=2, feedback=2)
    Rating.objects.filter(dossier=n["open_within"]).update(created_at=at("2026-03-31 10:00"))
    # A late dossier disliked counts twice (late rate + dislike rate), as the Decision adds the two rates.
    Rating.objects.filter(dossier=n["late"]).update(access=1, procedure=1, officials=1, result=1)
    out = compute_index(scenario.world.commune.code, *MARCH)
    assert out["facts"]["feedback_or_dislike"]["value"] == 2
    ind = _indicators(out)
    assert ind["5.3"]["rate"] == pytest.approx(1 - (3 + 2) / 9)
    assert ind["5.3"]["points"] == pytest.approx((1 - 5 / 9) * 6 / 0.9, abs=1e-3)
    # The drill-down of 5.3: the late dossiers and the disliked ones.
    costing = set(dossiers_costing_points(scenario.world.commune.code, *MARCH, "5.3").values_list("pk", flat=True))
    assert costing == {n["late"].pk, n["two_supplements"].pk, n["open_overdue"].pk, n["open_within"].pk}


def test_the_data_file_reloads_the_set_and_a_wrong_file_is_refused(tmp_path) -> None:  # noqa: ANN001
    # An edit in the admin is undone by reloading the shipped file.
    Indicator.objects.filter(group__indicator_set__code="766-2022", code="2.1").update(max_points=5)
    out = io.StringIO()
    call_command("load_indicator_set", stdout=out)
    assert "766-2022" in out.getvalue() and "19 chỉ tiêu" in out.getvalue()
    assert Indicator.objects.get(group__indicator_set__code="766-2022", code="2.1").max_points == 20
    # A group whose indicators do not add up to its maximum, or an unknown fact, is refused.
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    data["groups"][1]["indicators"][0]["max_points"] = 19
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CommandError, match="nhóm 2"):
        call_command("load_indicator_set", str(bad))
    data["groups"][1]["indicators"][0].update(max_points=20, formula="on_time / handled")
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CommandError, match="on_time"):
        call_command("load_indicator_set", str(bad))
