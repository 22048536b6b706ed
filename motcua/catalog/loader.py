"""Load a catalogue (fields and procedures as plain data, e.g. ``motcua.demo.catalog``) into the database,
idempotently."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from motcua.catalog.models import Field, Procedure, RequiredDocument, RouteStep


class CatalogError(ValueError):
    """The catalogue data is inconsistent (e.g. route shares do not sum to the legal time)."""


@dataclass
class LoadResult:
    fields: int = 0
    created: int = 0
    updated: int = 0


def check_procedure(data: dict[str, Any]) -> None:
    """Raise CatalogError if a procedure's route does not add up to its legal time."""
    total = sum(step[4] for step in data["steps"])
    if total != data["legal_minutes"]:
        raise CatalogError(
            f"{data['code']}: route shares sum to {total} minutes, legal time is {data['legal_minutes']}"
        )
    if not data["steps"] or data["steps"][-1][1] not in {"head", "leader"}:
        raise CatalogError(f"{data['code']}: the last step must be decided by a head or a leader")


def _parse_cutoff(value: str | None) -> dt.time | None:
    if not value:
        return None
    hour, minute = value.split(":")
    return dt.time(int(hour), int(minute))


@transaction.atomic
def load_catalog(procedures: Iterable[dict[str, Any]], fields: Iterable[dict[str, str]]) -> LoadResult:
    """Create or update fields and procedures by code; documents and steps by their order.

    Running it twice changes nothing the second time.
    """
    procedures = list(procedures)
    fields = list(fields)
    for data in procedures:
        check_procedure(data)
    result = LoadResult()
    by_code: dict[str, Field] = {}
    for item in fields:
        by_code[item["code"]], _ = Field.objects.update_or_create(code=item["code"], defaults={"name": item["name"]})
        result.fields += 1
    for data in procedures:
        procedure, created = Procedure.objects.update_or_create(
            code=data["code"],
            defaults={
                "name": data["name"], "field": by_code.get(data["field"]), "levels": data["levels"],
                "legal_minutes": data["legal_minutes"], "legal_time_unit": data["legal_time_unit"],
                "clock_policy": data["clock_policy"], "clock_policy_basis": data.get("clock_policy_basis", ""),
                "cutoff": _parse_cutoff(data.get("cutoff")),
                "fees": data["fees"], "channels": data["channels"], "result_type": data["result_type"],
                "legal_basis": data["legal_basis"], "is_stub": False, "active": True,
            },
        )
        if created:
            result.created += 1
        else:
            result.updated += 1
        for order, doc in enumerate(data["documents"], start=1):
            RequiredDocument.objects.update_or_create(
                procedure=procedure, order=order,
                defaults={"name": doc["name"], "form": doc["form"], "count": doc["count"], "required": doc["required"]},
            )
        procedure.documents.filter(order__gt=len(data["documents"])).delete()
        for order, (name, role, level, kind, share) in enumerate(data["steps"], start=1):
            RouteStep.objects.update_or_create(
                procedure=procedure, order=order,
                defaults={"name": name, "role": role, "agency_level": level, "agency_kind": kind,
                          "share_minutes": share},
            )
        procedure.steps.filter(order__gt=len(data["steps"])).delete()
    return result
