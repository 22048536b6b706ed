"""The dossier page: only the actions the lifecycle table allows this user now; actions through
the page; refusals from the services shown (never a 500); masking; CSRF."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from motcua.dossiers import lifecycle, policy, services
from motcua.dossiers.lifecycle import Action, Status
from motcua.dossiers.models import Dossier
from tests.office_support import Office, make_office, receive


@pytest.fixture
def office(db) -> Office:  # noqa: ANN001
    return make_office()


def page(client: Client, dossier: Dossier) -> str:
    response = client.get(reverse("office:dossier", args=[dossier.code]))
    assert response.status_code == 200
    return response.content.decode()


def offered(html: str) -> set[str]:
    return set(re.findall(r'<details [^>]*data-action="(\w+)"', html))


def act(client: Client, dossier: Dossier, action: str, **fields: str):  # noqa: ANN201
    dossier.refresh_from_db()
    data = {"action": action, f"{action}-version": str(dossier.version)}
    data.update({f"{action}-{k}": v for k, v in fields.items()})
    return client.post(reverse("office:dossier_action", args=[dossier.code]), data)


def test_each_role_sees_only_the_actions_the_table_allows(client: Client, office: Office) -> None:
    d = receive(office)  # received, at step 1 (counter), due in 5 working days
    client.force_login(office.counter)
    assert offered(page(client, d)) == {"hand_over", "stop"}  # regime 2025: stop at request, no withdrawal
    client.force_login(office.specialist)
    assert offered(page(client, d)) == {"hand_over"}
    client.force_login(office.head)
    assert offered(page(client, d)) == {"hand_over", "apologize", "assign"}
    assert "head" in lifecycle.TABLE[Status.RECEIVED][Action.APOLOGIZE].roles


def test_apology_is_offered_only_while_the_services_allow_it(client: Client, office: Office) -> None:
    d = receive(office)
    client.force_login(office.head)
    new_due = (d.due_at + dt.timedelta(days=3)).astimezone(timezone.get_current_timezone())
    response = act(client, d, "apologize", new_due_at=new_due.strftime("%Y-%m-%dT%H:%M"), reason="Chờ xác minh")
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.extended_due_at is not None
    assert not policy.can_apologize(d)
    assert "apologize" not in offered(page(client, d))  # only once
    # Posting it anyway is refused on the page, not a 500.
    again = act(client, d, "apologize", new_due_at=new_due.strftime("%Y-%m-%dT%H:%M"), reason="Lần hai")
    assert again.status_code == 409 and "chỉ được hẹn lại một lần" in again.content.decode()


def test_performing_actions_through_the_page_moves_the_dossier(client: Client, office: Office) -> None:
    d = receive(office)
    client.force_login(office.counter)
    response = act(client, d, "hand_over", note="Chuyển chuyên viên")
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.status == "in_processing" and d.current_step == 2
    client.force_login(office.specialist)
    html = page(client, d)
    assert offered(html) == {"hand_over", "request_supplement", "request_payment"}
    assert "Chuyển chuyên viên" in html  # the timeline shows the note
    assert act(client, d, "hand_over").status_code == 302
    client.force_login(office.head)
    assert act(client, d, "resolve", note="Đã ký").status_code == 302
    d.refresh_from_db()
    assert d.status == "result_ready" and d.finished_at is not None
    client.force_login(office.counter)
    assert offered(page(client, d)) == {"return"}
    assert act(client, d, "return").status_code == 302
    d.refresh_from_db()
    assert d.status == "returned"
    assert list(d.events.values_list("action", flat=True)) == ["receive", "hand_over", "hand_over", "resolve",
                                                                 "return"]


def test_an_error_from_the_services_is_shown_not_a_500(client: Client, office: Office) -> None:
    d = receive(office, online=True)
    client.force_login(office.counter)
    first = act(client, d, "request_completion", note="Bổ sung giấy chứng sinh bản chính")
    assert first.status_code == 302
    second = act(client, d, "request_completion", note="Thêm một giấy nữa")
    html = second.content.decode()
    assert second.status_code == 409  # no longer offered: the page says why
    assert "Chỉ được yêu cầu bổ sung, hoàn thiện hồ sơ một lần" in html
    assert d.events.filter(action="request_completion").count() == 1


def test_apology_date_before_the_due_instant_is_refused_by_the_services(client: Client, office: Office) -> None:
    d = receive(office)
    client.force_login(office.head)
    early = (d.due_at - dt.timedelta(hours=1)).astimezone(timezone.get_current_timezone())
    response = act(client, d, "apologize", new_due_at=early.strftime("%Y-%m-%dT%H:%M"), reason="Chậm")
    assert response.status_code == 400
    assert "Ngày hẹn trả mới phải sau thời hạn giải quyết hiện tại." in response.content.decode()
    d.refresh_from_db()
    assert d.extended_due_at is None


@pytest.mark.parametrize("data", [
    {"action": "explode"}, {"action": ""}, {}, {"action": "resolve"},
    {"action": "hand_over", "hand_over-version": "abc"}, {"action": "hand_over"},
    {"action": "hand_over", "hand_over-version": "1", "hand_over-agency": "999999"},
])
def test_bad_action_posts_answer_with_the_page_never_a_500(client: Client, office: Office, data: dict) -> None:
    d = receive(office)
    client.force_login(office.counter)
    response = client.post(reverse("office:dossier_action", args=[d.code]), data)
    assert response.status_code in (400, 403, 409)
    assert d.code in response.content.decode()
    d.refresh_from_db()
    assert d.status == "received"


def test_reason_is_required_where_the_law_wants_one(client: Client, office: Office) -> None:
    d = receive(office, online=True)
    client.force_login(office.counter)
    response = act(client, d, "reject_intake", reason="")
    assert response.status_code == 400
    d.refresh_from_db()
    assert d.status == "submitted"
    assert act(client, d, "reject_intake", reason="Không thuộc thẩm quyền").status_code == 302
    d.refresh_from_db()
    assert d.status == "rejected_intake"


def test_a_stale_page_does_not_overwrite_a_newer_change(client: Client, office: Office) -> None:
    d = receive(office)
    client.force_login(office.counter)
    stale_version = d.version
    services.perform(d, "hand_over", role="counter", actor=office.counter)
    response = client.post(reverse("office:dossier_action", args=[d.code]),
                           {"action": "hand_over", "hand_over-version": str(stale_version)})
    assert response.status_code in (403, 409)
    d.refresh_from_db()
    assert d.current_step == 2


def test_applicant_is_masked_for_processing_staff_and_shown_to_the_counter(client: Client, office: Office) -> None:
    d = receive(office)
    client.force_login(office.counter)
    assert "001203004567" in page(client, d)
    client.force_login(office.specialist)
    html = page(client, d)
    assert "001203004567" not in html and "********4567" in html and "0912345678" not in html


def test_steps_and_timeline_are_shown(client: Client, office: Office) -> None:
    d = receive(office)
    client.force_login(office.counter)
    html = page(client, d)
    for step in d.steps.all():
        assert f'data-step="{step.order}"' in html
        assert timezone.localtime(step.due_at).strftime("%H giờ %M, ngày %d/%m/%Y") in html
    assert "Tiếp nhận hồ sơ tại quầy" in html


def test_action_post_without_csrf_token_is_refused(office: Office) -> None:
    d = receive(office)
    client = Client(enforce_csrf_checks=True)
    client.force_login(office.counter)
    response = client.post(reverse("office:dossier_action", args=[d.code]),
                           {"action": "hand_over", "hand_over-version": str(d.version)})
    assert response.status_code == 403
    d.refresh_from_db()
    assert d.status == "received"


def test_hand_over_to_another_agency_of_the_tree_and_not_outside_it(client: Client, office: Office) -> None:
    from motcua.units.models import Agency

    department = Agency.objects.create(code="STP9", name="Sở Tư pháp", kind="department",
                                       unit=office.world.province, level="province")
    d = receive(office)
    client.force_login(office.counter)
    outside = act(client, d, "hand_over", agency=str(office.world.other_agency.pk))
    assert outside.status_code == 400
    d.refresh_from_db()
    assert d.current_step == 1
    assert act(client, d, "hand_over", agency=str(department.pk)).status_code == 302
    d.refresh_from_db()
    assert d.current_step == 2 and d.steps.get(order=2).agency == department
    assert d.events.get(action="hand_over").payload["agency"] == "STP9"
