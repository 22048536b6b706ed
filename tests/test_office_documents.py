"""Uploaded documents are served only to officials who may see the dossier."""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.dossiers import services
from motcua.portal import uploads
from motcua.units.models import StaffRole
from tests.factories import at, make_world

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def officer(name, agency):
    user = get_user_model().objects.create_user(name, password="x")
    StaffRole.objects.create(user=user, role="counter", agency=agency)
    client = Client()
    client.force_login(user)
    return client


def test_an_upload_is_served_to_its_agency_and_to_nobody_else(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = make_world()
    d = services.receive(procedure=world.procedure, unit=world.commune, agency=world.agency, online=True,
                         role="applicant", at=at("2026-03-02 09:00"))
    doc = uploads.store(d, "Tờ khai", SimpleUploadedFile("to-khai.pdf", PDF))
    url = f"/office/dossiers/{d.code}/documents/{doc.pk}/"
    mine = officer("a", world.agency)
    response = mine.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    assert url in mine.get(f"/office/dossiers/{d.code}/").content.decode()
    assert officer("b", world.other_agency).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to the login page
    assert mine.get(f"/office/dossiers/{d.code}/documents/{doc.pk + 99}/").status_code == 404


def test_the_counter_prints_its_logbook_as_pdf_and_xlsx():
    world = make_world()
    d = services.receive(procedure=world.procedure, unit=world.commune, agency=world.agency,
                         applicant=services.Applicant(name="Đinh Thị Thuỳ"), at=at("2026-03-02 09:00"))
    counter = officer("c", world.agency)
    pdf = counter.get("/office/so-theo-doi/?from=2026-03-01&to=2026-03-31")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = counter.get("/office/so-theo-doi/?from=2026-03-01&to=2026-03-31&format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    import io

    import openpyxl

    cells = [c.value for row in openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.iter_rows() for c in row]
    assert d.code in cells and "Đinh Thị Thuỳ" in cells
    assert counter.get("/office/so-theo-doi/?from=2026-13-01").status_code == 400
    assert counter.get("/office/so-theo-doi/?from=2026-03-31&to=2026-03-01").status_code == 400
    nobody = Client()
    nobody.force_login(get_user_model().objects.create_user("n", password="x"))
    assert nobody.get("/office/so-theo-doi/").status_code == 403
