"""One rule for an applicant's particulars at every door: what the counter's form and the citizens'
online form refuse, the API refuses too, with the same message, and nothing is written."""
from __future__ import annotations

import json

import pytest

from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.office.forms import ApplicantForm
from motcua.portal.views import SubmissionForm
from motcua.statemachine import InvalidInput
from tests.test_api import APPLICANT, bearer, world  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

# (API field, counter form field, online form field, bad value, the message every door gives)
CASES = [
    ("id_number", "applicant_id", "id_number", "12345",
     "Số giấy tờ tùy thân gồm 12 chữ số (căn cước) hoặc 9 chữ số (CMND)."),
    ("id_number", "applicant_id", "id_number", "00109000000X",
     "Số giấy tờ tùy thân gồm 12 chữ số (căn cước) hoặc 9 chữ số (CMND)."),
    ("phone", "applicant_phone", "phone", "gọi tôi đi", "Số điện thoại không hợp lệ."),
    ("name", "applicant_name", "name", "Nguyễn\x07An", "Họ và tên có ký tự điều khiển không hợp lệ."),
    ("address", "applicant_address", "address", "Thôn\x1b1", "Địa chỉ có ký tự điều khiển không hợp lệ."),
]


@pytest.mark.parametrize(("api_field", "counter_field", "online_field", "value", "message"), CASES)
def test_every_door_refuses_the_same_value_with_the_same_message(
    client, world, api_field: str, counter_field: str, online_field: str, value: str, message: str,  # noqa: ANN001, F811
) -> None:
    counter = ApplicantForm({"applicant_name": "Nguyễn Văn An", "applicant_id": "001090000001",
                             "applicant_phone": "0912345678", "applicant_address": "Thôn 1", counter_field: value})
    assert counter.errors[counter_field] == [message]

    online = SubmissionForm(world["procedure"], {"name": "Nguyễn Văn An", "id_number": "001090000001",
                                                 "phone": "0912345678", "address": "Thôn 1", online_field: value})
    assert online.errors[online_field] == [message]

    body = {"procedure_code": "1.000656", "unit_code": "X991", "applicant": {**APPLICANT, api_field: value}}
    response = client.post("/api/dossiers", json.dumps(body), content_type="application/json",
                           HTTP_IDEMPOTENCY_KEY="k-1", **bearer(world["system_key"]))
    assert response.status_code == 400, response.content
    assert response.json()["message"] == message
    assert not Dossier.objects.exists()


def test_an_email_the_screens_refuse_is_refused_by_the_service_too(world) -> None:  # noqa: F811
    counter = ApplicantForm({"applicant_name": "An", "applicant_id": "001090000001", "applicant_email": "an@@vn"})
    assert "applicant_email" in counter.errors
    with pytest.raises(InvalidInput, match="Thư điện tử không hợp lệ") as refused:
        services.receive(procedure=world["procedure"], unit=world["commune_a"], agency=world["agency_a"],
                         applicant=services.Applicant(name="An", id_number="001090000001", email="an@@vn"))
    assert refused.value.field == "applicant.email"
    assert not Dossier.objects.exists()


def test_the_api_refuses_a_procedure_not_handled_at_the_receiving_level(client, world) -> None:  # noqa: ANN001, F811
    # 2.000001 is a province-level procedure; X991 is a commune.
    body = {"procedure_code": "2.000001", "unit_code": "X991", "applicant": APPLICANT}
    response = client.post("/api/dossiers", json.dumps(body), content_type="application/json",
                           HTTP_IDEMPOTENCY_KEY="k-2", **bearer(world["system_key"]))
    assert response.status_code == 400
    assert response.json()["message"] == "Thủ tục 2.000001 không giải quyết ở cấp xã."
    assert not Dossier.objects.exists()
