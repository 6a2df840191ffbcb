"""The first version of the standard text, in the product's own Danish wording."""

from django.db import migrations

from agreements.migrations._texts import SECTIONS_V1 as SECTIONS



def seed_text(apps, schema_editor):
    AgreementText = apps.get_model("agreements", "AgreementText")
    if not AgreementText.objects.exists():
        AgreementText.objects.create(version=1, sections=SECTIONS, is_current=True)


class Migration(migrations.Migration):
    dependencies = [("agreements", "0004_agreement_text")]

    operations = [migrations.RunPython(seed_text, migrations.RunPython.noop)]
