"""On PostgreSQL, a pg_trgm GIN index on dossiers' folded applicant names, so that the officials'
search "name contains ..." (motcua.office.dossier_search) stays an index scan at millions of rows.
Elsewhere (SQLite) nothing: the search is the same query, without the index."""
from django.db import migrations

INDEX = "office_dossier_name_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("dossiers", "Dossier")._meta.db_table)
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON {table} "
                          "USING gin (applicant_name_folded gin_trgm_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):

    dependencies = [
        ("office", "0002_loginfailure_office_logi_ip_14491e_idx"),
        ("dossiers", "0009_files_assignee_search"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
