"""Evidence becomes EvidenceLink: the parameters it was computed with and the live document's address;
the kinds named as the follow-up and the API name them (late_without_apology, quality_index)."""
from django.db import migrations, models

RENAMED = {"late_no_apology": "late_without_apology", "index766": "quality_index"}


def rename_kinds(apps, schema_editor, mapping=RENAMED):  # noqa: ANN001, ANN201
    link = apps.get_model("inspections", "EvidenceLink")
    for old, new in mapping.items():
        link.objects.filter(kind=old).update(kind=new)


def restore_kinds(apps, schema_editor):  # noqa: ANN001, ANN201
    rename_kinds(apps, schema_editor, {new: old for old, new in RENAMED.items()})


class Migration(migrations.Migration):

    dependencies = [
        ("inspections", "0001_initial"),
    ]

    operations = [
        migrations.RenameModel("Evidence", "EvidenceLink"),
        migrations.AddField(
            model_name="evidencelink",
            name="parameters",
            field=models.JSONField(default=dict, help_text="Tham số tính: mã đơn vị, từ ngày, đến ngày"),
        ),
        migrations.AddField(
            model_name="evidencelink",
            name="url",
            field=models.CharField(blank=True, help_text="Địa chỉ của tài liệu trực tiếp (số liệu hiện tại)",
                                   max_length=500),
        ),
        migrations.AlterField(
            model_name="evidencelink",
            name="kind",
            field=models.CharField(choices=[
                ("report06", "Báo cáo tình hình giải quyết TTHC (mẫu 06)"),
                ("late_without_apology", "Hồ sơ trễ hạn chưa có phiếu xin lỗi"),
                ("logbook", "Sổ theo dõi hồ sơ"),
                ("quality_index", "Bộ chỉ số phục vụ người dân, doanh nghiệp (766)")], max_length=20),
        ),
        migrations.RunPython(rename_kinds, restore_kinds),
    ]
