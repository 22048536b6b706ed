"""Indicator 4.1 (results issued electronically) is computed now that the agency attaches result files:
the note saying there was no data goes from the 766-2022 set loaded by 0003 (a note edited by hand stays)."""
from django.db import migrations

OLD_NOTE = "Hệ thống chưa lưu kết quả điện tử: chưa có dữ liệu, không áp dụng."


def forwards(apps, schema_editor) -> None:  # noqa: ANN001
    Indicator = apps.get_model("quality", "Indicator")
    Indicator.objects.filter(group__indicator_set__code="766-2022", code="4.1", note=OLD_NOTE).update(note="")


def backwards(apps, schema_editor) -> None:  # noqa: ANN001
    Indicator = apps.get_model("quality", "Indicator")
    Indicator.objects.filter(group__indicator_set__code="766-2022", code="4.1", note="").update(note=OLD_NOTE)


class Migration(migrations.Migration):
    dependencies = [("quality", "0004_vietnamese_names")]
    operations = [migrations.RunPython(forwards, backwards)]
