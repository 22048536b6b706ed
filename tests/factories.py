"""Small builders for tests: a province with a commune, agencies, a procedure with a route."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from motcua.catalog.models import Field, Procedure, RouteStep
from motcua.units.models import AdministrativeUnit, Agency
from motcua.workdays import TZ


def at(text: str) -> dt.datetime:
    """'2026-03-02 09:00' in Asia/Ho_Chi_Minh."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


@dataclass
class World:
    province: AdministrativeUnit
    commune: AdministrativeUnit
    other_commune: AdministrativeUnit
    agency: Agency
    other_agency: Agency
    procedure: Procedure


def make_procedure(code: str = "T.000001", days: int = 5, policy: str = "pause", cutoff: dt.time | None = None,
                   shares: tuple[int, ...] = (480, 1440, 480)) -> Procedure:
    field, _ = Field.objects.get_or_create(code="test", defaults={"name": "Lĩnh vực thử"})
    procedure = Procedure.objects.create(
        code=code, name=f"Thủ tục thử {code}", field=field, levels=["commune"], legal_minutes=days * 480,
        clock_policy=policy, cutoff=cutoff, channels=["counter", "online_full"],
    )
    roles = ("counter", "specialist", "head")
    assert sum(shares) == days * 480, "shares must sum to the legal time"
    for order, share in enumerate(shares, start=1):
        RouteStep.objects.create(procedure=procedure, order=order, name=f"Bước {order}",
                                 role=roles[min(order - 1, 2)], share_minutes=share)
    return procedure


def make_world(prefix: str = "9") -> World:
    since = dt.date(2025, 7, 1)
    province = AdministrativeUnit.objects.create(code=f"{prefix}9", name="Tỉnh Thử", level="province",
                                                 valid_from=since)
    commune = AdministrativeUnit.objects.create(code=f"{prefix}9001", name="Xã Một", level="commune",
                                                parent=province, valid_from=since)
    other = AdministrativeUnit.objects.create(code=f"{prefix}9002", name="Xã Hai", level="commune",
                                              parent=province, valid_from=since)
    agency = Agency.objects.create(code=f"X{prefix}1", name="UBND xã Một", kind="ubnd", unit=commune,
                                   level="commune", has_one_stop=True)
    other_agency = Agency.objects.create(code=f"X{prefix}2", name="UBND xã Hai", kind="ubnd", unit=other,
                                         level="commune", has_one_stop=True)
    return World(province, commune, other, agency, other_agency, make_procedure())
