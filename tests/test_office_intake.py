"""Counter intake: search without diacritics, receive through the service, walk-in completion / refusal."""
from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier, DossierEvent
from tests.office_support import Office, make_office


@pytest.fixture
def office(db) -> Office:  # noqa: ANN001
    return make_office()


@pytest.fixture
def counter(client: Client, office: Office) -> Client:
    client.force_login(office.counter)
    return client


def intake_url(office: Office) -> str:
    return reverse("office:intake") + f"?procedure={office.procedure.code}"


def applicant(**extra: object) -> dict[str, object]:
    data = {
        "applicant_name": "Trần Thị Bình", "applicant_id": "001203004567", "applicant_phone": "0987654321",
        "applicant_email": "binh@example.vn", "applicant_address": "Thôn Đông", "matter": "", "sets": "1",
        "note": "", "idempotency_key": "0123456789abcdef0123456789abcdef",
    }
    data.update(extra)
    return data


def docs(office: Office, *names: str) -> list[int]:
    return list(office.procedure.documents.filter(name__in=names).values_list("pk", flat=True))


def test_search_without_diacritics_finds_the_procedure(counter: Client, office: Office) -> None:
    Procedure.objects.create(code="1.001193", name="Đăng ký khai sinh", levels=["commune"], legal_minutes=480)
    Procedure.objects.create(code="1.000894", name="Đăng ký kết hôn", levels=["commune"], legal_minutes=480)
    Procedure.objects.create(code="2.000528", name="Đăng ký khai sinh có yếu tố nước ngoài", levels=["province"],
                             legal_minutes=480)  # not handled at a commune counter
    live = counter.get(reverse("office:procedure_search"), {"q": "dang ky khai sinh"}, HTTP_HX_REQUEST="true")
    html = live.content.decode()
    assert live.status_code == 200 and "<html" not in html  # the htmx fragment only
    assert "Đăng ký khai sinh" in html and "Đăng ký kết hôn" not in html
    assert "yếu tố nước ngoài" not in html
    page = counter.get(reverse("office:intake"), {"q": "DANG KY KET HON"}).content.decode()
    assert "Đăng ký kết hôn" in page and "Đăng ký khai sinh" not in page


def test_receive_creates_a_dossier_through_the_service_and_shows_its_code(counter: Client, office: Office) -> None:
    page = counter.get(intake_url(office))
    assert page.status_code == 200 and "Giấy chứng sinh" in page.content.decode()
    response = counter.post(intake_url(office), {
        **applicant(), "agency": office.world.agency.pk, "decision": "receive",
        "documents": docs(office, "Tờ khai đăng ký", "Giấy chứng sinh"),
    }, follow=True)
    dossier = Dossier.objects.get()
    html = response.content.decode()
    assert response.status_code == 200
    assert dossier.code in html and "In giấy tiếp nhận" in html
    assert reverse("office:form_pdf", args=[dossier.code, "receipt"]) in html
    assert dossier.status == "received" and dossier.channel == "counter" and dossier.due_at is not None
    assert dossier.applicant_name == "Trần Thị Bình" and dossier.agency == office.world.agency
    assert sorted(dossier.documents.values_list("name", flat=True)) == ["Giấy chứng sinh", "Tờ khai đăng ký"]
    event = DossierEvent.objects.get(dossier=dossier)
    assert event.action == "receive" and event.actor == office.counter
    # The same form posted twice (double click) does not make a second dossier.
    counter.post(intake_url(office), {
        **applicant(), "agency": office.world.agency.pk, "decision": "receive",
        "documents": docs(office, "Tờ khai đăng ký", "Giấy chứng sinh"),
    })
    assert Dossier.objects.count() == 1


def test_receive_with_a_required_document_missing_is_refused_with_the_list(counter: Client, office: Office) -> None:
    response = counter.post(intake_url(office), {
        **applicant(), "agency": office.world.agency.pk, "decision": "receive",
        "documents": docs(office, "Tờ khai đăng ký"),
    })
    assert response.status_code == 400
    assert "còn thiếu thành phần bắt buộc: Giấy chứng sinh" in response.content.decode()
    assert not Dossier.objects.exists()


def test_walk_in_completion_request_prints_form_02_without_creating_a_dossier(
    counter: Client, office: Office
) -> None:
    response = counter.post(intake_url(office), {
        **applicant(note="Bản sao phải có chứng thực"), "agency": office.world.agency.pk, "decision": "complete",
        "documents": docs(office, "Tờ khai đăng ký"),
    })
    html = response.content.decode()
    assert response.status_code == 200
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in html
    assert "Giấy chứng sinh" in html and "Bản sao phải có chứng thực" in html
    assert not Dossier.objects.exists()


def test_walk_in_refusal_needs_a_reason_and_prints_form_03(counter: Client, office: Office) -> None:
    base = {**applicant(), "agency": office.world.agency.pk, "decision": "refuse"}
    without = counter.post(intake_url(office), base)
    assert without.status_code == 400 and "Cần ghi rõ lý do từ chối tiếp nhận." in without.content.decode()
    response = counter.post(intake_url(office), {**base, "note": "Không thuộc thẩm quyền của xã"})
    html = response.content.decode()
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN HỒ SƠ" in html and "Không thuộc thẩm quyền của xã" in html
    assert not Dossier.objects.exists()


@pytest.mark.parametrize("bad", [
    {"applicant_id": "12ab"}, {"applicant_name": ""}, {"applicant_email": "not-an-email"}, {"sets": "0"},
    {"sets": "many"}, {"applicant_phone": "call me"}, {"decision": "explode"}, {"agency": "999999"},
    {"documents": ["abc"]},
])
def test_bad_input_gives_the_form_again_never_a_500(counter: Client, office: Office, bad: dict) -> None:
    data = {**applicant(), "agency": office.world.agency.pk, "decision": "receive",
            "documents": docs(office, "Tờ khai đăng ký", "Giấy chứng sinh"), **bad}
    response = counter.post(intake_url(office), data)
    assert response.status_code == 400
    assert 'name="applicant_name"' in response.content.decode()
    assert not Dossier.objects.exists()


def test_counter_cannot_receive_for_another_agency(counter: Client, office: Office) -> None:
    response = counter.post(intake_url(office), {
        **applicant(), "agency": office.world.other_agency.pk, "decision": "receive",
        "documents": docs(office, "Tờ khai đăng ký", "Giấy chứng sinh"),
    })
    assert response.status_code == 400 and not Dossier.objects.exists()


def test_unknown_procedure_is_404_and_non_counter_staff_get_403(client: Client, office: Office) -> None:
    client.force_login(office.counter)
    assert client.get(reverse("office:intake"), {"procedure": "NO.SUCH"}).status_code == 404
    client.force_login(office.specialist)
    assert client.get(intake_url(office)).status_code == 403
    assert client.get(reverse("office:procedure_search"), {"q": "x"}).status_code == 403


def test_intake_post_without_csrf_token_is_refused(office: Office) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(office.counter)
    response = client.post(intake_url(office), {
        **applicant(), "agency": office.world.agency.pk, "decision": "receive",
        "documents": docs(office, "Tờ khai đăng ký", "Giấy chứng sinh"),
    })
    assert response.status_code == 403 and not Dossier.objects.exists()
