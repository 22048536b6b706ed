"""A token carries only a role its user holds: refused at issue, and dead once the role is taken away."""
from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from motcua.api.models import ApiToken
from motcua.units.models import StaffRole
from tests.test_api import bearer, world  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def test_a_role_the_user_does_not_hold_is_refused_at_issue(world) -> None:  # noqa: F811
    with pytest.raises(CommandError, match="không giữ vai trò head"):
        call_command("create_api_token", "--user", "counter_a", "--role", "head", "--name", "Kiosk")
    with pytest.raises(CommandError, match="cần vai trò admin"):
        call_command("create_api_token", "--user", "counter_a", "--role", "system", "--name", "Cổng")
    assert not ApiToken.objects.filter(user=world["users"]["counter_a"]).exists()


def test_a_token_stops_working_when_its_role_is_taken_away(client, world) -> None:  # noqa: ANN001, F811
    headers = bearer(world["counter_b_key"])
    assert client.get("/api/dossiers", **headers).status_code == 200
    StaffRole.objects.filter(user=world["users"]["counter_b"], role="counter").delete()
    response = client.get("/api/dossiers", **headers)
    assert response.status_code == 401 and response.json()["code"] == "unauthorized"
