from django.db import migrations

from housingfirst.municipalities import MUNICIPALITIES


def add_municipalities(apps, schema_editor):
    Municipality = apps.get_model("housingfirst", "Municipality")
    for code, name in MUNICIPALITIES:
        Municipality.objects.update_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("housingfirst", "0001_initial")]

    operations = [migrations.RunPython(add_municipalities, migrations.RunPython.noop)]
