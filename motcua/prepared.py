"""Reads of a fixed shape, compiled to SQL once per database connection and run with another key.

The writer reads the same rows the same way on every transition (the object's row locked, with its
``select_related`` rows; its prefetched children). Building that SQL from the queryset is most of the
Python a transition spends on those reads; the SQL itself is the same each time but for the key. A
``PreparedRead`` compiles the queryset once per connection (a sentinel key in the one parameter it
has), keeps Django's own compiler with it (its columns, its converters, its related rows), and turns
each row into objects exactly as a queryset would (``Model.from_db``, the related populators).

A queryset whose compiled SQL does not carry the key as its only parameter is not prepared: it is
run as it is, every time.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import functools
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections, models, router
from django.db.models.query import get_related_populators

from motcua import last_writes
from motcua.corked import corked
from motcua.kept_cursors import kept_cursor

Write = tuple[str, list]  # a statement whose result nobody reads, and its parameters

SENTINEL = -7_306_119_512  # a key no row has; found again among the compiled parameters
SENTINELS = (SENTINEL, SENTINEL - 1)  # for a read by two keys, in their order


class _Compiled:
    def __init__(self, qs: models.QuerySet, connection: Any, sentinels: tuple[int, ...]) -> None:
        self.compiler = qs.query.get_compiler(using=qs.db, connection=connection)
        self.sql, params = self.compiler.as_sql()
        # each key one parameter (a number or a text), in the order the SQL has them (Django sorts a filter's)
        self.order = [next((i for i, k in enumerate(sentinels) if p in (k, str(k))), -1) for p in params]
        self.ok = sorted(self.order) == list(range(len(sentinels)))
        if not self.ok:
            return
        compiler = self.compiler
        select, klass_info = compiler.select, compiler.klass_info
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [f[0].target.attname for f in select[self.start:self.end]]
        self.populators = get_related_populators(klass_info, select, qs.db)
        self.converters = compiler.get_converters([s[0] for s in select[: compiler.col_count]])
        self.model = klass_info["model"]


class PreparedRead:
    """``build(key)`` → the queryset; ``rows(key, using)`` → its objects, compiled once per connection.
    With ``keys=2``, ``build(a, b)`` and ``rows((a, b))``: a read by two keys."""

    def __init__(self, build: Callable[..., models.QuerySet], keys: int = 1) -> None:
        self.build = build  # called first at the first read (never at import: the models may not be ready)
        self._model: type[models.Model] | None = None
        if not 1 <= keys <= len(SENTINELS):
            raise ValueError(f"a prepared read has 1 to {len(SENTINELS)} keys, not {keys}")
        self.sentinels = SENTINELS[:keys]

    def params(self, key: Any) -> list[Any]:
        return list(key) if len(self.sentinels) > 1 else [key]

    @property
    def model(self) -> type[models.Model]:
        if self._model is None:
            self._model = self.build(*self.sentinels).model
        return self._model

    def first(self, key: Any, using: str | None = None) -> Any:
        """The first object for ``key``, or None (``build`` orders it and takes one row)."""
        found = self.rows(key, using)
        return found[0] if found else None

    def rows(self, key: Any, using: str | None = None) -> list[Any]:
        """The objects for ``key``; ``using``: the database (by default the router's for reading)."""
        return rows_together([(self, key)], using or router.db_for_read(self.model) or "default")[0]

    def _compiled(self, connection: Any, using: str) -> _Compiled:
        cache = connection.__dict__.setdefault("_motcua_prepared", {})
        compiled = cache.get(self)  # by the object itself (an id() may be reused once it is gone)
        if compiled is None:
            compiled = cache[self] = _Compiled(self.build(*self.sentinels).using(using), connection, self.sentinels)
        return compiled


def rows_together(reads: Sequence[tuple[PreparedRead, Any]], using: str) -> list[list[Any]]:
    """``read.rows(key, using)`` for each of ``reads``. On PostgreSQL, two or more are sent together and
    answered together (the driver's pipeline mode): one round trip for them all."""
    connection = connections[using]
    compiled = [read._compiled(connection, using) for read, _key in reads]
    out: list[list[Any] | None] = [None] * len(reads)
    ready = []
    for i, ((read, key), c) in enumerate(zip(reads, compiled, strict=True)):
        if c.ok:
            ready.append(i)
        else:
            out[i] = list(read.build(*read.params(key)).using(using))
    if ready:
        with contextlib.ExitStack() as stack:
            cursors = [stack.enter_context(kept_cursor(connection, compiled[i].sql)) for i in ready]
            with _pipelined(connection, many=len(ready) > 1):
                for i, cursor in zip(ready, cursors, strict=True):
                    keys = reads[i][0].params(reads[i][1])
                    cursor.execute(compiled[i].sql, [keys[k] for k in compiled[i].order])
            for i, cursor in zip(ready, cursors, strict=True):
                out[i] = _objects(compiled[i], using, cursor.fetchall())
    return out  # type: ignore[return-value]


def _pipelined(connection: Any, many: bool) -> contextlib.AbstractContextManager[Any]:
    """On PostgreSQL, for ``many`` statements or the first of a transaction (``transaction.atomic`` has not
    sent its BEGIN yet): the driver's pipeline mode, the BEGIN sent in it (``_begin``), the statements
    executed inside sent together, their answers fetched together at its end; elsewhere nothing."""
    if connection.vendor != "postgresql":
        return contextlib.nullcontext()
    from psycopg import pq

    pg = connection.connection
    first = not pg.autocommit and pg.pgconn.transaction_status == pq.TransactionStatus.IDLE
    if not (many or first):
        return contextlib.nullcontext()
    with contextlib.ExitStack() as stack:  # what is entered is exited if the BEGIN fails
        stack.enter_context(connection.wrap_database_errors)
        pipeline = stack.enter_context(pg.pipeline())
        stack.enter_context(corked(pg))  # its statements in one segment, then its Sync
        if first:
            _begin(pg, pipeline)
        return stack.pop_all()


def _begin(pg: Any, pipeline: Any) -> None:
    """The BEGIN of a transaction not begun yet, sent in ``pipeline`` with the statements that follow it and
    answered with them (the driver would send it alone and wait for its answer: one round trip more). It
    is queued as the driver queues a command in pipeline mode (psycopg 3.3, pinned;
    ``tests/test_prepared.py`` counts the round trips): once it has gone, the connection is busy and the
    driver adds no BEGIN of its own."""
    pipeline.command_queue.append(functools.partial(pg.pgconn.send_query_params, b"BEGIN", None))
    pipeline.result_queue.append(None)
    pg.wait(pipeline._communicate_gen())


def _objects(compiled: _Compiled, using: str, found: list) -> list[Any]:
    """The rows as the queryset makes its objects (``Model.from_db``, the related populators)."""
    if compiled.converters:
        found = list(compiled.compiler.apply_converters(found, compiled.converters))
    out = []
    for row in found:
        obj = compiled.model.from_db(using, compiled.init_list, row[compiled.start:compiled.end])
        for populator in compiled.populators:
            populator.populate(row, obj)
        out.append(obj)
    return out


def _update_sql(model: type[models.Model], values: tuple[str, ...], where: tuple[str, ...],
                connection: Any) -> tuple[str, list, list]:
    """``UPDATE <table> SET <values> WHERE pk = %s AND <where>``, its fields to prepare the values with;
    kept per connection for the same fields."""
    shape = (model, values, where)
    cache = connection.__dict__.setdefault("_motcua_updates", {})
    if shape not in cache:
        meta, quote = model._meta, connection.ops.quote_name
        setting, matching = [meta.get_field(n) for n in values], [meta.pk, *(meta.get_field(n) for n in where)]
        sets = ", ".join(f"{quote(f.column)} = %s" for f in setting)
        conditions = " AND ".join(f"{quote(f.column)} = %s" for f in matching)
        cache[shape] = (f"UPDATE {quote(meta.db_table)} SET {sets} WHERE {conditions}", setting, matching)
    return cache[shape]


def _update_params(setting: list, matching: list, pk: Any, where: dict[str, Any], values: dict[str, Any],
                   connection: Any) -> list:
    params = [prep_save(f, v, connection) for f, v in zip(setting, values.values(), strict=True)]
    params += [f.get_db_prep_value(v, connection) for f, v in zip(matching, [pk, *where.values()], strict=True)]
    return params


def update_row(model: type[models.Model], pk: Any, where: dict[str, Any], values: dict[str, Any],
               using: str) -> int:
    """``UPDATE <table> SET <values> WHERE pk = <pk> AND <where>``, each value prepared as its field saves
    it; the SQL text kept per connection for the same fields. Returns the number of rows changed."""
    connection = connections[using]
    sql, setting, matching = _update_sql(model, tuple(values), tuple(where), connection)
    with kept_cursor(connection, sql) as cursor:
        cursor.execute(sql, _update_params(setting, matching, pk, where, values, connection))
        return cursor.rowcount


def update_row_with_insert(model: type[models.Model], pk: Any, where: dict[str, Any], values: dict[str, Any],
                           new: models.Model, using: str, also: Sequence[Write] = (),
                           conflict: Callable[[], Exception] | None = None) -> int | None:
    """``update_row`` and ``insert_rows([new])`` in one statement on PostgreSQL (the INSERT in a WITH, the
    new row's key returned by the UPDATE), with the writes ``also`` given (each a WITH of its own, so each
    statement must write another table than the UPDATE's and read nothing the others write); elsewhere,
    or when ``new``'s model has save signals, as separate statements, ``also`` first.
    Returns the number of rows updated. When it is 0 the other rows may have been written all the same:
    the caller raises, inside its transaction, so that all are rolled back (the writer's conflict).

    With ``conflict``, where ``last_writes`` can defer it (a ``rollups.batched`` block, PostgreSQL), the
    statement is sent with the block's end instead, and None is returned: its UPDATE matching no row then
    fails the statement itself — it returns the new key divided by the number of rows updated, a division
    by zero when none was — so that nothing of the block is committed, and the block raises ``conflict()``.
    ``new`` gets its key at the block's end."""
    connection = connections[using]
    if connection.vendor != "postgresql" or _has_save_signals(type(new)):
        with connection.cursor() as cursor:
            for sql, params in also:
                cursor.execute(sql, params)
        updated = update_row(model, pk, where, values, using)
        if updated:
            insert_rows([new], using)
        return updated
    last = conflict is not None and last_writes.can_defer(using)
    shape = ("with_insert", model, tuple(values), tuple(where), type(new), tuple(sql for sql, _ in also), last)
    cache = connection.__dict__.setdefault("_motcua_updates", {})
    if shape not in cache:
        insert, fields = _insert_sql(type(new), 1, connection)
        update, setting, matching = _update_sql(model, tuple(values), tuple(where), connection)
        pk_column = connection.ops.quote_name(type(new)._meta.pk.column)
        withs = [f"also_{i} AS ({sql})" for i, (sql, _) in enumerate(also)] + [f"new_row AS ({insert})"]
        main = (f"{update} RETURNING (SELECT {pk_column} FROM new_row)" if not last else
                f"SELECT (SELECT {pk_column} FROM new_row) / (SELECT count(*) FROM updated)::integer")
        if last:
            withs.append(f"updated AS ({update} RETURNING 1)")
        cache[shape] = (f"WITH {', '.join(withs)} {main}", fields, setting, matching)
    sql, fields, setting, matching = cache[shape]
    params = [p for _, ps in also for p in ps] + _insert_params([new], fields, connection)
    params += _update_params(setting, matching, pk, where, values, connection)
    if last:
        assert conflict is not None
        last_writes.defer(using, sql, params, lambda rows: _set_keys([new], [rows[0][0]], using, connection),
                          lambda exc: conflict() if getattr(exc.__cause__, "sqlstate", None) == "22012" else None)
        return None  # 22012: division by zero, the UPDATE matched no row
    with kept_cursor(connection, sql) as cursor:
        cursor.execute(sql, params)
        keys = [row[0] for row in cursor.fetchall()]
    if keys:
        _set_keys([new], keys, using, connection)
    return len(keys)


def returned(model: type[models.Model], sql: str, params: Sequence[Any], using: str) -> list[models.Model]:
    """``<sql> RETURNING <every column of model>`` (an UPDATE's), run; the rows given back as objects made as a
    queryset makes them: the columns, converters and ``Model.from_db`` of ``model``'s plain queryset, compiled
    once per connection (as a ``PreparedRead``'s)."""
    connection = connections[using]
    cache = connection.__dict__.setdefault("_motcua_returning", {})
    if model not in cache:
        compiled = _Compiled(model._base_manager.using(using).all(), connection, ())
        columns = [col.target.column for col, *_ in compiled.compiler.select[compiled.start:compiled.end]]
        cache[model] = (" RETURNING " + ", ".join(connection.ops.quote_name(c) for c in columns), compiled)
    clause, compiled = cache[model]
    with kept_cursor(connection, (model, sql)) as cursor:
        cursor.execute(sql + clause, list(params))
        return _objects(compiled, using, cursor.fetchall())


def _has_save_signals(model: type[models.Model]) -> bool:
    return models.signals.pre_save.has_listeners(model) or models.signals.post_save.has_listeners(model)


def _insert_sql(model: type[models.Model], count: int, connection: Any, keyed: bool = False) -> tuple[str, list]:
    """``INSERT INTO <table> (<every column but the key>) VALUES <count rows> RETURNING <key>``, kept per
    connection for that model and number of rows; ``keyed``: the key's column too (keys drawn already)."""
    cache = connection.__dict__.setdefault("_motcua_inserts", {})
    shape = (model, count, keyed)
    if shape not in cache:
        meta, quote = model._meta, connection.ops.quote_name
        fields = [f for f in meta.concrete_fields if keyed or f is not meta.auto_field]  # the key: the database's
        row = f"({', '.join(['%s'] * len(fields))})"
        cache[shape] = (f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
                        f"VALUES {', '.join([row] * count)} RETURNING {quote(meta.pk.column)}", fields)
    return cache[shape]


# Values Django's get_db_prep_save gives back unchanged, sent as they are without its chain of calls (exact
# field classes only: a subclass may convert; tests/test_prepared.py holds every rule to Django's):
# a text column's str or None (get_prep_value is to_python, which returns a str as it is; no backend
# adapts text); None in a date, number or foreign-key column (each backend's adapt_* gives None back);
# on PostgreSQL, an aware datetime (its adapt_datetimefield_value is the identity; SQLite's makes a str).
_TEXT_FIELDS = frozenset((models.CharField, models.TextField, models.EmailField))
_NONE_FIELDS = _TEXT_FIELDS | {models.DateTimeField, models.DateField, models.ForeignKey, models.IntegerField,
                               models.PositiveIntegerField, models.PositiveSmallIntegerField,
                               models.SmallIntegerField, models.BigIntegerField}
_MISSING = object()


def _as_is(field: models.Field, value: Any, connection: Any) -> bool:
    kind = type(field)
    if value is None:
        return kind in _NONE_FIELDS
    if type(value) is str:
        return kind in _TEXT_FIELDS
    return (kind is models.DateTimeField and type(value) is dt.datetime and value.tzinfo is not None
            and connection.vendor == "postgresql")


def prep_save(field: models.Field, value: Any, connection: Any) -> Any:
    """``field.get_db_prep_save(value, connection)``, without its calls where it gives the value back."""
    return value if _as_is(field, value, connection) else field.get_db_prep_save(value, connection)


def _insert_params(objs: list[models.Model], fields: list, connection: Any) -> list:
    """Each field's value as ``save()`` sends it: ``get_db_prep_save(pre_save(obj, True))``, with the value read
    from the object's dict where the field's pre_save is the plain one (it reads the attribute)."""
    plan = [(f, f.attname, type(f).pre_save is models.Field.pre_save) for f in fields]
    params = []
    for obj in objs:
        known = obj.__dict__
        for field, attname, plain in plan:
            value = known.get(attname, _MISSING) if plain else field.pre_save(obj, True)
            if value is _MISSING:
                value = field.pre_save(obj, True)
            params.append(value if _as_is(field, value, connection) else field.get_db_prep_save(value, connection))
    return params


def _set_keys(objs: list[models.Model], keys: list, using: str, connection: Any) -> None:
    pk_field = objs[0]._meta.pk
    converters = pk_field.get_db_converters(connection)
    for obj, pk in zip(objs, keys, strict=True):
        for converter in converters:
            pk = converter(pk, pk_field, connection)
        obj.pk = pk
        obj._state.adding, obj._state.db = False, using


def insert_rows(objs: list[models.Model], using: str, *, signals: bool = True) -> None:
    """New rows of one model as ``save()`` would write each, in one INSERT whose SQL text is kept per
    connection for that model and number of rows: the values prepared as the fields save them, the new
    keys read back. A model with pre_save or post_save receivers is saved by Django, signals and all,
    unless ``signals=False``: the caller has done what the receivers would (and a test holds it)."""
    if not objs:
        return
    connection = connections[using]
    if (signals and _has_save_signals(type(objs[0]))) or not connection.features.can_return_columns_from_insert:
        for obj in objs:
            obj.save(using=using)
        return
    _insert(connection, [objs], using)


def insert_rows_together(groups: Sequence[list[models.Model]], using: str) -> None:
    """``insert_rows`` of each group (rows of one model each). On PostgreSQL the INSERTs are sent together
    and answered together (the driver's pipeline mode): one round trip for them all."""
    groups = [objs for objs in groups if objs]
    connection = connections[using]
    if (len(groups) < 2 or connection.vendor != "postgresql"
            or any(_has_save_signals(type(objs[0])) for objs in groups)):
        for objs in groups:
            insert_rows(objs, using)
        return
    _insert(connection, groups, using)


def insert_rows_last(groups: Sequence[list[models.Model]], using: str,
                     refused: last_writes.Refusal | None = None) -> None:
    """``insert_rows_together``, sent with the end of the transaction when it can be (``motcua.last_writes``:
    inside a ``rollups.batched`` block, on PostgreSQL): one round trip fewer. For rows nothing reads before
    the commit; each object gets its key when the INSERTs have been answered, at the block's end.
    ``refused``: the error to raise when the block's end fails by one of these rows (``last_writes``)."""
    groups = [objs for objs in groups if objs]
    if not last_writes.can_defer(using) or any(_has_save_signals(type(objs[0])) for objs in groups):
        insert_rows_together(groups, using)
        return
    connection = connections[using]
    for objs in groups:  # rows whose keys were drawn already (``codes.draw_with_key``) are written with them
        sql, fields = _insert_sql(type(objs[0]), len(objs), connection, keyed=objs[0].pk is not None)

        def done(rows: list[tuple], objs: list[models.Model] = objs) -> None:
            _set_keys(objs, [row[0] for row in rows], using, connection)

        last_writes.defer(using, sql, _insert_params(objs, fields, connection), done, refused)


def _insert(connection: Any, groups: list[list[models.Model]], using: str) -> None:
    """Each group by one INSERT (several: together, in one pipeline); the first statement of a transaction
    goes with its BEGIN. Each object gets its row's key."""
    shapes = [_insert_sql(type(objs[0]), len(objs), connection) for objs in groups]
    with contextlib.ExitStack() as stack:
        cursors = [stack.enter_context(kept_cursor(connection, sql)) for sql, _fields in shapes]
        with _pipelined(connection, many=len(groups) > 1):
            for cursor, (sql, fields), objs in zip(cursors, shapes, groups, strict=True):
                cursor.execute(sql, _insert_params(objs, fields, connection))
        for cursor, objs in zip(cursors, groups, strict=True):
            _set_keys(objs, [row[0] for row in cursor.fetchall()], using, connection)
