"""Builders shared by the office screen tests (no tests here)."""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User

from motcua.catalog.models import Procedure, RequiredDocument
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.units.models import StaffRole
from tests.factories import World, at, make_world

PASSWORD = "mat-khau-thu-nghiem-1"
# The inbox's "now" in the inbox tests: a Wednesday, no holiday around.
INBOX_NOW = at("2026-03-18 09:00")


def make_user(username: str, role: str, agency: object) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, first_name=username.title())
    StaffRole.objects.create(user=user, role=role, agency=agency)
    return user


@dataclass
class Office:
    world: World
    counter: User
    specialist: User
    head: User
    other_counter: User  # counter officer of the other commune

    @property
    def procedure(self) -> Procedure:
        return self.world.procedure


def make_office() -> Office:
    world = make_world()
    proc = world.procedure
    RequiredDocument.objects.create(procedure=proc, order=1, name="Tờ khai đăng ký", required=True)
    RequiredDocument.objects.create(procedure=proc, order=2, name="Giấy chứng sinh", required=True)
    RequiredDocument.objects.create(procedure=proc, order=3, name="Văn bản ủy quyền", required=False)
    return Office(
        world=world,
        counter=make_user("motcua_a", "counter", world.agency),
        specialist=make_user("chuyenvien_a", "specialist", world.agency),
        head=make_user("truongphong_a", "head", world.agency),
        other_counter=make_user("motcua_b", "counter", world.other_agency),
    )


def receive(office: Office, *, agency: object = None, at: object = None, online: bool = False,
            name: str = "Nguyễn Văn An") -> Dossier:
    agency = agency or office.world.agency
    return services.receive(
        procedure=office.procedure, unit=agency.unit, agency=agency, at=at, online=online,
        applicant=services.Applicant(name=name, id_number="001203004567", phone="0912345678",
                                     email="an@example.vn", address="Thôn 1"),
        documents=["Tờ khai đăng ký", "Giấy chứng sinh"], actor=office.counter, role="counter",
    )


@pytest.fixture(name="office")
def office_at_inbox_now(db, monkeypatch) -> Office:  # noqa: ANN001
    """The office, with the inbox's clock stopped at INBOX_NOW (import it into a test module to use it)."""
    from motcua.office import views_inbox

    monkeypatch.setattr(views_inbox, "now", lambda: INBOX_NOW)
    return make_office()
