"""Assigning a dossier's step to a named officer: the lifecycle's ``assign`` action and the optional
``assignee`` of a hand-over, through the one writer, on the dossier page and in the API; "my dossiers"."""
from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from motcua.dossiers import services
from motcua.dossiers.lifecycle import Action, EventKind, Status
from motcua.dossiers.models import Dossier
from motcua.units.models import StaffRole
from tests.factories import at
from tests.office_support import Office, make_office, make_user, receive

pytestmark = pytest.mark.django_db



@pytest.fixture
def office() -> Office:
    return make_office()


def handed(office: Office) -> Dossier:
    """A dossier received and handed to step 2 (the specialist's, at the commune's agency)."""
    d = receive(office, at=at("2026-03-16 09:00"))
    return services.perform(d, Action.HAND_OVER, actor=office.counter, at=at("2026-03-16 09:30"))


def post_action(client: Client, d: Dossier, action: str, **fields: object):  # noqa: ANN201
    d.refresh_from_db()
    data = {"action": action, f"{action}-version": str(d.version)}
    data.update({f"{action}-{k}": str(v) for k, v in fields.items()})
    return client.post(reverse("office:dossier_action", args=[d.code]), data)


def test_head_assigns_a_specialist_on_the_page_the_status_stays(client: Client, office: Office) -> None:
    d = handed(office)
    client.force_login(office.head)
    page = client.get(reverse("office:dossier", args=[d.code])).content.decode()
    assert 'data-action="assign"' in page and "Chưa giao đích danh" in page
    response = post_action(client, d, "assign", assignee=office.specialist.pk)
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.assignee == office.specialist and d.status == Status.IN_PROCESSING and d.current_step == 2
    event = d.events.order_by("-seq").first()
    assert event.action == EventKind.ASSIGN and event.actor == office.head
    assert event.payload["assignee"] == "chuyenvien_a" and event.from_status == event.to_status
    page = client.get(reverse("office:dossier", args=[d.code])).content.decode()
    assert re.search(r'data-testid="assignee">Chuyenvien_A', page)


def test_only_head_or_leader_assigns(client: Client, office: Office) -> None:
    d = handed(office)
    client.force_login(office.specialist)
    assert 'data-action="assign"' not in client.get(reverse("office:dossier", args=[d.code])).content.decode()
    with pytest.raises(services.Forbidden):
        services.perform(d, Action.ASSIGN, actor=office.specialist, assignee=office.specialist)
    assert Dossier.objects.get(pk=d.pk).assignee is None


def test_a_user_without_a_role_at_the_agency_is_refused_with_a_clear_message(office: Office) -> None:
    d = handed(office)
    version = Dossier.objects.get(pk=d.pk).version
    with pytest.raises(services.InvalidInput) as refused:
        services.perform(d, Action.ASSIGN, actor=office.head, assignee=office.other_counter)
    assert "motcua_b" in refused.value.message and "không giữ vai trò xử lý hồ sơ tại UBND xã Một" in (
        refused.value.message)
    with pytest.raises(services.InvalidInput) as unknown:
        services.perform(d, Action.ASSIGN, actor=office.head, assignee="khong_co_ai")
    assert "khong_co_ai" in unknown.value.message
    after = Dossier.objects.get(pk=d.pk)
    assert after.assignee is None and after.version == version  # nothing written


def test_a_user_outside_the_list_is_refused_on_the_page(client: Client, office: Office) -> None:
    d = handed(office)
    client.force_login(office.head)
    response = post_action(client, d, "assign", assignee=office.other_counter.pk)
    assert response.status_code == 400
    assert "Lựa chọn không hợp lệ" in response.content.decode()
    assert Dossier.objects.get(pk=d.pk).assignee is None


def test_hand_over_with_a_name_assigns_and_without_one_clears(client: Client, office: Office) -> None:
    d = receive(office, at=at("2026-03-16 09:00"))
    client.force_login(office.counter)
    page = client.get(reverse("office:dossier", args=[d.code])).content.decode()
    assert 'name="hand_over-assignee"' in page
    assert post_action(client, d, "hand_over", assignee=office.specialist.pk).status_code == 302
    d.refresh_from_db()
    assert d.assignee == office.specialist and d.current_step == 2
    assert d.events.order_by("-seq").first().payload["assignee"] == "chuyenvien_a"
    services.perform(d, Action.HAND_OVER, actor=office.specialist)
    d.refresh_from_db()
    assert d.assignee is None and d.current_step == 3


def test_hand_over_naming_someone_of_another_agency_is_refused(office: Office) -> None:
    d = receive(office, at=at("2026-03-16 09:00"))
    with pytest.raises(services.InvalidInput, match="không giữ vai trò"):
        services.perform(d, Action.HAND_OVER, actor=office.counter, assignee="motcua_b")
    d.refresh_from_db()
    assert d.current_step == 1 and d.status == Status.RECEIVED  # the whole hand-over refused


def test_my_dossiers_tab(client: Client, office: Office) -> None:
    mine = handed(office)
    other = handed(office)
    colleague = make_user("chuyenvien_b", "specialist", office.world.agency)
    services.perform(mine, Action.ASSIGN, actor=office.head, assignee=office.specialist)
    services.perform(other, Action.ASSIGN, actor=office.head, assignee=colleague)
    client.force_login(office.specialist)
    html = client.get(reverse("office:inbox"), {"tab": "mine"}).content.decode()
    assert re.findall(r'<tr data-code="([^"]+)"', html) == [mine.code]
    assert re.search(r'data-tab="mine"[^>]*>[^<]*<span [^>]*data-count="1"', html)
    client.force_login(colleague)
    html = client.get(reverse("office:inbox"), {"tab": "mine"}).content.decode()
    assert re.findall(r'<tr data-code="([^"]+)"', html) == [other.code]


def api_act(client: Client, code: str, action: str, **body: object):  # noqa: ANN201
    return client.post(f"/api/dossiers/{code}/actions/{action}", body, content_type="application/json",
                       HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)


def test_api_assign_and_hand_over_with_assignee(client: Client, office: Office) -> None:
    d = handed(office)
    client.force_login(office.head)
    offered = client.get(f"/api/dossiers/{d.code}/actions").json()["actions"]
    assign = next(a for a in offered if a["action"] == "assign")
    assert assign["required"] == ["assignee"]
    hand_over = next(a for a in offered if a["action"] == "hand_over")
    assert "assignee" in hand_over["optional"]
    ok = api_act(client, d.code, "assign", assignee="chuyenvien_a")
    assert ok.status_code == 200, ok.content
    assert Dossier.objects.get(pk=d.pk).assignee == office.specialist
    missing = api_act(client, d.code, "assign")
    assert missing.status_code == 400 and "Cán bộ được giao" in missing.json()["message"]
    foreign = api_act(client, d.code, "assign", assignee="motcua_b")
    assert foreign.status_code == 400 and foreign.json()["code"] == "bad_input"
    assert "không giữ vai trò" in foreign.json()["message"]
    unknown = api_act(client, d.code, "assign", assignee="khong_co_ai")
    assert unknown.status_code == 400 and "khong_co_ai" in unknown.json()["message"]
    assert api_act(client, d.code, "hand_over", assignee="truongphong_a").status_code == 200
    d.refresh_from_db()
    assert d.assignee == office.head and d.current_step == 3
    client.force_login(office.specialist)
    assert api_act(client, d.code, "assign", assignee="chuyenvien_a").status_code == 403


def test_a_unit_scoped_role_counts_only_where_the_step_names_no_agency(office: Office) -> None:
    d = handed(office)
    unit_user = make_user("xa_mot", "specialist", office.world.agency)
    StaffRole.objects.filter(user=unit_user).update(agency=None, unit=office.world.commune)
    with pytest.raises(services.InvalidInput):  # the step is at the agency: a role at the unit is not there
        services.perform(d, Action.ASSIGN, actor=office.head, assignee=unit_user)
