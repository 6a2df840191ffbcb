from django.db import migrations


def create_default(apps, schema_editor):
    # The administrator edits the one template in the admin; create it with the defaults (3 + 3 + 3 months,
    # a two-week contact period) so there is something to edit.
    PhaseTemplate = apps.get_model("interventions", "PhaseTemplate")
    PhaseTemplate.objects.get_or_create(singleton=True)


class Migration(migrations.Migration):
    dependencies = [("interventions", "0002_phases_and_pauses")]

    operations = [migrations.RunPython(create_default, migrations.RunPython.noop)]
