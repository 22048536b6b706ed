"""Builders shared by the file tests (tests/test_files_access.py, tests/test_online_supplement.py)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.catalog.models import RequiredDocument
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.units.models import Agency, StaffRole
from tests.factories import World

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
# What a Windows program starts with: "MZ", the DOS stub, "This program cannot be run in DOS mode".
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"This program cannot be run in DOS mode." * 4


def pdf(name: str, extra: bytes = b"") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF + extra, content_type="application/pdf")


def exe_as_pdf(name: str = "hoa-don.pdf") -> SimpleUploadedFile:
    """An executable renamed .pdf, announced by the browser as a PDF."""
    return SimpleUploadedFile(name, EXE, content_type="application/pdf")


def required_documents(world: World) -> list[RequiredDocument]:
    return [RequiredDocument.objects.create(procedure=world.procedure, order=i, name=name)
            for i, name in enumerate(("Tờ khai", "Bản sao giấy khai sinh"), start=1)]


@dataclass
class Staff:
    counter: Any
    specialist: Any
    head: Any


def user_at(username: str, role: str, agency: Agency) -> Any:
    user = get_user_model().objects.create_user(username, password="x", first_name=username.title())
    StaffRole.objects.create(user=user, role=role, agency=agency)
    return user


def staff(agency: Agency, prefix: str = "") -> Staff:
    return Staff(user_at(f"{prefix}counter", "counter", agency), user_at(f"{prefix}specialist", "specialist", agency),
                 user_at(f"{prefix}head", "head", agency))


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def received(world: World, documents: tuple[str, ...] = ("Tờ khai",), **kwargs: Any) -> Dossier:
    """A dossier received at the counter of the world's agency, with these documents on paper."""
    return services.receive(
        procedure=world.procedure, unit=world.commune, agency=world.agency, documents=documents,
        applicant=services.Applicant(name="Lò Văn Páo", phone="0912345678", id_number="011090001234"), **kwargs)


def to_processing(dossier: Dossier, **kwargs: Any) -> Dossier:
    """Handed over from the counter: in processing at step 2 (the specialist's)."""
    return services.perform(dossier, "hand_over", role="counter", **kwargs)


def scroll_to(page: Any, selector: str, above: int = 0) -> None:
    """Scroll the page at once (Bootstrap makes scrolling smooth) so that ``selector`` starts ``above``
    pixels below the top of the screen: the screen a README picture shows."""
    page.evaluate("([s, a]) => window.scrollTo({top: document.querySelector(s).getBoundingClientRect().top"
                  " + window.scrollY - a, behavior: 'instant'})", [selector, above])
