"""The whole API, property-tested from its own OpenAPI document (schemathesis): for every operation,
generated requests — valid and not — never get a server error, and every status answered is one the
document declares. The number of examples per operation is bounded (MOTCUA_SCHEMATHESIS_EXAMPLES,
20 by default) so that `make test` stays within its time."""
from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from motcua.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
EXAMPLES = int(os.environ.get("MOTCUA_SCHEMATHESIS_EXAMPLES", "20"))
pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def keep_the_test_connection():  # noqa: ANN201
    """A WSGI request ends by closing old connections; the test's own must survive it (Django's
    test client does the same)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(db: None) -> str:
    """A province administrator's integration token: it may read and try to write everywhere."""
    from django.contrib.auth import get_user_model

    from motcua.api.models import ApiToken
    from motcua.units.models import AdministrativeUnit, StaffRole

    user = get_user_model().objects.create_user("schemathesis")
    StaffRole.objects.create(user=user, role="admin",
                             unit=AdministrativeUnit.objects.filter(level="province").order_by("code").first())
    return ApiToken.issue(user=user, role="system", name="schemathesis")[1]


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@pytest.mark.django_db
def test_no_server_error_and_no_undocumented_status(case, token: str) -> None:  # noqa: ANN001
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"},
                           checks=[not_a_server_error, status_code_conformance])
