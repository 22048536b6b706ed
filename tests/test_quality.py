"""The 766 service-quality index: facts counted in the database against counts derived here, in
Python, from the dossiers the test built through the services; scoring; formulas; drill-down."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from motcua.dossiers import services
from motcua.dossiers.models import Document, DocumentKind, Dossier
from motcua.portal.models import Rating
from motcua.quality import compute
from motcua.quality.compute import QualityError, compute_index, dossiers_costing_points, points_for
from motcua.quality.models import Indicator, IndicatorGroup, IndicatorSet
from motcua.regimes import regime_by_code
from motcua.workdays.outcomes import in_progress_state, outcome_of
from tests.factories import World, at, make_world

pytestmark = pytest.mark.django_db

MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def walk(dossier: Dossier, *steps: tuple) -> Dossier:
    for action, role, when, *extra in steps:
        services.perform(dossier, action, role=role, at=at(when), **(extra[0] if extra else {}))
    return Dossier.objects.get(pk=dossier.pk)


def close_on_request(dossier: Dossier, when: str) -> Dossier:
    """The applicant ends the dossier: withdrawn, or stopped at its request where the regime says so."""
    closing = getattr(regime_by_code(dossier.regime), "closing_on_request", "withdraw")
    return walk(dossier, ("stop" if closing == "stop" else "withdraw", "counter", when))


def receive(world: World, when: str, unit=None, **kw) -> Dossier:
    unit = unit or world.commune
    agency = world.agency if unit == world.commune else world.other_agency
    return services.receive(procedure=kw.pop("procedure", world.procedure), unit=unit, agency=agency, at=at(when),
                            **kw)


@dataclass
class Scenario:
    world: World
    named: dict[str, Dossier] = field(default_factory=dict)

    def all(self) -> list[Dossier]:
        return list(Dossier.objects.filter(pk__in=[d.pk for d in self.named.values()]))


def build(world: World) -> Scenario:
    """March 2026 in Xã Một (5 working days, pause policy), plus a neighbour and February's work."""
    s = Scenario(world)
    n = s.named
    n["early"] = walk(receive(world, "2026-03-02 09:00"), ("hand_over", "counter", "2026-03-02 10:00"),
                      ("resolve", "head", "2026-03-04 10:00"))
    n["late"] = walk(receive(world, "2026-03-02 09:30"), ("hand_over", "counter", "2026-03-02 10:00"),
                     ("resolve", "head", "2026-03-11 10:00"))
    # Finished well within its dates, but asked for supplements twice: late in the 766 formula. (The
    # 2025 regime allows one request; a second is what an import or an older regime can bring.)
    n["two_supplements"] = walk(
        receive(world, "2026-03-03 09:00"), ("hand_over", "counter", "2026-03-03 10:00"),
        ("request_supplement", "specialist", "2026-03-03 11:00", {"note": "thiếu bản sao"}),
        ("supply", "counter", "2026-03-04 09:00"), ("resolve", "head", "2026-03-06 10:00"))
    Dossier.objects.filter(pk=n["two_supplements"].pk).update(supplement_requests=2)
    n["two_supplements"].refresh_from_db()
    # One supplement is allowed: the waiting time is outside the due date and it stays on time.
    n["one_supplement"] = walk(
        receive(world, "2026-03-09 09:00"), ("hand_over", "counter", "2026-03-09 10:00"),
        ("request_supplement", "specialist", "2026-03-09 11:00", {"note": "thiếu bản sao"}),
        ("supply", "counter", "2026-03-13 11:00"), ("resolve", "head", "2026-03-19 10:00"))
    n["open_overdue"] = walk(receive(world, "2026-03-16 09:00"), ("hand_over", "counter", "2026-03-16 10:00"))
    n["open_within"] = receive(world, "2026-03-30 09:00")
    online = receive(world, "2026-03-10 08:00", online=True)
    n["online"] = walk(online, ("accept", "counter", "2026-03-10 09:00"), ("hand_over", "counter", "2026-03-10 10:00"),
                       ("request_payment", "specialist", "2026-03-10 11:00", {"note": "lệ phí"}),
                       ("pay", "counter", "2026-03-10 14:00"), ("resolve", "head", "2026-03-11 10:00"))
    n["withdrawn"] = close_on_request(receive(world, "2026-03-03 09:00"), "2026-03-05 09:00")
    n["carried"] = walk(receive(world, "2026-02-25 09:00"), ("hand_over", "counter", "2026-02-25 10:00"),
                        ("resolve", "head", "2026-03-03 10:00"))
    n["february"] = walk(receive(world, "2026-02-02 09:00"), ("hand_over", "counter", "2026-02-02 10:00"),
                         ("resolve", "head", "2026-02-05 10:00"))
    rejected = receive(world, "2026-03-12 08:00", online=True)
    n["rejected"] = walk(rejected, ("reject_intake", "counter", "2026-03-12 09:00", {"reason": "sai thủ tục"}))
    n["neighbour"] = walk(receive(world, "2026-03-04 09:00", unit=world.other_commune),
                          ("hand_over", "counter", "2026-03-04 10:00"), ("resolve", "head", "2026-03-12 10:00"))
    # Documents: two dossiers have a scanned file, one only a paper copy noted at the counter.
    for key in ("early", "online"):
        Document.objects.create(dossier=n[key], name="Tờ khai", sha256="ab" * 32, size=10)
    Document.objects.create(dossier=n["late"], name="Tờ khai (giấy)", paper=True)
    # Result files: issued in March (counted), in February (not), and one whose result was never issued;
    # a result file is the result, never the dossier's own file digitised.
    for key in ("one_supplement", "february", "open_within"):
        Document.objects.create(dossier=n[key], name="Giấy chứng nhận", kind=DocumentKind.RESULT,
                                file=f"dossiers/2026/03/kq-{key}.pdf", size=10)
    # Ratings (created now; moved into March, as the portal would have stored them then).
    Rating.objects.create(dossier=n["early"], access=5, procedure=5, officials=5, result=5, feedback=5)
    Rating.objects.create(dossier=n["late"], access=3, procedure=4, officials=2, result=5, feedback=4)
    Rating.objects.create(dossier=n["february"], access=1, procedure=1, officials=1, result=1, feedback=1)
    Rating.objects.filter(dossier__in=[n["early"], n["late"]]).update(created_at=at("2026-03-20 10:00"))
    Rating.objects.filter(dossier=n["february"]).update(created_at=at("2026-02-10 10:00"))
    return s


# --- the expected counts, derived here from the rows ---------------------------------------------

def expected(s: Scenario, units: set[int], date_from: dt.date, date_to: dt.date) -> dict[str, object]:
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=at("2026-01-01 00:00").tzinfo)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=start.tzinfo)
    as_of = end - dt.timedelta(microseconds=1)
    rows = [d for d in s.all() if d.unit_id in units and d.received_at is not None and d.received_at < end]
    received = [d for d in rows if d.received_at >= start]

    def open_at_start(d: Dossier) -> bool:
        return not ((d.finished_at and d.finished_at < start) or (d.withdrawn_at and d.withdrawn_at < start))

    # Decision 766: dossiers withdrawn by the citizen stay in the handled population.
    handled = [d for d in rows if d.received_at >= start or open_at_start(d)]

    def on_time(d: Dossier) -> bool:
        if d.supplement_requests > 1:
            return False
        ended = d.finished_at or d.withdrawn_at  # a withdrawn dossier ended at its withdrawal
        if ended and ended <= as_of:
            return outcome_of(ended, d.due_at) != "late"
        return in_progress_state(d.due_at, as_of) == "within"

    ratings = [r for r in Rating.objects.filter(dossier__unit_id__in=units)
               if start <= r.created_at < end]
    return {
        "handled": {d.pk for d in handled},
        "on_time_766": {d.pk for d in handled if on_time(d)},
        "received": {d.pk for d in received},
        "received_online": {d.pk for d in received if d.channel == "online"},
        "digitised": {d.pk for d in received if any(doc.sha256 or doc.file for doc in d.documents.all()
                                                    if doc.kind != DocumentKind.RESULT)},
        "payment_required": {d.pk for d in received if d.events.filter(action="request_payment").exists()},
        "results_issued": {d.pk for d in rows if d.finished_at and start <= d.finished_at < end
                           and d.outcome == "approved"},
        "results_electronic": {d.pk for d in rows if d.finished_at and start <= d.finished_at < end
                               and d.outcome == "approved" and d.documents.filter(kind=DocumentKind.RESULT).exists()},
        "rated": {r.dossier_id for r in ratings},
        "feedback_satisfied": {r.dossier_id for r in ratings if r.feedback >= 4},
        "online_full": {d.pk for d in received if d.channel == "online"},  # the procedure is full-online
        "rating_points": sum(r.access + r.procedure + r.officials + r.result + r.feedback for r in ratings),
    }


@pytest.fixture
def scenario() -> Scenario:
    return build(make_world())


def test_facts_agree_with_counts_derived_from_the_rows(scenario):
    w = scenario.world
    out = compute_index(w.commune.code, *MARCH)
    exp = expected(scenario, {w.commune.pk}, *MARCH)
    facts = {name: row["value"] for name, row in out["facts"].items()}
    for name in ("handled", "on_time_766", "received", "received_online", "digitised", "payment_required",
                 "results_issued", "results_electronic", "rated", "feedback_satisfied", "online_full"):
        assert facts[name] == len(exp[name]), name
    assert exp["results_electronic"] == {scenario.named["one_supplement"].pk}
    assert facts["rating_points"] == exp["rating_points"]
    assert facts["rating_max"] == 25 * len(exp["rated"])
    assert facts["late_766"] == facts["handled"] - facts["on_time_766"]
    # The scenario's own words: who is late in the 766 sense.
    n = scenario.named
    late = exp["handled"] - exp["on_time_766"]
    assert late == {n["late"].pk, n["two_supplements"].pk, n["open_overdue"].pk}
    assert n["carried"].pk in exp["handled"] and n["carried"].pk not in exp["received"]
    # Withdrawn (before its due date) stays handled, on time; an intake refusal never was received.
    assert n["withdrawn"].pk in exp["on_time_766"] and n["rejected"].pk not in exp["received"]


def test_the_province_counts_both_communes_and_stubs_have_no_data_and_a_note(scenario):
    w = scenario.world
    out = compute_index(w.province.code, *MARCH)
    exp = expected(scenario, {w.commune.pk, w.other_commune.pk}, *MARCH)
    assert out["facts"]["handled"]["value"] == len(exp["handled"])
    assert out["facts"]["on_time_766"]["value"] == len(exp["on_time_766"])
    for stub in ("paid_online", "feedback_handled", "feedback_on_time"):
        assert out["facts"][stub]["value"] is None and out["facts"][stub]["stub"] and out["facts"][stub]["note"]


def test_points_follow_the_formulas_and_the_2022_set(scenario):
    w = scenario.world
    out = compute_index(w.commune.code, *MARCH)
    exp = expected(scenario, {w.commune.pk}, *MARCH)
    assert out["indicator_set"]["code"] == "766-2022"
    assert out["max_points"] == 100
    groups = {g["code"]: g for g in out["groups"]}
    assert {c: g["max_points"] for c, g in groups.items()} == {"1": 18, "2": 20, "3": 22, "4": 22, "5": 18}
    ind = {i["code"]: i for g in out["groups"] for i in g["indicators"]}
    assert ind["2.1"]["rate"] == pytest.approx(len(exp["on_time_766"]) / len(exp["handled"]))
    assert ind["2.1"]["points"] == pytest.approx(20 * len(exp["on_time_766"]) / len(exp["handled"]), abs=1e-3)
    # 4.2: 4 points, full at 80 %; 3.1: 12 points, full at 50 %.
    assert ind["4.2"]["points"] == pytest.approx(4 * len(exp["digitised"]) / len(exp["received"]) / 0.8)
    assert ind["3.1"]["points"] == pytest.approx(12 * len(exp["online_full"]) / len(exp["received"]) / 0.5)
    # Without data (a stub fact), too few ratings, or no formula: not applicable, no points.
    assert ind["3.4"]["points"] is None and ind["3.4"]["stub_facts"] == ["paid_online"]
    assert ind["5.2"]["points"] is None and ind["5.2"]["reason"] == "small_sample"
    assert ind["1.1"]["computable"] is False and ind["1.1"]["points"] is None
    total = sum(i["points"] for i in ind.values() if i["points"] is not None)
    assert out["points"] == pytest.approx(total)
    # 4.1: 6 points, the share of results issued with the result's file attached.
    assert ind["4.1"]["points"] == pytest.approx(6 * len(exp["results_electronic"]) / len(exp["results_issued"]))
    assert out["computed_max"] == 20 + 12 + 6 + 4 + 6  # 2.1, 3.1, 4.1, 4.2, 5.3
    assert out["score"] == pytest.approx(total * 100 / 48)


def test_a_period_with_nothing_to_measure_is_not_applicable_not_zero(scenario):
    # June: two March dossiers are still open (carried over), but nothing was received or rated.
    out = compute_index(scenario.world.commune.code, dt.date(2026, 6, 1), dt.date(2026, 6, 30))
    ind = {i["code"]: i for g in out["groups"] for i in g["indicators"]}
    assert ind["5.2"]["applicable"] is False and ind["5.2"]["points"] is None
    assert ind["3.1"]["applicable"] is False and ind["4.2"]["applicable"] is False
    assert ind["2.1"]["applicable"] is True and ind["2.1"]["facts"]["handled"] == 2
    assert out["computed_max"] == ind["2.1"]["max_points"] + ind["5.3"]["max_points"]
    # January: nothing at all: no computable maximum, no score.
    out = compute_index(scenario.world.commune.code, dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    assert out["computed_max"] == 0 and out["score"] is None and out["points"] == 0


def test_threshold_rule():
    assert points_for(0.9, 10, 0.8) == 10
    assert points_for(0.8, 10, 0.8) == 10
    assert points_for(0.4, 10, 0.8) == pytest.approx(5)
    assert points_for(0.4, 10, None) == pytest.approx(4)
    assert points_for(1.3, 10, None) == 10  # never above the maximum
    assert points_for(None, 10, 0.5) is None


def test_a_threshold_indicator_in_a_new_set_scores_full_marks(scenario):
    iset = IndicatorSet.objects.create(code="test-2027", name="Thử", valid_from=dt.date(2027, 1, 1))
    group = IndicatorGroup.objects.create(indicator_set=iset, code="3", name="Trực tuyến", max_points=10)
    Indicator.objects.create(group=group, code="3.1", name="Trực tuyến", formula="received_online / received",
                             max_points=10, threshold="0.1000")
    out = compute_index(scenario.world.commune.code, *MARCH, indicator_set="test-2027")
    exp = expected(scenario, {scenario.world.commune.pk}, *MARCH)
    rate = len(exp["received_online"]) / len(exp["received"])
    assert rate >= 0.1
    assert out["groups"][0]["indicators"][0]["points"] == 10
    Indicator.objects.filter(group=group).update(threshold="0.5000")
    out = compute_index(scenario.world.commune.code, *MARCH, indicator_set="test-2027")
    assert out["groups"][0]["indicators"][0]["points"] == pytest.approx(rate * 10 / 0.5)
    # The set in force is chosen by the end of the period.
    assert compute.indicator_set_for(dt.date(2027, 3, 1)).code == "test-2027"
    assert compute.indicator_set_for(dt.date(2026, 3, 1)).code == "766-2022"


def test_drill_down_lists_the_dossiers_that_cost_points(scenario):
    w, n = scenario.world, scenario.named
    late = set(dossiers_costing_points(w.commune.code, *MARCH, "2.1").values_list("pk", flat=True))
    assert late == {n["late"].pk, n["two_supplements"].pk, n["open_overdue"].pk}
    exp = expected(scenario, {w.commune.pk}, *MARCH)
    not_online = set(dossiers_costing_points(w.commune.code, *MARCH, "3.1").values_list("pk", flat=True))
    assert not_online == exp["received"] - exp["online_full"]
    undigitised = set(dossiers_costing_points(w.commune.code, *MARCH, "4.2").values_list("pk", flat=True))
    assert undigitised == exp["received"] - exp["digitised"]
    # Ratings not satisfied with the handling of feedback (both March ones are): none.
    assert not dossiers_costing_points(w.commune.code, *MARCH, "5.2").exists()
    with pytest.raises(QualityError, match="9.9"):
        dossiers_costing_points(w.commune.code, *MARCH, "9.9")
    with pytest.raises(QualityError, match="1.1"):
        dossiers_costing_points(w.commune.code, *MARCH, "1.1")
    # An indicator without data (no online payment recorded) costs no points: nothing to list.
    with pytest.raises(QualityError, match="chưa có dữ liệu"):
        dossiers_costing_points(w.commune.code, *MARCH, "3.4")


def test_bad_input(scenario):
    code = scenario.world.commune.code
    with pytest.raises(QualityError, match="không sau"):
        compute_index(code, dt.date(2026, 4, 1), dt.date(2026, 3, 1))
    with pytest.raises(QualityError, match="XYZ"):
        compute_index("XYZ", *MARCH)


def test_facts_take_a_constant_number_of_queries(scenario, django_assert_max_num_queries):
    code = scenario.world.province.code
    with django_assert_max_num_queries(8):
        compute_index(code, *MARCH)

