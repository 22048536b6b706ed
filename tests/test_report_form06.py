"""Form 06 counting (motcua.reports.form06) on dossiers written directly with the ORM.

These tests pin the counting rules; tests/test_seed002.py builds dossiers through the services.
"""
from __future__ import annotations

import datetime as dt
import itertools
import random
from zoneinfo import ZoneInfo

import pytest

from motcua.catalog.models import Field, Procedure
from motcua.dossiers.models import Dossier
from motcua.reports import rollups
from motcua.reports.form06 import COUNT_KEYS, ReportError, compute_form06
from motcua.units.models import AdministrativeUnit
from motcua.workdays.outcomes import in_progress_state, outcome_of

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
pytestmark = pytest.mark.django_db
_seq = itertools.count(1)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.fixture
def tree() -> dict[str, AdministrativeUnit]:
    legacy = {"valid_from": dt.date(2004, 1, 1), "valid_to": dt.date(2025, 6, 30)}
    p = AdministrativeUnit.objects.create(code="ZZ", name="Tỉnh Thử", level="province", **legacy)
    d1 = AdministrativeUnit.objects.create(code="ZZ1", name="Huyện Một", level="district", parent=p, **legacy)
    d2 = AdministrativeUnit.objects.create(code="ZZ2", name="Huyện Hai", level="district", parent=p, **legacy)
    c1 = AdministrativeUnit.objects.create(code="ZZ101", name="Xã A", level="commune", parent=d1, **legacy)
    # Xã B moved from Huyện Một to Huyện Hai on 2021-05-01 (seed 000's kind of move).
    b_old = AdministrativeUnit.objects.create(
        code="ZZ102", name="Xã B", level="commune", parent=d1, valid_from=dt.date(2004, 1, 1),
        valid_to=dt.date(2021, 4, 30),
    )
    b_new = AdministrativeUnit.objects.create(
        code="ZZ102", name="Xã B", level="commune", parent=d2, valid_from=dt.date(2021, 5, 1),
        valid_to=dt.date(2025, 6, 30),
    )
    b_old.successors.add(b_new)
    return {"p": p, "d1": d1, "d2": d2, "c1": c1, "b_old": b_old, "b_new": b_new}


@pytest.fixture
def procedures() -> list[Procedure]:
    land = Field.objects.create(code="DD", name="Đất đai")
    civil = Field.objects.create(code="HT", name="Hộ tịch")
    return [
        Procedure.objects.create(code="1.000001", name="Đăng ký đất đai", field=land, legal_minutes=5 * 480),
        Procedure.objects.create(code="1.000002", name="Đăng ký khai sinh", field=civil, legal_minutes=480),
        Procedure.objects.create(code="1.000003", name="Thủ tục không lĩnh vực", field=None, legal_minutes=480),
    ]


def make(unit: AdministrativeUnit, procedure: Procedure, received: dt.datetime | None, due: dt.datetime | None,
         **fields: object) -> Dossier:
    fields.setdefault("level", unit.level)
    fields.setdefault("channel", "counter")
    fields.setdefault("status", "in_processing")
    d = Dossier.objects.create(
        code=f"T-{next(_seq):06d}", regime="2018", procedure=procedure, unit=unit,
        received_at=received, due_at=due, **fields,
    )
    deltas = rollups.Deltas()  # made without the services: give the rollups its history too
    rollups.add_final_state(d, deltas)
    deltas.write()
    return d


def report(unit: str = "ZZ1", by: str | None = None, **kw: object) -> dict:
    """Form 06 read from the dossiers — and, when taken at the end of its last day, from the rollups
    too, which must give exactly the same object."""
    args = (unit, kw.pop("date_from", dt.date(2021, 1, 1)), kw.pop("date_to", dt.date(2021, 9, 15)))
    scanned = compute_form06(*args, by=by, source="dossiers", **kw)
    if kw.get("as_of") is None:
        assert compute_form06(*args, by=by, source="rollups", **kw) == scanned
    return scanned


def test_shape_of_the_object(tree, procedures):
    make(tree["c1"], procedures[0], at("2021-03-01T09:00"), at("2021-03-08T09:00"))
    out = report(by="level")
    assert out["unit"] == {"code": "ZZ1", "name": "Huyện Một"}
    assert out["from"] == "2021-01-01" and out["to"] == "2021-09-15"
    assert out["as_of"] == "2021-09-15T23:59:59+07:00"
    assert list(out["totals"]) == [*COUNT_KEYS, "on_time_rate"]
    assert [r["key"] for r in out["rows"]] == ["commune"]
    assert out["rows"][0]["label"] == "Cấp xã"
    assert list(out["rows"][0]) == ["key", "label", *COUNT_KEYS, "on_time_rate"]


def test_outcome_compares_local_calendar_dates_not_extended_due(tree, procedures):
    p, c1 = procedures[0], tree["c1"]
    due = at("2021-03-10T16:00")
    make(c1, p, at("2021-03-01T09:00"), due, finished_at=at("2021-03-09T10:00"), outcome="approved")  # early
    make(c1, p, at("2021-03-01T09:00"), due, finished_at=at("2021-03-10T23:30"), outcome="approved")  # on time
    # 06:00 local on the 11th is still the 10th in UTC: late all the same.
    make(c1, p, at("2021-03-01T09:00"), due, finished_at=at("2021-03-11T06:00"), outcome="refused")
    # An apology with a new date, met: still late.
    make(c1, p, at("2021-03-01T09:00"), due, extended_due_at=at("2021-03-20T16:00"),
         finished_at=at("2021-03-18T10:00"), outcome="approved")
    make(c1, p, at("2021-03-01T09:00"), due, finished_at=at("2021-03-10T08:00"), outcome="stopped")  # on time
    t = report()["totals"]
    assert (t["resolved_total"], t["resolved_early"], t["resolved_on_time"], t["resolved_late"]) == (5, 1, 2, 2)
    assert t["in_progress_total"] == 0 and t["withdrawn"] == 0


def test_state_is_taken_at_the_as_of_instant(tree, procedures):
    p, c1 = procedures[0], tree["c1"]
    # Finished after as-of: in progress at as-of; due on the as-of date → within; due before → overdue.
    make(c1, p, at("2021-09-01T09:00"), at("2021-09-15T10:00"), finished_at=at("2021-09-20T10:00"), outcome="approved")
    make(c1, p, at("2021-09-01T09:00"), at("2021-09-14T17:00"), finished_at=at("2021-09-20T10:00"), outcome="approved")
    # Withdrawn after as-of: in progress; withdrawn before: withdrawn.
    make(c1, p, at("2021-09-01T09:00"), at("2021-09-30T10:00"), withdrawn_at=at("2021-09-16T08:00"),
         outcome="withdrawn", status="withdrawn")
    make(c1, p, at("2021-09-01T09:00"), at("2021-09-30T10:00"), withdrawn_at=at("2021-09-10T08:00"),
         outcome="withdrawn", status="withdrawn")
    # Received after as-of (but within --to): not counted at all.
    make(c1, p, at("2021-09-15T20:00"), at("2021-09-22T10:00"))
    t = report(as_of=at("2021-09-15T12:00"))["totals"]
    assert t["received_total"] == 4
    assert (t["in_progress_total"], t["in_progress_within"], t["in_progress_overdue"]) == (3, 2, 1)
    assert t["withdrawn"] == 1 and t["resolved_total"] == 0
    assert t["on_time_rate"] == pytest.approx(1 - 1 / 3)
    # At the default as-of (end of the --to day) the late receipt counts too.
    assert report()["totals"]["received_total"] == 5


def test_paused_waiting_for_citizen_is_within_time(tree, procedures):
    p, c1 = procedures[0], tree["c1"]
    make(c1, p, at("2021-08-01T09:00"), at("2021-08-10T10:00"), paused_at=at("2021-08-05T09:00"),
         status="awaiting_supplement")
    # Paused only after it was already overdue: stays overdue.
    make(c1, p, at("2021-08-01T09:00"), at("2021-08-10T10:00"), paused_at=at("2021-08-12T09:00"),
         status="awaiting_supplement")
    t = report()["totals"]
    assert (t["in_progress_within"], t["in_progress_overdue"]) == (1, 1)


def test_carried_over_and_channels(tree, procedures):
    p, c1 = procedures[0], tree["c1"]
    make(c1, p, at("2020-12-20T09:00"), at("2021-01-05T10:00"))  # open: carried over
    make(c1, p, at("2020-12-20T09:00"), at("2021-01-05T10:00"), channel="online",
         finished_at=at("2021-01-04T10:00"), outcome="approved")  # finished in the period: carried over
    make(c1, p, at("2020-12-20T09:00"), at("2020-12-28T10:00"), finished_at=at("2020-12-31T23:59"),
         outcome="approved")  # finished before the period: not handled
    make(c1, p, at("2020-12-20T09:00"), at("2020-12-28T10:00"), withdrawn_at=at("2020-12-30T10:00"),
         outcome="withdrawn", status="withdrawn")  # withdrawn before the period
    make(c1, p, at("2021-02-01T09:00"), at("2021-02-05T10:00"), channel="online")
    make(c1, p, at("2021-02-01T09:00"), at("2021-02-05T10:00"), channel="postal")
    make(c1, p, at("2021-02-01T09:00"), at("2021-02-05T10:00"), channel="counter")
    make(c1, p, at("2021-09-16T00:00"), at("2021-09-25T10:00"))  # after the period
    make(c1, p, None, None, channel="online", status="rejected_intake")  # never received
    t = report()["totals"]
    assert t["received_total"] == 5
    assert (t["received_online"], t["received_direct"], t["received_postal"], t["carried_over"]) == (1, 1, 1, 2)
    assert t["resolved_total"] == 1 and t["resolved_early"] == 1


def test_scope_follows_units_as_they_were_and_rolls_up_by_child(tree, procedures):
    p = procedures[0]
    d1, d2, c1, b_old, b_new = tree["d1"], tree["d2"], tree["c1"], tree["b_old"], tree["b_new"]
    due = at("2021-09-30T10:00")
    make(d1, p, at("2021-02-01T09:00"), due)  # the district itself
    make(c1, p, at("2021-02-01T09:00"), due)
    make(b_old, p, at("2021-03-01T09:00"), due)  # Xã B while in Huyện Một
    make(b_new, p, at("2021-06-01T09:00"), due)  # Xã B after its move, in Huyện Hai
    make(b_new, p, at("2021-06-02T09:00"), due)
    make(d2, p, at("2021-06-03T09:00"), due)

    one = report("ZZ1", by="child")
    assert one["totals"]["received_total"] == 3
    assert [(r["key"], r["label"], r["received_total"]) for r in one["rows"]] == [
        ("ZZ1", "Huyện Một", 1), ("ZZ101", "Xã A", 1), ("ZZ102", "Xã B", 1),
    ]
    two = report("ZZ2", by="child")
    assert [(r["key"], r["received_total"]) for r in two["rows"]] == [("ZZ2", 1), ("ZZ102", 2)]
    # The province: its districts' figures, each keeping its own communes' dossiers.
    prov = report("ZZ", by="child")
    assert [(r["key"], r["received_total"]) for r in prov["rows"]] == [("ZZ", 0), ("ZZ1", 3), ("ZZ2", 3)]
    assert prov["totals"]["received_total"] == 6
    # A commune code covers all its versions.
    assert report("ZZ102")["totals"]["received_total"] == 3
    levels = report("ZZ", by="level")
    assert [(r["key"], r["label"], r["received_total"]) for r in levels["rows"]] == [
        ("district", "Cấp huyện", 2), ("commune", "Cấp xã", 4),
    ]


def test_by_field_and_procedure(tree, procedures):
    c1 = tree["c1"]
    due = at("2021-09-30T10:00")
    for proc, n in zip(procedures, (3, 2, 1), strict=True):
        for _ in range(n):
            make(c1, proc, at("2021-04-01T09:00"), due)
    fields = report(by="field")["rows"]
    assert [(r["key"], r["label"], r["received_total"]) for r in fields] == [
        ("", "Chưa xác định lĩnh vực", 1), ("DD", "Đất đai", 3), ("HT", "Hộ tịch", 2),
    ]
    procs = report(by="procedure")["rows"]
    assert [(r["key"], r["received_total"]) for r in procs] == [("1.000001", 3), ("1.000002", 2), ("1.000003", 1)]


def test_bad_input_raises_report_error(tree):
    with pytest.raises(ReportError, match="QQQ"):
        report("QQQ")
    with pytest.raises(ReportError, match="--from"):
        report(date_from=dt.date(2021, 9, 16))
    with pytest.raises(ReportError, match="--by"):
        report(by="evil")
    with pytest.raises(ReportError, match="--as-of"):
        report(as_of=at("2020-12-31T23:00"))


def _reference(dossiers: list[Dossier], start: dt.datetime, end: dt.datetime, t: dt.datetime) -> dict[str, int]:
    """An independent per-dossier count, using the pure clock's outcome rules."""
    c = dict.fromkeys(COUNT_KEYS, 0)
    for d in dossiers:
        if d.received_at is None or d.received_at > t:
            continue
        in_period = start <= d.received_at < end
        closed_before = (d.finished_at and d.finished_at < start) or (d.withdrawn_at and d.withdrawn_at < start)
        if not in_period and (d.received_at >= start or closed_before):
            continue
        c["received_total"] += 1
        key = {"online": "received_online", "postal": "received_postal"}.get(d.channel, "received_direct")
        c[key if in_period else "carried_over"] += 1
        if d.withdrawn_at and d.withdrawn_at <= t:
            c["withdrawn"] += 1
        elif d.finished_at and d.finished_at <= t:
            c["resolved_total"] += 1
            c["resolved_" + outcome_of(d.finished_at, d.due_at)] += 1
        else:
            c["in_progress_total"] += 1
            paused = d.paused_at is not None and d.paused_at <= t and d.paused_at <= d.due_at
            state = "within" if paused else in_progress_state(d.due_at, t)
            c["in_progress_" + state] += 1
    return c


def test_identities_and_agreement_with_a_per_dossier_count_on_random_data(tree, procedures):
    rng = random.Random(20210915)
    units = [tree[k] for k in ("d1", "c1", "b_old", "b_new", "d2")]
    base = at("2020-11-01T00:00")
    for _ in range(400):
        received = base + dt.timedelta(minutes=rng.randrange(0, 330 * 24 * 60))
        due = received + dt.timedelta(days=rng.randrange(0, 20), minutes=rng.randrange(0, 600))
        fields: dict[str, object] = {"channel": rng.choice(["counter", "online", "postal"])}
        roll = rng.random()
        if roll < 0.55:
            fields.update(finished_at=received + dt.timedelta(minutes=rng.randrange(1, 40 * 24 * 60)),
                          outcome=rng.choice(["approved", "refused", "stopped"]))
        elif roll < 0.65:
            fields.update(withdrawn_at=received + dt.timedelta(minutes=rng.randrange(1, 30 * 24 * 60)),
                          outcome="withdrawn")
        elif roll < 0.75:
            fields.update(paused_at=received + dt.timedelta(minutes=rng.randrange(1, 30 * 24 * 60)))
        make(rng.choice(units), rng.choice(procedures), received, due, **fields)
    everything = list(Dossier.objects.all())
    seen: dict[str, int] = dict.fromkeys(COUNT_KEYS, 0)
    for date_from, date_to, as_of in [
        (dt.date(2021, 1, 1), dt.date(2021, 9, 15), None),
        (dt.date(2021, 4, 1), dt.date(2021, 6, 30), at("2021-06-10T14:00")),
        (dt.date(2021, 2, 15), dt.date(2021, 2, 15), None),
    ]:
        for by in ("level", "child", "field", "procedure"):
            out = compute_form06("ZZ", date_from, date_to, as_of=as_of, by=by)
            for counts in [out["totals"], *out["rows"]]:
                assert (counts["received_online"] + counts["received_direct"] + counts["received_postal"]
                        + counts["carried_over"]) == counts["received_total"]
                assert counts["resolved_total"] + counts["in_progress_total"] + counts["withdrawn"] == counts[
                    "received_total"]
                assert counts["resolved_early"] + counts["resolved_on_time"] + counts["resolved_late"] == counts[
                    "resolved_total"]
                assert counts["in_progress_within"] + counts["in_progress_overdue"] == counts["in_progress_total"]
                assert all(counts[k] >= 0 for k in COUNT_KEYS)
                handled = counts["received_total"] - counts["withdrawn"]
                assert (counts["on_time_rate"] is None) if handled == 0 else 0.0 <= counts["on_time_rate"] <= 1.0
            assert {k: sum(r[k] for r in out["rows"]) for k in COUNT_KEYS} == {k: out["totals"][k] for k in COUNT_KEYS}
        start = dt.datetime.combine(date_from, dt.time.min, tzinfo=TZ)
        end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=TZ)
        t = as_of or end - dt.timedelta(microseconds=1)
        expected = _reference(everything, start, end, t)
        got = {k: out["totals"][k] for k in COUNT_KEYS}
        assert got == expected
        seen = {k: seen[k] + expected[k] for k in COUNT_KEYS}
    # The data exercises every column, so the agreement above means something.
    assert all(seen[k] > 0 for k in COUNT_KEYS), seen


def test_real_legacy_units_a_moved_commune_counts_where_it_was(procedures):
    """Seed 000: Minh Quang (02302) moved from Chiêm Hóa (073) to Lâm Bình (071) in 2021; each
    district keeps the dossiers received while the commune was its own (the units migration's data)."""
    before = AdministrativeUnit.objects.valid_on(dt.date(2021, 3, 1)).get(code="02302")
    after = AdministrativeUnit.objects.valid_on(dt.date(2021, 8, 1)).get(code="02302")
    assert before.pk != after.pk and before.parent.code == "073" and after.parent.code == "071"
    due = at("2021-09-30T10:00")
    make(before, procedures[0], at("2021-03-01T09:00"), due)
    make(before, procedures[0], at("2021-04-01T09:00"), due)
    make(after, procedures[0], at("2021-08-02T09:00"), due)
    chiem_hoa = report("073", by="child")
    lam_binh = report("071", by="child")
    assert chiem_hoa["unit"]["name"].endswith("Chiêm Hóa") and lam_binh["unit"]["name"].endswith("Lâm Bình")
    assert {r["key"]: r["received_total"] for r in chiem_hoa["rows"]}["02302"] == 2
    assert {r["key"]: r["received_total"] for r in lam_binh["rows"]}["02302"] == 1
    assert (chiem_hoa["totals"]["received_total"], lam_binh["totals"]["received_total"]) == (2, 1)
    province = report("08", by="child")
    assert province["totals"]["received_total"] == 3
    assert {r["key"]: r["received_total"] for r in province["rows"] if r["received_total"]} == {"073": 2, "071": 1}
    assert report("02302")["totals"]["received_total"] == 3


def test_imported_withdrawal_with_finished_at_is_withdrawn_not_resolved(tree, procedures):
    """import_dossiers stores a withdrawal as outcome withdrawn with finished_at (and withdrawn_at)."""
    p, c1 = procedures[0], tree["c1"]
    make(c1, p, at("2021-03-01T09:00"), at("2021-03-08T09:00"), finished_at=at("2021-03-03T09:00"),
         withdrawn_at=at("2021-03-03T09:00"), outcome="withdrawn", status="withdrawn", imported=True)
    make(c1, p, at("2021-03-01T09:00"), at("2021-03-08T09:00"), finished_at=at("2021-03-03T09:00"),
         outcome="withdrawn", status="withdrawn", imported=True)
    t = report()["totals"]
    assert (t["received_total"], t["withdrawn"], t["resolved_total"], t["in_progress_total"]) == (2, 2, 0, 0)
    assert t["on_time_rate"] is None  # nothing left to handle: no rate, never 100 %
