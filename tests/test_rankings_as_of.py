"""Item 7: the ranking counts as form 06 does, at the same as-of instant, and says which."""
from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from motcua.documents.templatetags.vndates import human_datetime
from motcua.dossiers import services
from motcua.workdays import TZ
from tests.stats_support import make_staff
from tests.test_rankings import commune, procedure, province  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def test_rankings_use_the_same_as_of_as_form06(province, procedure):  # noqa: F811
    now = timezone.now().astimezone(TZ)
    today = now.date()
    # A period still running: form 06 counts as of now.
    period = {"period": "custom", "from": (today - dt.timedelta(days=3)).isoformat(),
              "to": (today + dt.timedelta(days=30)).isoformat()}
    unit = commune(province, 1)
    # Received an hour ago, due in a working day: within time now, overdue at the end of the period.
    d = services.receive(procedure=procedure, unit=unit, agency=unit.agencies.first(),
                         at=now - dt.timedelta(hours=1))
    assert now < d.due_at < now + dt.timedelta(days=20)
    client = Client()
    client.force_login(make_staff("lanhdao_xh", "leader", unit=province))
    form06 = client.get(reverse("stats:form06"), {"unit": "88", "by": "child", **period})
    assert form06.status_code == 200
    report = form06.context["report"]
    rate = {r["key"]: r["on_time_rate"] for r in report["rows"]}["88001"]
    assert rate == 1.0 and report["as_of"][:10] == today.isoformat()
    page = client.get(reverse("stats:rankings"), {"unit": "88", "min": "0", **period})
    assert page.status_code == 200
    assert [r["value"] for r in page.context["rows"] if r["code"] == "88001"] == [rate]
    label = page.context["as_of"]
    assert label[:10] == today.isoformat() and "23:59:59" not in label
    assert f"tính đến {human_datetime(label)}" in page.content.decode()  # read as people write it, not ISO
    dash = client.get(reverse("stats:dashboard"), {"unit": "88", **period})
    assert dash.status_code == 200
    assert [r["value"] for r in dash.context["ranking"] if r["code"] == "88001"] == [rate]
    assert "tính đến " + human_datetime(dash.context["report"]["as_of"]) in dash.content.decode()
