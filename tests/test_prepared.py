"""Reads compiled once per connection (``motcua.prepared``) give what the querysets give, and the
writer's conditional UPDATE and the hand-over's UPDATE write what the ORM would."""
from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierStep
from motcua.prepared import PreparedRead, update_row
from motcua.units.models import StaffRole
from tests.factories import at, make_procedure, make_world

pytestmark = pytest.mark.django_db


def _fields(obj: object) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


@pytest.fixture
def dossier() -> Dossier:
    world = make_world()
    return services.receive(procedure=make_procedure("T.009901"), unit=world.commune, agency=world.agency,
                            role="counter", at=at("2025-03-03 09:00"))


def test_a_prepared_read_gives_the_querysets_objects_with_their_related_rows(dossier: Dossier) -> None:
    read = PreparedRead(lambda pk: Dossier.objects.select_related("procedure", "unit").filter(pk=pk))
    expected = Dossier.objects.select_related("procedure", "unit").get(pk=dossier.pk)
    for _ in range(2):  # compiled at the first, reused at the second
        got = read.first(dossier.pk)
        assert _fields(got) == _fields(expected)
        assert got._state.adding is False and got._state.db == "default"
        with CaptureQueriesContext(connection) as q:
            assert got.procedure.code == expected.procedure.code and got.unit.code == expected.unit.code
        assert len(q.captured_queries) == 0  # the related rows came with it
    assert read.first(-1) is None


def test_a_prepared_read_runs_one_statement_and_keeps_the_querysets_order(dossier: Dossier) -> None:
    read = PreparedRead(lambda pk: DossierStep.objects.filter(dossier_id=pk).order_by("-order"))
    read.rows(dossier.pk)  # compiled
    with CaptureQueriesContext(connection) as q:
        got = read.rows(dossier.pk)
    assert len(q.captured_queries) == 1
    assert [s.pk for s in got] == list(DossierStep.objects.filter(dossier=dossier).order_by("-order")
                                       .values_list("pk", flat=True))
    assert len(got) >= 2


def test_a_queryset_with_other_parameters_is_run_as_it_is(dossier: Dossier) -> None:
    """Two parameters: not prepared (the second would be frozen), so each read builds its queryset."""
    read = PreparedRead(lambda pk: Dossier.objects.filter(pk=pk, status=dossier.status))
    assert read.first(dossier.pk).pk == dossier.pk
    compiled = connections["default"].__dict__["_motcua_prepared"][read]
    assert compiled.ok is False
    other = PreparedRead(lambda pk: Dossier.objects.filter(pk=pk, status="withdrawn"))
    assert other.first(dossier.pk) is None


def test_a_prepared_read_by_a_text_key(dossier: Dossier) -> None:
    read = PreparedRead(lambda code: Dossier.objects.filter(code=code).order_by("pk")[:1])
    assert read.first(dossier.code).pk == dossier.pk
    assert connections["default"].__dict__["_motcua_prepared"][read].ok is True
    assert read.first("KHONG-CO") is None


def test_a_prepared_read_by_two_keys(dossier: Dossier) -> None:
    """``keys=2``: each key in its place whatever order the SQL has them in (Django sorts a filter's
    arguments), compiled once; the rows are the queryset's."""
    by_pk_and_status = PreparedRead(lambda pk, status: Dossier.objects.filter(pk=pk, status=status).order_by(), keys=2)
    by_status_and_pk = PreparedRead(lambda status, pk: Dossier.objects.filter(status=status, id=pk).order_by(), keys=2)
    with CaptureQueriesContext(connection) as q:
        assert [d.pk for d in by_pk_and_status.rows((dossier.pk, dossier.status))] == [dossier.pk]
        assert [d.pk for d in by_status_and_pk.rows((dossier.status, dossier.pk))] == [dossier.pk]
        assert by_pk_and_status.rows((dossier.pk, "khac")) == by_pk_and_status.rows((-1, dossier.status)) == []
    assert len(q.captured_queries) == 4
    for read in (by_pk_and_status, by_status_and_pk):
        compiled = read._compiled(connection, "default")
        assert compiled.ok and sorted(compiled.order) == [0, 1]
    assert by_pk_and_status._compiled(connection, "default").order != by_status_and_pk._compiled(
        connection, "default").order  # the same SQL's parameters, taken from the keys in two orders


def test_update_row_changes_the_row_only_when_its_condition_holds(dossier: Dossier) -> None:
    when = at("2025-03-04 10:00")
    assert update_row(Dossier, dossier.pk, {"version": dossier.version + 5}, {"status": "withdrawn"},
                      using="default") == 0
    assert Dossier.objects.get(pk=dossier.pk).status == dossier.status
    assert update_row(Dossier, dossier.pk, {"version": dossier.version},
                      {"version": dossier.version + 1, "last_event_at": when, "assignee_id": None},
                      using="default") == 1
    stored = Dossier.objects.get(pk=dossier.pk)
    assert (stored.version, stored.last_event_at, stored.assignee_id) == (dossier.version + 1, when, None)


def test_update_row_with_insert_writes_both_or_tells_the_condition_failed(dossier: Dossier) -> None:
    """The writer's version bump, its event and the handler's other writes: one statement on PostgreSQL,
    one each elsewhere; the new row as the ORM reads it back, the updates as asked. When the condition
    fails it says so (0), and the caller's rollback leaves none of the rows."""
    from motcua.dossiers.models import DossierEvent
    from motcua.prepared import update_row_with_insert

    def event(seq: int) -> DossierEvent:
        return DossierEvent(dossier=dossier, seq=seq, action="note", at=at("2025-03-04 10:00"), actor=None,
                            actor_label="Cán bộ", from_status="received", to_status="received",
                            note="ghi chú", payload={"tài liệu": ["Đơn"], "n": seq})

    version = dossier.version
    new = event(version + 1)
    # with it, a write of another table (the hand-over's UPDATE of the steps)
    step = DossierStep.objects.get(dossier=dossier, order=1)
    also = [("UPDATE dossiers_dossierstep SET name = %s WHERE id = %s", ["Bước đã đổi", step.pk])]
    with CaptureQueriesContext(connection) as q:
        assert update_row_with_insert(Dossier, dossier.pk, {"version": version},
                                      {"version": version + 1, "last_event_at": new.at}, new, using="default",
                                      also=also) == 1
    assert len(q.captured_queries) == (1 if connection.vendor == "postgresql" else 3)
    assert DossierStep.objects.get(pk=step.pk).name == "Bước đã đổi"
    assert new.pk is not None and new._state.adding is False
    assert _fields(DossierEvent.objects.get(pk=new.pk)) == _fields(new)
    stored = Dossier.objects.get(pk=dossier.pk)
    assert (stored.version, stored.last_event_at) == (version + 1, new.at)

    stale = event(version + 2)

    class Refused(Exception):
        pass

    with pytest.raises(Refused), transaction.atomic():
        if update_row_with_insert(Dossier, dossier.pk, {"version": version}, {"version": version + 2}, stale,
                                  using="default") != 1:  # the version is no longer the one read
            raise Refused
    assert Dossier.objects.get(pk=dossier.pk).version == version + 1
    assert not DossierEvent.objects.filter(dossier=dossier, seq=version + 2).exists()


@pytest.mark.django_db(transaction=True)
def test_update_row_with_insert_sent_with_the_commit_refuses_a_stale_version_whole(pipelines) -> None:
    """In a block that sends its last writes with its COMMIT (``rollups.batched``, PostgreSQL), the writer's
    statement goes there: nothing sent before the block's end, then the statement and the COMMIT in one
    pipeline, the event's key set. A version that is no longer the one read fails the statement itself, so
    the block raises the caller's conflict and commits none of the rows (the event, the steps' write)."""
    from motcua.dossiers.models import DossierEvent
    from motcua.prepared import update_row_with_insert
    from motcua.reports import rollups
    from motcua.statemachine import Conflict

    world = make_world()
    dossier = services.receive(procedure=make_procedure("T.009908"), unit=world.commune, agency=world.agency,
                               role="counter", at=at("2025-03-03 09:00"))
    step = DossierStep.objects.get(dossier=dossier, order=1)

    def write(version: int, name: str, seq: int) -> DossierEvent:
        new = DossierEvent(dossier=dossier, seq=seq, action="note", at=at("2025-03-04 10:00"),
                           actor_label="Cán bộ", from_status="received", to_status="received", payload={})
        also = [("UPDATE dossiers_dossierstep SET name = %s WHERE id = %s", [name, step.pk])]
        updated = update_row_with_insert(Dossier, dossier.pk, {"version": version}, {"version": version + 1},
                                          new, using="default", also=also, conflict=lambda: Conflict("stale"))
        if connection.vendor == "postgresql":  # deferred: not sent yet
            assert updated is None and new.pk is None and DossierStep.objects.get(pk=step.pk).name != name
        elif updated != 1:
            raise Conflict("stale")
        return new

    version = dossier.version
    with CaptureQueriesContext(connection), rollups.batched():
        new = write(version, "Bước đã đổi", version + 1)
    if connection.vendor == "postgresql":
        *rows, commit = pipelines[-1]
        assert commit == "COMMIT" and len(rows) == 1 and rows[0].startswith("WITH also_0")
    assert DossierEvent.objects.get(pk=new.pk).seq == version + 1
    assert (Dossier.objects.get(pk=dossier.pk).version, DossierStep.objects.get(pk=step.pk).name) == (
        version + 1, "Bước đã đổi")

    with pytest.raises(Conflict), rollups.batched():
        write(version, "Bước cũ", version + 2)  # the version read before the first write: stale
    assert not connection.in_atomic_block
    assert Dossier.objects.get(pk=dossier.pk).version == version + 1
    assert DossierStep.objects.get(pk=step.pk).name == "Bước đã đổi"
    assert not DossierEvent.objects.filter(dossier=dossier, seq=version + 2).exists()
    with rollups.batched():  # the connection goes on
        write(version + 1, "Bước mới", version + 2)
    assert Dossier.objects.get(pk=dossier.pk).version == version + 2


def test_the_writers_locked_read_is_the_dossier_with_its_steps(dossier: Dossier) -> None:
    from motcua.dossiers.services import _WRITER

    with transaction.atomic():
        locked = _WRITER.read_locked(dossier.pk)
        with CaptureQueriesContext(connection) as q:
            steps = list(locked.steps.all())
            assert locked.procedure.pk == dossier.procedure_id and locked.unit.pk == dossier.unit_id
            assert all(s.dossier is locked for s in steps)
        assert len(q.captured_queries) == 0
        assert [_fields(s) for s in steps] == [_fields(s) for s in DossierStep.objects.filter(dossier=dossier)
                                               .order_by("order")]
        # filtering the prefetched steps still filters this dossier's steps only
        assert {s.dossier_id for s in locked.steps.filter(order__gte=1)} == {dossier.pk}
        with pytest.raises(Dossier.DoesNotExist):
            _WRITER.read_locked(-1)


def test_staff_roles_read_once_per_user_object() -> None:
    from django.contrib.auth import get_user_model

    from motcua.units.scoping import staff_roles

    world = make_world()
    user = get_user_model().objects.create_user("nhieu_vai_tro")
    StaffRole.objects.create(user=user, role="counter", agency=world.agency)
    StaffRole.objects.create(user=user, role="specialist", agency=world.agency)
    fresh = get_user_model().objects.get(pk=user.pk)
    roles = staff_roles(fresh)
    assert [r.role for r in roles] == ["counter", "specialist"]
    with CaptureQueriesContext(connection) as q:
        assert staff_roles(fresh) is roles and roles[0].agency.unit.pk == world.agency.unit_id
    assert len(q.captured_queries) == 0


def test_an_api_tokens_user_roles_are_read_with_the_token(pipelines) -> None:
    """Every request of an integration reads its token, then its user's staff roles: both are read together
    (one pipeline on PostgreSQL), and the roles are the user's own, with their related rows."""
    from django.contrib.auth import get_user_model

    from motcua.api.models import ApiToken
    from motcua.units.scoping import staff_roles

    world = make_world()
    user = get_user_model().objects.create_user("tich_hop")
    other = get_user_model().objects.create_user("nguoi_khac")
    StaffRole.objects.create(user=user, role="specialist", agency=world.agency)
    StaffRole.objects.create(user=user, role="counter", unit=world.commune)
    StaffRole.objects.create(user=other, role="counter", agency=world.agency)
    _token, key = ApiToken.issue(user=user, role="counter", name="Kiosk")
    with CaptureQueriesContext(connection):
        ApiToken.lookup(key)  # marks it used (an UPDATE at most once a minute)
    with CaptureQueriesContext(connection) as q:
        found = ApiToken.lookup(key)
        roles = staff_roles(found.user)
        assert [(r.role, r.unit_id and r.unit.code, r.agency_id and r.agency.unit.pk) for r in roles] == [
            ("specialist", None, world.agency.unit_id), ("counter", world.commune.code, None)]
    assert len(q.captured_queries) == 2  # the token and the roles, nothing after
    assert [r.pk for r in roles] == [r.pk for r in StaffRole.objects.filter(user=user).order_by("pk")]
    with CaptureQueriesContext(connection):
        assert ApiToken.lookup(key + "x") is None
    assert [len(sent) for sent in pipelines] == ([2, 2, 2] if connection.vendor == "postgresql" else [])


def test_insert_rows_writes_what_the_orm_reads_back_and_keeps_the_signals(dossier: Dossier) -> None:
    from django.db.models.signals import post_save

    from motcua.dossiers.models import DossierEvent
    from motcua.prepared import insert_rows

    event = DossierEvent(dossier=dossier, seq=99, action="hand_over", at=at("2025-03-04 10:00"), actor=None,
                         actor_label="Cán bộ", from_status="received", to_status="in_processing", step=2,
                         note="ghi chú", reason="", payload={"tài liệu": ["Đơn đề nghị"], "n": 2})
    insert_rows([event], using="default")
    assert event.pk is not None and event._state.adding is False
    assert _fields(DossierEvent.objects.get(pk=event.pk)) == _fields(event)
    several = [DossierEvent(dossier=dossier, seq=seq, action="note", at=at("2025-03-04 10:30"), note=f"ghi {seq}",
                            from_status="in_processing", to_status="in_processing", payload={"seq": seq})
               for seq in (97, 98)]
    insert_rows(several, using="default")  # one INSERT of two rows: each object gets its own row's key
    assert [_fields(DossierEvent.objects.get(pk=e.pk)) for e in several] == [_fields(e) for e in several]

    seen = []

    def heard(sender, instance, created, **kwargs):  # noqa: ANN001, ANN003, ANN202
        seen.append((instance.seq, created))

    post_save.connect(heard, sender=DossierEvent)
    try:
        insert_rows([DossierEvent(dossier=dossier, seq=100, action="note", at=at("2025-03-04 11:00"),
                                from_status="in_processing", to_status="in_processing", payload={})], using="default")
    finally:
        post_save.disconnect(heard, sender=DossierEvent)
    assert seen == [(100, True)]  # a model with a receiver is saved by Django, its signal sent


def test_the_agency_of_a_step_is_cached_and_follows_a_change_of_agencies() -> None:
    """A route step performed at the province's department: looked up in the database, then kept per
    process; an agency saved drops what was kept (and, inside a transaction, keeps nothing until it ends)."""
    from motcua.dossiers import steps
    from motcua.units.models import Agency

    world = make_world()
    first = Agency.objects.create(code="9-STP-B", name="Sở Tư pháp", kind="department", unit=world.province,
                                  level="province")
    d = services.receive(procedure=make_procedure("T.009902"), unit=world.commune, agency=world.agency,
                         role="counter", at=at("2025-03-03 09:00"))
    assert steps.step_agency_id(d, "province", "department") == first.pk
    assert steps.step_agency_id(d, "", "") == world.agency.pk
    second = Agency.objects.create(code="9-STP-A", name="Sở Tư pháp (mới)", kind="department",
                                   unit=world.province, level="province")
    assert steps.step_agency_id(d, "province", "department") == second.pk  # the change is seen at once

    # As in a process whose changes were committed: the second read comes from the cache.
    steps._step_agencies.forget_changes()
    steps.clear_step_agency_cache()
    with CaptureQueriesContext(connection) as q:
        assert steps.step_agency_id(d, "province", "department") == second.pk
    assert len(q.captured_queries) >= 1
    with CaptureQueriesContext(connection) as q:
        assert steps.step_agency_id(d, "province", "department") == second.pk
    assert len(q.captured_queries) == 0
    second.name = "Sở Tư pháp tỉnh"
    second.save()  # a signal drops the cache
    with CaptureQueriesContext(connection) as q:
        assert steps.step_agency_id(d, "province", "department") == second.pk
    assert len(q.captured_queries) >= 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared by the server: PostgreSQL")
def test_postgresql_prepares_a_statement_a_connection_runs_again(dossier: Dossier) -> None:
    """The settings' server-side binding: once a connection has run a statement the threshold's number
    of times, it is a prepared statement of that server session (parsed and planned once), and it still
    gives the same answer as the first run."""
    import os

    from django.conf import settings

    if os.environ.get("MOTCUA_PG_PREPARE") == "0" or os.environ.get("MOTCUA_PGBOUNCER") == "1":
        pytest.skip("prepared statements turned off on purpose (MOTCUA_PG_PREPARE=0 or MOTCUA_PGBOUNCER=1)")
    runs = settings.DATABASES["default"]["OPTIONS"]["prepare_threshold"] + 1
    seen, prepared_after = [], []
    for _ in range(runs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT code FROM dossiers_dossier WHERE id = %s /* prepared-test */", [dossier.pk])
            seen.append(cursor.fetchone()[0])
            cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
                           ["%/* prepared-test */%"])
            prepared_after.append(cursor.fetchone()[0])
    assert seen == [dossier.code] * runs
    assert prepared_after[0] == 0 and prepared_after[-1] == 1


def _comparable(value: object) -> object:
    """A prepared value as compared here: the driver's JSON wrapper by what it wraps."""
    return (type(value).__name__, value.obj) if hasattr(value, "obj") else (type(value).__name__, value)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_values_are_prepared_for_saving_as_django_prepares_them(dossier: Dossier) -> None:
    """The writer's own INSERT and UPDATE parameters (``prep_save``, ``_insert_params``) are Django's
    ``get_db_prep_save(pre_save(…))`` for every column of the rows a transition writes, whatever the value:
    the shortcut taken for a text column's str is the value Django would send."""
    from django.utils.translation import gettext_lazy
    from django_tasks_db.models import DBTaskResult

    from motcua.dossiers.models import DossierEvent
    from motcua.notifications.models import Notification
    from motcua.prepared import _insert_params, prep_save

    services.perform(dossier, "hand_over", role="counter", at=at("2025-03-03 10:00"))
    rows = [dossier, *dossier.steps.all(), *DossierEvent.objects.filter(dossier=dossier)]
    rows += [Notification(dossier=dossier, event_seq=1, kind="receipt", channel="sms", recipient="0912345678",
                          subject=gettext_lazy("Hồ sơ"), body="Đã tiếp nhận")]
    samples = [None, "", "Nguyễn Thị Ánh", "12", True, False, 0, 7, gettext_lazy("Hồ sơ"), at("2025-03-03 10:00"),
               dt.date(2025, 3, 3), {"a": [1]}, [1, 2]]
    for model in (Dossier, DossierStep, DossierEvent, Notification, DBTaskResult):
        for field in model._meta.concrete_fields:
            for value in samples:
                try:
                    expected = _comparable(field.get_db_prep_save(value, connection))
                except Exception as exc:  # noqa: BLE001 - then ours raises the same
                    with pytest.raises(type(exc)):
                        prep_save(field, value, connection)
                    continue
                assert _comparable(prep_save(field, value, connection)) == expected, (field, value)
    for obj in rows:
        fields = [f for f in type(obj)._meta.concrete_fields
                  if not getattr(f, "auto_now", False) and not getattr(f, "auto_now_add", False)]
        ours = [_comparable(v) for v in _insert_params([obj], fields, connection)]
        assert ours == [_comparable(f.get_db_prep_save(f.pre_save(obj, True), connection)) for f in fields]


def test_rows_of_several_models_written_together_as_each_alone_or_none(dossier: Dossier, pipelines) -> None:
    """``insert_rows_together``: on PostgreSQL the INSERTs go in one pipeline (one round trip); whatever the
    database each row is what the ORM reads back, each object gets its key, and a group that fails (here
    an event's seq already taken) fails the whole: its transaction keeps none of the rows."""
    from django.db import IntegrityError

    from motcua.dossiers.models import Document, DossierEvent
    from motcua.prepared import insert_rows_together

    def event(seq: int) -> DossierEvent:
        return DossierEvent(dossier=dossier, seq=seq, action="note", at=at("2025-03-04 10:00"), note=f"ghi {seq}",
                            from_status="received", to_status="received", payload={"seq": seq})

    documents = [Document(dossier=dossier, name=name, paper=True) for name in ("Đơn", "Bản sao")]
    events = [event(50), event(51)]
    with CaptureQueriesContext(connection):
        insert_rows_together([documents, [], events], "default")
    assert [_fields(Document.objects.get(pk=d.pk)) for d in documents] == [_fields(d) for d in documents]
    assert [_fields(DossierEvent.objects.get(pk=e.pk)) for e in events] == [_fields(e) for e in events]
    assert [len(sent) for sent in pipelines] == ([2] if connection.vendor == "postgresql" else [])
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows_together([[Document(dossier=dossier, name="Thêm", paper=True)], [event(52), event(50)]],
                             "default")
    assert not Document.objects.filter(name="Thêm").exists()
    assert not DossierEvent.objects.filter(dossier=dossier, seq=52).exists()


def test_reads_sent_together_give_what_each_gives_alone(dossier: Dossier, pipelines) -> None:
    """``rows_together``: on PostgreSQL the reads go in one pipeline of the driver (one round trip); on any
    database each answer is the read's own, an empty one included, and the objects are the querysets'."""
    from motcua.prepared import rows_together

    lock = PreparedRead(lambda pk: Dossier.objects.select_related("unit").filter(pk=pk))
    steps = PreparedRead(lambda pk: DossierStep.objects.filter(dossier_id=pk).order_by("order"))
    for key in (dossier.pk, -1):
        with CaptureQueriesContext(connection):
            together = rows_together([(lock, key), (steps, key)], "default")
        assert [[_fields(o) for o in found] for found in together] == [
            [_fields(o) for o in Dossier.objects.filter(pk=key)],
            [_fields(o) for o in DossierStep.objects.filter(dossier_id=key).order_by("order")]]
    with CaptureQueriesContext(connection):
        assert [s.order for s in rows_together([(steps, dossier.pk), (lock, dossier.pk)], "default")[0]] == [1, 2, 3]
    assert [len(sent) for sent in pipelines] == ([2, 2, 2] if connection.vendor == "postgresql" else [])


@pytest.mark.django_db(transaction=True)
def test_a_transaction_begins_with_its_first_statements_and_ends_whole() -> None:
    """Outside any transaction (as a request's), on PostgreSQL: a transition's BEGIN goes with its reads, a
    receipt's with its first INSERT, each one round trip (counted as bench/transitions.py counts them: the
    driver's waits for an answer). A transition refused after those reads rolls back and leaves the
    connection usable; a receipt whose first INSERT fails leaves nothing."""
    if connection.vendor != "postgresql":
        pytest.skip("the driver's pipeline mode: PostgreSQL")
    from django.db import IntegrityError

    from bench.exchanges import counting_exchanges
    from motcua.dossiers.models import DossierEvent
    from motcua.statemachine.errors import NotAllowed

    world = make_world()
    procedure = make_procedure("T.009907")

    def receive(**extra: object) -> Dossier:
        return services.receive(procedure=procedure, unit=world.commune, agency=world.agency, role="counter",
                                at=at("2025-03-03 09:00"), **extra)

    receive()  # the first reads the unit's calendar and the route into the process's caches
    with counting_exchanges() as trips:
        d = receive()
    # The code drawn apart with the dossier's key, then the BEGIN, the dossier, its steps and its event with
    # the counters and the COMMIT.
    assert trips[0] == 2
    with counting_exchanges() as trips:
        services.perform(d.pk, "hand_over", role="counter", at=at("2025-03-03 10:00"))
    assert trips[0] == 2  # the BEGIN with the locked row and its steps; the write with the COMMIT
    with pytest.raises(NotAllowed):
        services.perform(d.pk, "return", role="counter", at=at("2025-03-03 10:30"))  # not resolved yet
    assert not connection.in_atomic_block and connection.connection.info.transaction_status == 0  # idle
    assert DossierEvent.objects.filter(dossier=d).count() == 2
    receive(idempotency_key="k-1")
    with pytest.raises(IntegrityError):  # the key taken: the first INSERT, sent with the BEGIN, fails
        receive(idempotency_key="k-1", key_looked_up=True)
    assert Dossier.objects.filter(idempotency_key="k-1").count() == 1
    services.perform(d.pk, "hand_over", role="specialist", at=at("2025-03-03 11:00"))
    assert DossierEvent.objects.filter(dossier=d).count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_change_rolled_back_leaves_the_process_cache_serving() -> None:
    """A route changed inside a transaction: that transaction reads the route afresh (its own change), and
    once it has ended, rolled back here, the cache serves every later transaction again (it stayed off
    for transactions until a read outside any, which a transition never makes)."""
    from django.db import transaction

    from motcua.catalog import routes

    procedure = make_procedure("T.009908")
    routes.clear_route_cache()
    with transaction.atomic():
        assert len(routes.route(procedure)) == 3  # read once, kept
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        procedure.steps.filter(order=3).delete()
        first = procedure.steps.get(order=1)
        first.save()  # the cache dropped, and off for this transaction
        assert len(routes.route(procedure)) == 2  # its own change, read afresh
        1 / 0  # noqa: B018 - rolled back
    for _ in range(2):
        with transaction.atomic(), CaptureQueriesContext(connection) as q:
            assert len(routes.route(procedure)) == 3
    assert len(q.captured_queries) == 0  # the second transaction served from the cache
