"""Legacy import, the events: the typed events of imported dossiers made by the database from the
dossier rows just written, one statement a batch — the set-based twin of ``rows.events_for``
(tests/test_import.py holds the two against each other). An imported dossier's events follow from
its row alone (receipt; the apology when a new date was promised; the end; the return), so they
need not travel from Python row by row: the database writes them as it reads the dossiers.
"""
from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import JSONField

from motcua.dossiers.legacy.rows import _FINISH, ACTOR_LABEL, IN_PROCESSING, RECEIVED, RETURNED
from motcua.dossiers.lifecycle import Action
from motcua.dossiers.models import DossierEvent

# Columns written from the dossier; every other column of the event table gets its model default.
GIVEN = ("dossier_id", "seq", "action", "at", "actor_label", "from_status", "to_status", "payload")


def literal(value: Any, pg: bool) -> str:
    """A constant of this module's own (never user data) as SQL."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE") if pg else str(int(value))
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _local_iso(column: str, pg: bool) -> str:
    """The instant as Python's ``isoformat()`` writes a naive Asia/Ho_Chi_Minh time, plus '+07:00'
    (microseconds only when there are some), as ``events_for`` puts it in an apology's payload."""
    if pg:
        local = f"({column} AT TIME ZONE 'Asia/Ho_Chi_Minh')"
        fraction = (f"CASE WHEN date_part('microseconds', {local})::int %% 1000000 <> 0 "
                    f"THEN to_char({local}, '.US') ELSE '' END")
        return f"(to_char({local}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || {fraction} || '+07:00')"
    # SQLite holds naive UTC text, 'YYYY-MM-DD HH:MM:SS[.ffffff]': shifting by hours keeps the fraction.
    fraction = f"CASE WHEN instr({column}, '.') > 0 THEN substr({column}, instr({column}, '.')) ELSE '' END"
    return f"(strftime('%%Y-%%m-%%dT%%H:%%M:%%S', {column}, '+7 hours') || {fraction} || '+07:00')"


def insert_events(source: str) -> str:
    """The INSERT of the events of every dossier of ``source`` (a FROM item of imported dossier rows,
    named ``d``): receipt, apology, end, return, numbered as ``events_for`` numbers them."""
    pg = connection.vendor == "postgresql"
    q = connection.ops.quote_name
    fields = {f.attname: f for f in DossierEvent._meta.concrete_fields}
    others = [f for name, f in fields.items() if name not in GIVEN and not f.primary_key]
    defaults = [literal(f.get_default(), pg) if not isinstance(f, JSONField) else "'{}'" for f in others]
    columns = ", ".join(q(fields[name].column) for name in GIVEN) + "".join(f", {q(f.column)}" for f in others)
    finish_action = "CASE d.outcome " + " ".join(
        f"WHEN {literal(o, pg)} THEN {literal(a, pg)}" for o, (a, _s) in _FINISH.items()) + " END"
    finish_status = "CASE d.outcome " + " ".join(
        f"WHEN {literal(o, pg)} THEN {literal(s, pg)}" for o, (_a, s) in _FINISH.items()) + " END"
    apology = "(d.extended_due_at IS NOT NULL)" + ("::int" if pg else "")  # 1 when there is an apology
    payload_args = (f"'original_due_at', {_local_iso('d.due_at', pg)}, "
                    f"'new_due_at', {_local_iso('d.extended_due_at', pg)}, 'imported', ")
    payload = (f"CASE WHEN k.n = 2 THEN jsonb_build_object({payload_args}true) ELSE '{{}}'::jsonb END" if pg else
               f"CASE WHEN k.n = 2 THEN json_object({payload_args}json('true')) ELSE '{{}}' END")
    r, ip, ret = literal(RECEIVED, pg), literal(IN_PROCESSING, pg), literal(RETURNED, pg)
    values = [
        "d.id",
        f"CASE k.n WHEN 1 THEN 1 WHEN 2 THEN 2 WHEN 3 THEN 2 + {apology} ELSE 3 + {apology} END",
        f"CASE k.n WHEN 1 THEN 'receive' WHEN 2 THEN {literal(Action.APOLOGIZE.value, pg)} "
        f"WHEN 3 THEN {finish_action} ELSE {literal(Action.RETURN.value, pg)} END",
        # When the apology was sent is not in the old data: it is dated at receipt (events_for).
        "CASE k.n WHEN 1 THEN d.received_at WHEN 2 THEN d.received_at WHEN 3 THEN d.finished_at ELSE d.returned_at END",
        literal(ACTOR_LABEL, pg),
        f"CASE k.n WHEN 1 THEN '' WHEN 2 THEN {r} WHEN 3 THEN {ip} ELSE {finish_status} END",
        f"CASE k.n WHEN 1 THEN {r} WHEN 2 THEN {r} WHEN 3 THEN {finish_status} ELSE {ret} END",
        payload,
        *defaults,
    ]
    applies = ("(k.n = 1 OR (k.n = 2 AND d.extended_due_at IS NOT NULL) OR (k.n = 3 AND d.finished_at IS NOT NULL) "
               "OR (k.n = 4 AND d.returned_at IS NOT NULL))")
    kinds = "(SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4) AS k"
    return (f"INSERT INTO {q(DossierEvent._meta.db_table)} ({columns}) SELECT {', '.join(values)} "
            f"FROM {source} CROSS JOIN {kinds} WHERE {applies} ORDER BY d.id, k.n")
