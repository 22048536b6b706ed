"""On PostgreSQL, a B-tree prefix index (varchar_pattern_ops) on dossiers' folded applicant names: the
officials' search by a full name typed from the family name ("begins with", motcua.office.dossier_search)
reads only the names that begin so, in a time that does not grow with the table, where the trigram
index's posting lists of the syllables every name shares ("thi", "van") do. SQLite: nothing."""
from django.db import migrations

INDEX = "office_dossier_name_prefix"


def create(apps, schema_editor):  # noqa: ANN001, ANN201
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("dossiers", "Dossier")._meta.db_table)
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON {table} "
                          "(applicant_name_folded varchar_pattern_ops)")


def drop(apps, schema_editor):  # noqa: ANN001, ANN201
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):

    dependencies = [("office", "0003_applicant_name_trigram")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
