"""Version 2 of the standard text: the methods' footing (the citizen's own hopes, three phases of equal
length, recovery and empowerment), an ACT section, and the year's work-bonus rate.

Added as a new version, the way an administrator's edit is: agreements issued with version 1 keep it.
A provider that has already edited the text keeps its own; only the untouched version 1 is followed.
"""

from django.db import migrations

from agreements.migrations._texts import SECTIONS_V1, SECTIONS_V2


def add_version_2(apps, schema_editor):
    AgreementText = apps.get_model("agreements", "AgreementText")
    current = AgreementText.objects.filter(is_current=True).first()
    if current is None or current.version != 1 or current.sections != SECTIONS_V1:
        return
    current.is_current = False
    current.save(update_fields=["is_current"])
    AgreementText.objects.create(version=2, sections=SECTIONS_V2, is_current=True)


def back_to_version_1(apps, schema_editor):
    AgreementText = apps.get_model("agreements", "AgreementText")
    second = AgreementText.objects.filter(version=2, sections=SECTIONS_V2, is_current=True).first()
    if second is None or second.agreements.exists():
        return
    second.delete()
    AgreementText.objects.filter(version=1).update(is_current=True)


class Migration(migrations.Migration):
    dependencies = [("agreements", "0005_standard_text")]

    operations = [migrations.RunPython(add_version_2, back_to_version_1)]
