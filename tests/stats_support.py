"""Builders shared by the statistics tests (no tests here): a province with two communes and a
quarter of dossiers (Q1 2026) in every state form 06 distinguishes, all built through the services."""
from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field

from django.contrib.auth.models import User

from motcua.catalog.models import Field
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.units.models import StaffRole
from motcua.workdays import TZ
from tests.factories import World, make_procedure, make_world

Q1_FROM, Q1_TO = dt.date(2026, 1, 1), dt.date(2026, 3, 31)
_people = itertools.count(1)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


def local(instant: dt.datetime) -> dt.date:
    return instant.astimezone(TZ).date()


@dataclass
class Quarter:
    world: World
    dossiers: list[Dossier] = field(default_factory=list)
    applicants: list[services.Applicant] = field(default_factory=list)

    @property
    def province_code(self) -> str:
        return self.world.province.code


def applicant() -> services.Applicant:
    n = next(_people)
    return services.Applicant(name=f"Trần Thị Bí Mật {n:03d}", id_number=f"0792030{n:05d}",
                              phone=f"09876{n:05d}", email=f"bimat{n}@example.vn", address=f"Số {n} đường Kín")


class Builder:
    def __init__(self, q: Quarter) -> None:
        self.q = q

    def receive(self, agency, when: dt.datetime, channel: str = "counter", procedure=None) -> Dossier:  # noqa: ANN001
        person = applicant()
        self.q.applicants.append(person)
        proc = procedure or self.q.world.procedure
        if channel == "online":
            d = services.receive(procedure=proc, unit=agency.unit, agency=agency, online=True, applicant=person,
                                 at=when - dt.timedelta(hours=1), role="applicant")
            d = services.perform(d, "accept", role="counter", at=when)
        else:
            d = services.receive(procedure=proc, unit=agency.unit, agency=agency, channel=channel,
                                 applicant=person, at=when, role="counter")
        self.q.dossiers.append(d)
        return d

    def to_head(self, d: Dossier, when: dt.datetime) -> Dossier:
        d = services.perform(d, "hand_over", role="counter", at=when)
        while d.current_step < d.procedure.steps.count():
            d = services.perform(d, "hand_over", role="specialist", at=when)
        return d

    def finish(self, d: Dossier, when: dt.datetime) -> Dossier:
        d = self.to_head(d, min(when, d.received_at + dt.timedelta(hours=1)))
        d = services.perform(d, "resolve", role="head", at=when)
        self.q.dossiers[self.q.dossiers.index(d)] = d
        return d


def build_quarter(prefix: str = "3") -> Quarter:
    """Dossiers of Q1 2026 in two communes of province ``{prefix}9`` (see the scenario names); the default
    "39" is no real province code (real units are loaded by a migration)."""
    world = make_world(prefix)
    q = Quarter(world)
    b = Builder(q)
    civil, _ = Field.objects.get_or_create(code="HT-S", defaults={"name": "Hộ tịch (thử)"})
    other_proc = make_procedure(code=f"T.{prefix}00002", days=3, shares=(480, 480, 480))
    other_proc.field = civil
    other_proc.save()
    one, two = world.agency, world.other_agency
    for agency, proc in ((one, None), (two, other_proc)):
        # carried over, still open (overdue by the end of the quarter)
        b.receive(agency, at(dt.date(2025, 12, 22), 9), procedure=proc)
        # carried over, finished late in January
        d = b.receive(agency, at(dt.date(2025, 12, 29), 9), procedure=proc)
        b.finish(d, at(local(d.due_at) + dt.timedelta(days=3), 9))
        # finished before the quarter: never counted
        d = b.receive(agency, at(dt.date(2025, 12, 1), 9), procedure=proc)
        b.finish(d, at(dt.date(2025, 12, 2), 9))
        # early, on time, late
        d = b.receive(agency, at(dt.date(2026, 1, 5), 9), procedure=proc)
        b.finish(d, at(dt.date(2026, 1, 6), 10))
        d = b.receive(agency, at(dt.date(2026, 1, 12), 9), procedure=proc)
        b.finish(d, d.due_at)
        d = b.receive(agency, at(dt.date(2026, 2, 2), 9), procedure=proc)
        b.finish(d, at(local(d.due_at) + dt.timedelta(days=2), 9))
        # online and postal, both early
        d = b.receive(agency, at(dt.date(2026, 2, 9), 9), channel="online", procedure=proc)
        b.finish(d, at(dt.date(2026, 2, 10), 9))
        d = b.receive(agency, at(dt.date(2026, 2, 16), 9), channel="postal", procedure=proc)
        b.finish(d, at(dt.date(2026, 2, 17), 9))
        # stopped at the applicant's request: counted apart, as withdrawn (regime 2025)
        d = b.receive(agency, at(dt.date(2026, 2, 23), 9), procedure=proc)
        q.dossiers[q.dossiers.index(d)] = services.perform(d, "stop", role="counter",
                                                            at=at(dt.date(2026, 2, 24), 9))
        # open and overdue at the end of the quarter
        b.receive(agency, at(dt.date(2026, 3, 2), 9), procedure=proc)
        # waiting for the citizen (clock stopped before the due date): within time
        d = b.receive(agency, at(dt.date(2026, 3, 9), 9), procedure=proc)
        d = services.perform(d, "hand_over", role="counter", at=at(dt.date(2026, 3, 9), 10))
        q.dossiers[q.dossiers.index(d)] = services.perform(d, "request_supplement", role="specialist",
                                                            at=at(dt.date(2026, 3, 9), 11), note="Bổ sung.")
        # open, due in April: within time; finished after the quarter: in progress at its end
        b.receive(agency, at(dt.date(2026, 3, 30), 9), procedure=proc)
        d = b.receive(agency, at(dt.date(2026, 3, 27), 9), procedure=proc)
        b.finish(d, at(dt.date(2026, 4, 1), 9))
        # received after the quarter: never counted
        b.receive(agency, at(dt.date(2026, 4, 6), 9), procedure=proc)
    return q


def make_staff(username: str, role: str, *, unit=None, agency=None) -> User:  # noqa: ANN001
    user = User.objects.create_user(username=username, password="mat-khau-thu-nghiem-1")
    if unit is not None or agency is not None:
        StaffRole.objects.create(user=user, role=role, unit=unit, agency=agency)
    return user
