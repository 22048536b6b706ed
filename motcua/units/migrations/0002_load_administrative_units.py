"""Load the real administrative units: legacy (Decision 124/2004, with districts, to 2025-06-30),
current (Decision 19/2025, from 2025-07-01) and the 2025 successor links. See motcua/units/loader.py."""
from django.db import migrations

from motcua.units.loader import load_units, unload_units


class Migration(migrations.Migration):

    dependencies = [
        ("units", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load_units, unload_units, elidable=False),
    ]
