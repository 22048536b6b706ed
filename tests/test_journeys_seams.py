"""Where the officials' screens hand over to the citizens' portal: what one side stores, the other must read.

Found while walking the journeys in the browser (tests/test_journeys.py); checked here with Django's
test client, which is fast.
"""
from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.portal.links import public_path
from tests.browser_support import Office, make_office

pytestmark = pytest.mark.django_db


@pytest.fixture
def office() -> Office:
    return make_office()


def receive_at_counter(office: Office, phone: str) -> Dossier:
    """The counter's intake screen, as the officer fills it in."""
    officer = Client()
    officer.force_login(office.counter)
    documents = office.procedure.documents.filter(required=True).values_list("pk", flat=True)
    response = officer.post(reverse("office:intake") + f"?procedure={office.procedure.code}", {
        "applicant_name": "Nguyễn Thị Hoa", "applicant_id": "001195012345", "applicant_phone": phone,
        "applicant_email": "", "applicant_address": "Thôn Đông", "agency": office.world.agency.pk,
        "matter": "", "sets": "1", "documents": list(documents), "note": "", "decision": "receive",
        "idempotency_key": "0123456789abcdef0123456789abcdef",
    })
    assert response.status_code == 302, response.content.decode()[:500]
    return Dossier.objects.get()


def look_up(code: str, digits: str) -> str:
    """The portal's lookup form; the path it leads to ('' when it stays on the form)."""
    response = Client().post(reverse("portal:lookup"), {"code": code, "verification": digits})
    return response.headers.get("Location", "") if response.status_code == 302 else ""


def test_lookup_by_the_last_digits_of_a_phone_typed_without_spaces(office: Office) -> None:
    dossier = receive_at_counter(office, "0912345678")
    assert look_up(dossier.code, "5678") == public_path(dossier.code)
    assert look_up(dossier.code, "2345") == public_path(dossier.code)  # the ID number's last 4
    assert look_up(dossier.code, "1111") == ""


def test_lookup_by_the_last_digits_of_a_phone_typed_with_spaces(office: Office) -> None:
    dossier = receive_at_counter(office, "0912 345 678")
    assert look_up(dossier.code, "5678") == public_path(dossier.code)


def test_the_rating_form_speaks_vietnamese(office: Office) -> None:
    dossier = receive_at_counter(office, "0912345678")
    for action, role, actor in (("hand_over", "counter", office.counter), ("hand_over", "specialist",
                                office.specialist), ("resolve", "head", office.head)):
        dossier = services.perform(dossier, action, role=role, actor=actor)
    page = Client().get(public_path(dossier.code)).content.decode()
    assert 'id="rating-form"' in page
    assert ">Comment<" not in page
