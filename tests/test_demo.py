"""seed_demo: the demo world (agencies, staff of every role), dossiers in every reachable status
driven through the services, idempotent; clear errors on bad input."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from motcua.demo.world import DEMO_PASSWORD
from motcua.dossiers.lifecycle import Status
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.roles import STAFF_ROLES
from motcua.units.models import AdministrativeUnit, Agency, Level, StaffRole


# The units are the real ones, loaded by the units' data migration (Tuyên Quang, code 08).
@pytest.fixture
def units(db: None) -> AdministrativeUnit:
    return AdministrativeUnit.objects.current().get(level=Level.PROVINCE, code="08")


def _seed(n: int = 60, seed: int = 7) -> str:
    out = io.StringIO()
    call_command("seed_demo", dossiers=n, seed=seed, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_seed_demo_builds_world_dossiers_in_every_state_and_is_idempotent(units: AdministrativeUnit) -> None:
    out = _seed()
    # staff of every role, with StaffRole rows, and the printed logins table
    roles = set(StaffRole.objects.values_list("role", flat=True))
    assert roles == {r.value for r in STAFF_ROLES}
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(DEMO_PASSWORD)
    counter = get_user_model().objects.get(username="lambinh.motcua")
    assert counter.check_password(DEMO_PASSWORD)
    assert "lambinh.motcua" in out and "Xã Minh Quang" in out
    assert DEMO_PASSWORD in out and "http://127.0.0.1:8000/" in out
    kinds = set(Agency.objects.all().values_list("kind", flat=True))
    assert {"centre", "ubnd", "department", "office", "other"} <= kinds

    # dossiers: every status the lifecycle can reach
    assert Dossier.objects.count() == 60
    statuses = set(Dossier.objects.values_list("status", flat=True))
    assert statuses == {s.value for s in Status}
    channels = set(Dossier.objects.values_list("channel", flat=True))
    assert {"counter", "online"} <= channels
    assert "dịch vụ từ chối" not in out  # the services refused nothing
    # the history is the services' events, each dossier's strictly ordered
    for dossier in Dossier.objects.all():
        ats = list(dossier.events.order_by("seq").values_list("at", flat=True))
        assert ats == sorted(ats) and ats
    assert DossierEvent.objects.filter(action="receive").exists()
    assert DossierEvent.objects.filter(action="submit").exists()
    # the dossier before the reform was received by the old commune, under the 2018 regime
    for dossier in Dossier.objects.filter(received_at__date__lt=dt.date(2025, 7, 1)).select_related("unit"):
        assert dossier.regime == "2018"
        assert dossier.unit.valid_to == dt.date(2025, 6, 30)  # the commune as it was then
    assert Dossier.objects.filter(regime="2018").exists() and Dossier.objects.filter(regime="2025").exists()

    counts = (Dossier.objects.count(), DossierEvent.objects.count(), get_user_model().objects.count(),
              StaffRole.objects.count(), Agency.objects.count())
    second = _seed()
    assert "60 đã có" in second
    assert counts == (Dossier.objects.count(), DossierEvent.objects.count(), get_user_model().objects.count(),
                      StaffRole.objects.count(), Agency.objects.count())


@pytest.mark.django_db
def test_seed_demo_is_deterministic_for_a_seed(units: AdministrativeUnit) -> None:
    _seed(20, seed=3)
    first = list(Dossier.objects.order_by("idempotency_key").values_list("procedure__code", "status",
                                                                         "applicant_name"))
    Dossier.objects.all().delete()
    _seed(20, seed=3)
    again = list(Dossier.objects.order_by("idempotency_key").values_list("procedure__code", "status",
                                                                         "applicant_name"))
    assert first == again


@pytest.mark.django_db
def test_seed_demo_refuses_a_negative_count(units: AdministrativeUnit) -> None:
    with pytest.raises(CommandError, match="--dossiers"):
        call_command("seed_demo", dossiers=-1, stdout=io.StringIO())


@pytest.mark.django_db
def test_seed_demo_without_units_says_so() -> None:
    AdministrativeUnit.objects.filter(valid_to__isnull=True).update(valid_to=dt.date(2025, 6, 30))
    with pytest.raises(CommandError, match="đơn vị hành chính"):
        call_command("seed_demo", dossiers=1, stdout=io.StringIO())
