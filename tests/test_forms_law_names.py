"""Vietnamese names family name first (họ, đệm, tên) on the office screens: the walk-in completion
request printed at the counter (form 02 on screen) names its officer "Đinh Quang Giang", stored as
last_name "Đinh Quang", first_name "Giang" (Django's get_full_name() gives "Giang Đinh Quang")."""
from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import Client

from tests.office_support import make_office
from tests.test_office_intake import applicant, docs, intake_url

pytestmark = pytest.mark.django_db


def test_the_counter_slip_names_the_officer_family_name_first(client: Client) -> None:
    office = make_office()
    office.counter.first_name, office.counter.last_name = "Giang", "Đinh Quang"
    office.counter.save()
    client.force_login(office.counter)
    response = client.post(intake_url(office), {
        **applicant(note="Bản sao phải có chứng thực"), "agency": office.world.agency.pk, "decision": "complete",
        "documents": docs(office, "Tờ khai đăng ký"),
    })
    html = response.content.decode()
    slip = html[html.index("NGƯỜI TIẾP NHẬN HỒ SƠ"):]
    assert "Đinh Quang Giang" in slip and "Giang Đinh Quang" not in slip


def test_the_person_name_filter() -> None:
    from django.contrib.auth import get_user_model

    user = get_user_model()(username="thao", first_name="Thảo", last_name="Hà Thị Phương")
    out = Template("{% load people %}{{ user|person_name }}").render(Context({"user": user}))
    assert out == "Hà Thị Phương Thảo"
