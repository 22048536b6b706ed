"""The lifecycle mechanism is reusable: a second, tiny lifecycle declared here runs on it.

An inspection's recommendation (kiến nghị) is followed until it is closed: the unit it is addressed
to starts on it and reports it done with evidence; the inspector accepts the report (closed) or
sends it back with a reason. Its models live in this module (their tables are made for the tests);
everything else — the table, the decision function, the one writer, typed events, the optimistic
version, the row lock — is ``motcua.statemachine``, as the dossiers use it.
"""
from __future__ import annotations

import datetime as dt
import threading
from enum import StrEnum

import pytest
from django.conf import settings
from django.db import connection, models

from motcua.statemachine import Conflict, Forbidden, InvalidInput, Lifecycle, NotAllowed, Transition
from motcua.statemachine.writer import Change, Writer


class St(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    REPORTED = "reported"
    CLOSED = "closed"


class Act(StrEnum):
    START = "start"
    REPORT = "report"
    ACCEPT = "accept"
    SEND_BACK = "send_back"


class Recommendation(models.Model):
    text = models.CharField(max_length=200)
    status = models.CharField(max_length=20, default=St.OPEN)
    evidence = models.PositiveIntegerField(default=0)
    closed_at = models.DateTimeField(null=True)
    version = models.PositiveIntegerField(default=1)
    last_event_at = models.DateTimeField(null=True)

    class Meta:
        app_label = "toy_lifecycle"

    def __str__(self) -> str:
        return self.text


class RecommendationEvent(models.Model):
    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    action = models.CharField(max_length=20, choices=[(a.value, a.value) for a in Act])
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, db_constraint=False)
    from_status = models.CharField(max_length=20)
    to_status = models.CharField(max_length=20)
    payload = models.JSONField(default=dict)

    class Meta:
        app_label = "toy_lifecycle"
        constraints = [models.UniqueConstraint(fields=["recommendation", "seq"], name="toy_event_seq_unique")]

    def __str__(self) -> str:
        return f"{self.recommendation_id}#{self.seq} {self.action}"


def _has_evidence(r: Recommendation, at: dt.datetime) -> str | None:
    return None if r.evidence > 0 else "Chưa có tài liệu chứng minh đã thực hiện."


RECOMMENDATIONS = Lifecycle(
    name="recommendation",
    table={
        St.OPEN: {Act.START: Transition(St.IN_PROGRESS, frozenset({"owner"}))},
        St.IN_PROGRESS: {Act.REPORT: Transition(St.REPORTED, frozenset({"owner"}), required=("note",))},
        St.REPORTED: {
            Act.ACCEPT: Transition(St.CLOSED, frozenset({"inspector"})),
            Act.SEND_BACK: Transition(St.IN_PROGRESS, frozenset({"inspector"}), required=("reason",)),
        },
        St.CLOSED: {},
    },
    conditions={Act.ACCEPT: [_has_evidence]},
)


def _report(r: Recommendation, c: Change) -> None:
    r.evidence += 1
    c.payload["note"] = c.get("note")


def _accept(r: Recommendation, c: Change) -> None:
    r.closed_at = c.at


class RecommendationWriter(Writer):
    model = Recommendation
    event_model = RecommendationEvent
    subject_field = "recommendation"
    lifecycle = RECOMMENDATIONS
    handlers = {Act.REPORT: _report, Act.ACCEPT: _accept}  # noqa: RUF012 - a class-level table
    state_fields = ("evidence", "closed_at")

    def prepare(self, r: Recommendation, change: Change) -> None:
        change.payload.update(role=change.role, reason=change.get("reason", ""))


WRITER = RecommendationWriter()


@pytest.fixture(scope="module")
def toy_tables(django_db_setup, django_db_blocker):  # noqa: ANN001, ANN201
    with django_db_blocker.unblock():
        with connection.schema_editor() as editor:
            editor.create_model(Recommendation)
            editor.create_model(RecommendationEvent)
        yield
        connection.close()
        with connection.schema_editor() as editor:
            editor.delete_model(RecommendationEvent)
            editor.delete_model(Recommendation)


@pytest.fixture
def rec(toy_tables, django_db_blocker) -> Recommendation:  # noqa: ANN001
    with django_db_blocker.unblock():
        return Recommendation.objects.create(text="Niêm yết công khai thủ tục hành chính tại Bộ phận Một cửa")


@pytest.mark.django_db
def test_the_toy_lifecycle_decides_writes_and_records_typed_events(rec: Recommendation) -> None:
    assert [o.action for o in RECOMMENDATIONS.available(rec, ["owner"], dt.datetime.now(dt.UTC))] == [Act.START]
    assert RECOMMENDATIONS.available(rec, ["inspector"], dt.datetime.now(dt.UTC)) == []
    with pytest.raises(Forbidden):
        WRITER.perform(rec, Act.START, roles=["inspector"])
    WRITER.perform(rec, Act.START, roles=["owner"])
    with pytest.raises(InvalidInput, match="note"):
        WRITER.perform(rec, Act.REPORT, roles=["owner"])
    r = WRITER.perform(rec, Act.REPORT, roles=["owner"], inputs={"note": "Đã niêm yết ngày 3/12"})
    assert (r.status, r.evidence, r.version) == (St.REPORTED, 1, 3)
    with pytest.raises(Conflict):
        WRITER.perform(rec, Act.ACCEPT, roles=["inspector"], expected_version=2)
    with pytest.raises(NotAllowed):
        WRITER.perform(rec, Act.START, roles=["owner"])
    r = WRITER.perform(rec, Act.ACCEPT, roles=["inspector"], expected_version=3)
    assert r.status == St.CLOSED and r.closed_at is not None
    events = list(RecommendationEvent.objects.filter(recommendation=rec).order_by("seq"))
    assert [(e.seq, e.action, e.from_status, e.to_status) for e in events] == [
        (2, "start", "open", "in_progress"), (3, "report", "in_progress", "reported"),
        (4, "accept", "reported", "closed"),
    ]
    assert events[1].payload["note"] == "Đã niêm yết ngày 3/12" and events[2].payload["role"] == "inspector"


@pytest.mark.django_db
def test_a_condition_of_the_toy_table_refuses_and_changes_nothing(rec: Recommendation) -> None:
    Recommendation.objects.filter(pk=rec.pk).update(status=St.REPORTED)  # reported, but no evidence
    with pytest.raises(NotAllowed, match="chứng minh"):
        WRITER.perform(rec, Act.ACCEPT, roles=["inspector"])
    rec.refresh_from_db()
    assert (rec.status, rec.version) == (St.REPORTED, 1)
    assert not RecommendationEvent.objects.filter(recommendation=rec).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_toy_lifecycle_under_concurrency_on_postgres(toy_tables) -> None:  # noqa: ANN001
    """Inspectors accept and send back the same reports at once: one winner per recommendation,
    every event contiguous; other recommendations are written meanwhile without waiting on them."""
    assert connection.vendor == "postgresql"
    recs = [Recommendation.objects.create(text=f"Kiến nghị {i}", status=St.REPORTED, evidence=1, version=1)
            for i in range(6)]
    plan = [(r.pk, act) for r in recs for act in (Act.ACCEPT, Act.SEND_BACK, Act.ACCEPT)]
    barrier = threading.Barrier(len(plan))
    outcomes: list[tuple[int, str, str]] = []
    lock = threading.Lock()

    def worker(pk: int, act: Act) -> None:
        try:
            barrier.wait(timeout=30)
            try:
                WRITER.perform(pk, act, roles=["inspector"], inputs={"reason": "Chưa đủ"} if act == Act.SEND_BACK
                               else {})
                outcome = "ok"
            except (NotAllowed, Conflict) as exc:
                outcome = type(exc).__name__
            with lock:
                outcomes.append((pk, act, outcome))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=item) for item in plan]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(outcomes) == len(plan)
    for r in recs:
        won = [a for pk, a, o in outcomes if pk == r.pk and o == "ok"]
        assert len(won) == 1, outcomes
        r.refresh_from_db()
        assert r.version == 2 and r.status == (St.CLOSED if won[0] == Act.ACCEPT else St.IN_PROGRESS)
        events = list(RecommendationEvent.objects.filter(recommendation=r).values_list("seq", "action"))
        assert events == [(2, won[0])]
    RecommendationEvent.objects.all().delete()
    Recommendation.objects.all().delete()
