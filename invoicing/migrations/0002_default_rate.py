import datetime
from decimal import Decimal

from django.db import migrations


def add_default_rate(apps, schema_editor):
    Rate = apps.get_model("invoicing", "Rate")
    Rate.objects.get_or_create(
        valid_from=datetime.date(2024, 1, 1), defaults={"hourly_rate": Decimal("450.00"), "note": "Standardtakst"}
    )


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0001_initial")]

    operations = [migrations.RunPython(add_default_rate, migrations.RunPython.noop)]
