"""Scoping on every screen that shows a dossier: an officer of commune A gets 404 on a dossier of
commune B — the page, the form PDFs and the action POST — and nothing changes."""
from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.office_support import Office, make_office, receive

FORM_KEYS = ["receipt", "completion_request", "refusal", "apology", "stop", "control_slip", "logbook"]



@pytest.fixture
def office(db) -> Office:  # noqa: ANN001
    return make_office()


@pytest.mark.parametrize("who", ["counter", "specialist", "head"])
def test_officer_of_commune_a_gets_404_on_every_screen_of_a_commune_b_dossier(
    client: Client, office: Office, who: str
) -> None:
    theirs = receive(office, agency=office.world.other_agency)
    client.force_login(getattr(office, who))
    assert client.get(reverse("office:dossier", args=[theirs.code])).status_code == 404
    for key in FORM_KEYS:
        assert client.get(reverse("office:form_pdf", args=[theirs.code, key])).status_code == 404, key
    response = client.post(reverse("office:dossier_action", args=[theirs.code]),
                           {"action": "hand_over", "hand_over-version": str(theirs.version)})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "received" and theirs.version == 1
    assert theirs.code not in client.get(reverse("office:inbox")).content.decode()


def test_the_other_communes_officer_does_see_it(client: Client, office: Office) -> None:
    theirs = receive(office, agency=office.world.other_agency)
    client.force_login(office.other_counter)
    assert client.get(reverse("office:dossier", args=[theirs.code])).status_code == 200
    assert theirs.code in client.get(reverse("office:inbox")).content.decode()


def test_unknown_code_and_unknown_form_are_404(client: Client, office: Office) -> None:
    ours = receive(office)
    client.force_login(office.counter)
    assert client.get(reverse("office:dossier", args=["KHONG-CO-0001"])).status_code == 404
    assert client.get(reverse("office:form_pdf", args=[ours.code, "no_such_form"])).status_code == 404
    assert client.post(reverse("office:dossier_action", args=["KHONG-CO-0001"]), {"action": "x"}).status_code == 404


def test_anonymous_users_are_sent_to_login(client: Client, office: Office) -> None:
    ours = receive(office)
    for url in (reverse("office:dossier", args=[ours.code]), reverse("office:form_pdf", args=[ours.code, "receipt"]),
                reverse("office:intake")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_receipt_pdf_of_own_dossier(client: Client, office: Office) -> None:
    ours = receive(office)
    client.force_login(office.counter)
    response = client.get(reverse("office:form_pdf", args=[ours.code, "receipt"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    # A form the dossier has not reached (no apology sent) is a page, not a 500.
    assert client.get(reverse("office:form_pdf", args=[ours.code, "apology"])).status_code == 404


@pytest.mark.parametrize("path", [
    "/office/dossiers/a%00b/", "/office/dossiers/a%00b/forms/receipt.pdf", "/office/dossiers/" + "x" * 500 + "/",
    "/office/tiep-nhan/?procedure=a%00b", "/office/tiep-nhan/?q=a%00b", "/office/tiep-nhan/thu-tuc/?q=%00",
    "/office/?page=%00", "/office/dossiers/%F0%9F%98%80/",
])
def test_odd_urls_are_404_or_a_page_never_a_500(client: Client, office: Office, path: str) -> None:
    client.force_login(office.counter)
    assert client.get(path).status_code in (200, 400, 404)  # 400: a NUL character, refused as such
    post = client.post(path.split("?")[0].replace("forms/receipt.pdf", "actions/"), {"action": "x"})
    assert post.status_code in (200, 400, 403, 404, 405)
