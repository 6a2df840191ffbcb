import datetime
from decimal import Decimal

from django.db import migrations


def add_default_rates(apps, schema_editor):
    apps.get_model("workshops", "WorkBonusRate").objects.get_or_create(
        valid_from=datetime.date(2024, 1, 1), defaults={"hourly_rate": Decimal("30.00"), "note": "Arbejdsdusør 2024"}
    )
    apps.get_model("workshops", "LabourMarketContributionRate").objects.get_or_create(
        valid_from=datetime.date(2024, 1, 1), defaults={"percent": Decimal("8.00"), "note": "AM-bidrag"}
    )


class Migration(migrations.Migration):
    dependencies = [("workshops", "0001_initial")]

    operations = [migrations.RunPython(add_default_rates, migrations.RunPython.noop)]
