"""Indicators of a rating-based kind name the fact counting their ratings (``sample``), and the 2022
set becomes the Decision's own indicators, read from ``motcua/quality/data/766-2022.json``."""
from django.db import migrations, models


def load(apps, schema_editor):
    from motcua.quality.loader import SET_2022, read_set, load_set

    load_set(read_set(SET_2022), apps.get_model("quality", "IndicatorSet"),
             apps.get_model("quality", "IndicatorGroup"), apps.get_model("quality", "Indicator"))


class Migration(migrations.Migration):
    dependencies = [("quality", "0002_indicator_set_2022")]
    operations = [
        migrations.AddField(
            model_name="indicator",
            name="sample",
            field=models.CharField(
                blank=True, max_length=40,
                help_text="Chỉ tiêu dựa trên đánh giá: dữ kiện đếm số đánh giá (cỡ mẫu tối thiểu)"),
        ),
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
