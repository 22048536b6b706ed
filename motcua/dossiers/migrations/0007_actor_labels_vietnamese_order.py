"""Event actor labels written family name first (họ, đệm, tên).

Labels were written "<first_name> <last_name> (<role>)" by Django's get_full_name(): "Giang Đinh Quang
(Bộ phận một cửa)" for the user whose last_name is "Đinh Quang" and first_name "Giang". This rewrites
them "Đinh Quang Giang (Bộ phận một cửa)", as motcua.people.person_name writes new ones. Only labels
that begin with the old form of their actor's name change; the reverse puts the old order back.
"""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Concat, Substr


def _names(user: Any) -> tuple[str, str]:
    """(get_full_name() order, Vietnamese order) of a historical user."""
    first, last = (user.first_name or "").strip(), (user.last_name or "").strip()
    return f"{first} {last}".strip(), " ".join(p for p in (last, first) if p)


def _rewrite(apps: Any, schema_editor: Any, forward: bool) -> None:
    event_model = apps.get_model("dossiers", "DossierEvent")
    user_model = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    actor_ids = event_model.objects.exclude(actor=None).values_list("actor_id", flat=True).distinct()
    for user in user_model.objects.filter(pk__in=list(actor_ids)).only("first_name", "last_name"):
        western, vietnamese = _names(user)
        old, new = (western, vietnamese) if forward else (vietnamese, western)
        if not old or old == new:
            continue
        event_model.objects.filter(actor_id=user.pk, actor_label__startswith=f"{old} (").update(
            actor_label=Concat(Value(new), Substr("actor_label", len(old) + 1)),
        )


def forwards(apps: Any, schema_editor: Any) -> None:
    _rewrite(apps, schema_editor, forward=True)


def backwards(apps: Any, schema_editor: Any) -> None:
    _rewrite(apps, schema_editor, forward=False)


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0006_alter_dossier_status_alter_dossierevent_action"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=True)]
