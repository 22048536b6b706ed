"""One policy: what the screen offers, what the API lists and what the services accept are one set.

For every status, every acting role and every place a role may be held relative to the dossier —
the dossier's own agency, the agency of its current step, an agency of an earlier (or later) step,
another agency of the unit, an agency of another unit — the three answers are compared. A 2018
dossier at its last step (no hand-over: no next step; no stop notice: not in that regime) is a case
of its own.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from motcua.catalog.models import Procedure, RouteStep
from motcua.dossiers import services
from motcua.dossiers.lifecycle import SYSTEM, Action, Status
from motcua.dossiers.models import Dossier
from motcua.units.models import AdministrativeUnit, Agency, StaffRole
from tests.factories import at

pytestmark = pytest.mark.django_db

ROLES = ("counter", "specialist", "head", "leader")
PLACES = ("own", "current_step", "other_step", "other_agency", "other_unit")
# How each status is reached from a dossier received at the counter and taken to step 3.
PATHS: dict[Status, tuple[tuple[Action, dict], ...]] = {
    Status.IN_PROCESSING: (),
    Status.AWAITING_SUPPLEMENT: ((Action.REQUEST_SUPPLEMENT, {"note": "Thiếu bản sao"}),),
    Status.AWAITING_PAYMENT: ((Action.REQUEST_PAYMENT, {"note": "Lệ phí"}),),
    Status.RESULT_READY: ((Action.RESOLVE, {}),),
    Status.REFUSED: ((Action.REFUSE, {"reason": "Không đủ điều kiện"}),),
    Status.STOPPED: ((Action.STOP, {"reason": "Theo đề nghị của cơ quan thuế"}),),
    Status.RETURNED: ((Action.RESOLVE, {}), (Action.RETURN, {})),
}
CASES = [(status, "2025") for status in Status] + [(Status.IN_PROCESSING, "2018")]


@dataclass
class Place:
    agencies: dict[str, Agency]
    procedure: Procedure
    commune: AdministrativeUnit


def _place() -> Place:
    since = dt.date(2018, 1, 1)
    province = AdministrativeUnit.objects.create(code="P97", name="Tỉnh Chính Sách", level="province",
                                                 valid_from=since)
    commune = AdministrativeUnit.objects.create(code="P97001", name="Xã Một", level="commune", parent=province,
                                                valid_from=since)
    other = AdministrativeUnit.objects.create(code="P97002", name="Xã Hai", level="commune", parent=province,
                                              valid_from=since)

    def agency(code: str, kind: str, unit: AdministrativeUnit = commune) -> Agency:
        return Agency.objects.create(code=code, name=f"Cơ quan {code}", kind=kind, unit=unit, level="commune",
                                     has_one_stop=kind == "ubnd")

    agencies = {
        "own": agency("P-UBND", "ubnd"), "step2": agency("P-PHONG", "office"), "step3": agency("P-KHAC", "other"),
        "other_agency": agency("P-TTHC", "centre"), "other_unit": agency("P-UBND2", "ubnd", other),
    }
    procedure = Procedure.objects.create(code="P.000001", name="Thủ tục ba bước", levels=["commune"],
                                         legal_minutes=10 * 480, channels=["counter", "online_full"])
    for order, (kind, share) in enumerate((("ubnd", 480), ("office", 2400), ("other", 1920)), start=1):
        RouteStep.objects.create(procedure=procedure, order=order, name=f"Bước {order}", role="specialist",
                                 share_minutes=share, agency_level="commune", agency_kind=kind)
    return Place(agencies, procedure, commune)


def _dossier(place: Place, status: Status, regime: str) -> Dossier:
    """A dossier in ``status``, taken by the system (the roles under test take nothing)."""
    start = at("2024-06-03 09:00") if regime == "2018" else timezone.now() - dt.timedelta(minutes=30)
    tick = iter(start + dt.timedelta(minutes=i) for i in range(1, 20))
    online = status in (Status.SUBMITTED, Status.REJECTED_INTAKE, Status.WITHDRAWN)
    d = services.receive(procedure=place.procedure, unit=place.commune, agency=place.agencies["own"],
                         online=online, at=start, role=SYSTEM)
    if status == Status.REJECTED_INTAKE:
        return services.perform(d, Action.REJECT_INTAKE, role=SYSTEM, reason="Sai thủ tục", at=next(tick))
    if status == Status.WITHDRAWN:  # withdrawn before intake (received dossiers stop, in this regime)
        return services.perform(d, Action.WITHDRAW, role=SYSTEM, reason="Người nộp rút", at=next(tick))
    if status in (Status.SUBMITTED, Status.RECEIVED):
        return d
    for _ in range(2):  # to step 3
        d = services.perform(d, Action.HAND_OVER, role=SYSTEM, at=next(tick))
    for action, inputs in PATHS[status]:
        d = services.perform(d, action, role=SYSTEM, at=next(tick), **inputs)
    assert d.status == status and (d.regime == regime)
    return d


def _officer(role: str, agency: Agency) -> object:
    user = get_user_model().objects.create_user(f"{role}.{agency.code}".lower())
    StaffRole.objects.create(user=user, role=role, agency=agency)
    return user


def _screen(client: Client, d: Dossier) -> set[str]:
    response = client.get(reverse("office:dossier", args=[d.code]))
    if response.status_code == 404:
        return set()
    assert response.status_code == 200
    return set(re.findall(r'data-action="([a-z_]+)"', response.content.decode()))


def _api(client: Client, d: Dossier) -> set[str]:
    response = client.get(f"/api/dossiers/{d.code}/actions")
    if response.status_code == 404:
        return set()
    assert response.status_code == 200
    return {a["action"] for a in response.json()["actions"]}


class _Undo(Exception):
    pass


def _officer_of_the_step(d: Dossier) -> object:
    """Someone ``assign`` may name: a specialist of the current step's agency (made inside the try)."""
    step = d.steps.filter(order=d.current_step).select_related("agency").first()
    agency = (step.agency if step is not None else None) or d.agency
    held = StaffRole.objects.filter(agency=agency, role="specialist").select_related("user").first()
    return held.user if held is not None else _officer("specialist", agency)


def _accepted(d: Dossier, user: object) -> set[str]:
    """The actions ``services.perform`` accepts from this user now, each tried and undone."""
    fresh = Dossier.objects.get(pk=d.pk)
    new_due = (fresh.due_at or timezone.now()) + dt.timedelta(days=7)
    found = set()
    for action in Action:
        try:
            with transaction.atomic():
                services.perform(fresh.pk, action, actor=user, expected_version=fresh.version, note="Ghi chú",
                                 reason="Căn cứ", new_due_at=new_due if action == Action.APOLOGIZE else None,
                                 assignee=_officer_of_the_step(fresh) if action == Action.ASSIGN else None)
                raise _Undo
        except _Undo:
            found.add(action.value)
        except services.DossierError:
            pass
    assert Dossier.objects.get(pk=d.pk).version == fresh.version  # every try was undone
    return found


@pytest.mark.slow
@pytest.mark.parametrize(("status", "regime"), CASES, ids=[f"{s.value}-{r}" for s, r in CASES])
def test_screen_api_and_services_answer_the_same(status: Status, regime: str) -> None:
    place = _place()
    d = _dossier(place, status, regime)
    at_step3 = d.current_step == 3
    where = {
        "own": place.agencies["own"],
        "current_step": place.agencies["step3"] if at_step3 else place.agencies["own"],
        "other_step": place.agencies["step2"],  # an earlier step at step 3; a later one before
        "other_agency": place.agencies["other_agency"],
        "other_unit": place.agencies["other_unit"],
    }
    answers = {}
    users: dict[tuple[str, int], object] = {}
    for role in ROLES:
        for name in PLACES:
            key = (role, where[name].pk)
            user = users[key] = users.get(key) or _officer(role, where[name])
            client = Client()
            client.force_login(user)
            screen, api, accepted = _screen(client, d), _api(client, d), _accepted(d, user)
            case = f"{status.value}/{regime}: {role} at {name}"
            assert screen == api == accepted, f"{case}: screen {sorted(screen)}, API {sorted(api)}, " \
                                              f"services {sorted(accepted)}"
            answers[(role, name)] = accepted
    # The answers are not all empty: someone acts on every open dossier, nobody from elsewhere.
    if status in (Status.RECEIVED, Status.IN_PROCESSING, Status.SUBMITTED, Status.RESULT_READY):
        assert any(answers[(r, "own")] or answers[(r, "current_step")] for r in ROLES)
    assert not any(answers[(r, n)] for r in ROLES for n in ("other_agency", "other_unit"))
    if at_step3:  # the agency of an earlier step reads the dossier but no longer acts on it
        assert not any(answers[(r, "other_step")] for r in ROLES)
    if regime == "2018":
        assert not any({"hand_over", "stop"} & answers[(r, n)] for r in ROLES for n in PLACES)


# --- holes closed, each through the services ------------------------------------------------------

def _counter_case() -> tuple[Place, Dossier, object, Client]:
    place = _place()
    d = _dossier(place, Status.RECEIVED, "2025")
    counter = _officer("counter", place.agencies["own"])
    client = Client()
    client.force_login(counter)
    return place, d, counter, client


def test_api_hand_over_to_another_units_agency_is_400_and_changes_nothing() -> None:
    place, d, _counter, client = _counter_case()
    before = (d.status, d.version, d.current_step, list(d.steps.values_list("agency_id", flat=True)))
    response = client.post(f"/api/dossiers/{d.code}/actions/hand_over", {"agency_code": "P-UBND2"},
                           content_type="application/json", HTTP_IF_MATCH=f'"{d.version}"')
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "bad_input" and "P-UBND2" in response.json()["message"]
    d.refresh_from_db()
    assert (d.status, d.version, d.current_step, list(d.steps.values_list("agency_id", flat=True))) == before
    assert d.events.count() == 1
    # The same move to an agency of the route goes through.
    ok = client.post(f"/api/dossiers/{d.code}/actions/hand_over", {"agency_code": "P-PHONG"},
                     content_type="application/json", HTTP_IF_MATCH=f'"{d.version}"')
    assert ok.status_code == 200 and ok.json()["status"] == "in_processing"


def test_a_stale_version_is_refused_by_the_services_api_and_screen() -> None:
    place, d, counter, client = _counter_case()
    seen = d.version
    services.perform(d, Action.HAND_OVER, role=SYSTEM)  # someone else acts first
    with pytest.raises(services.Conflict):
        services.perform(d.pk, Action.STOP, actor=counter, expected_version=seen)
    stale = client.post(f"/api/dossiers/{d.code}/actions/stop", {}, content_type="application/json",
                        HTTP_IF_MATCH=f'"{seen}"')
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    in_body = client.post(f"/api/dossiers/{d.code}/actions/stop", {"version": seen},
                          content_type="application/json")
    assert in_body.status_code == 409 and in_body.json()["code"] == "conflict"
    page = client.post(reverse("office:dossier_action", args=[d.code]),
                       {"action": "stop", "stop-version": str(seen)})
    assert page.status_code == 409 and "vừa được người khác cập nhật" in page.content.decode()
    d.refresh_from_db()
    assert d.status == Status.IN_PROCESSING and d.version == seen + 1
    listed = client.get(f"/api/dossiers/{d.code}/actions").json()
    assert listed["version"] == d.version
    fresh = client.post(f"/api/dossiers/{d.code}/actions/stop", {}, content_type="application/json",
                        HTTP_IF_MATCH=f'"{listed["version"]}"')
    assert fresh.status_code == 200 and fresh.json()["status"] == "stopped"
    bad = client.post(f"/api/dossiers/{d.code}/actions/stop", {}, content_type="application/json",
                      HTTP_IF_MATCH="yesterday")
    assert bad.status_code == 400 and bad.json()["code"] == "bad_input"


def test_the_api_lists_the_inputs_each_action_requires() -> None:
    _place_, d, _counter, client = _counter_case()
    listed = {a["action"]: a for a in client.get(f"/api/dossiers/{d.code}/actions").json()["actions"]}
    assert listed["hand_over"]["role"] == "counter" and "agency_code" in listed["hand_over"]["optional"]
    missing = client.post(f"/api/dossiers/{d.code}/actions/hand_over", {"new_due_at": "2030-01-01T00:00:00+07:00"},
                          content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-missing")
    assert missing.status_code == 400 and "Ngày hẹn trả mới" in missing.json()["message"]
