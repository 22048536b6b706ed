from django.db import migrations, models
from django.db.models import Max, OuterRef, Subquery


def backfill(apps, schema_editor):
    Dossier = apps.get_model("dossiers", "Dossier")
    DossierEvent = apps.get_model("dossiers", "DossierEvent")
    latest = DossierEvent.objects.filter(dossier=OuterRef("pk")).values("dossier").annotate(m=Max("at")).values("m")
    Dossier.objects.update(last_event_at=Subquery(latest))


class Migration(migrations.Migration):

    dependencies = [
        ("dossiers", "0002_dossier_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="dossier",
            name="last_event_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
