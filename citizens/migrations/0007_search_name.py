"""The folded name that search compares with ("oestergaard" finds "Østergaard"), filled for existing citizens."""

import citizens.models
from citizens.names import fold_name
from django.db import migrations

BATCH = 2000


def fill(apps, schema_editor):
    Citizen = apps.get_model("citizens", "Citizen")
    rows = list(Citizen.objects.only("pk", "first_name", "last_name").order_by("pk"))
    for row in rows:
        row.search_name = fold_name(f"{row.first_name} {row.last_name}")
    Citizen.objects.bulk_update(rows, ["search_name"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("citizens", "0006_i11_export_permission"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="citizen",
            options={
                "ordering": ["last_name", "first_name", "pk"],
                "permissions": [
                    ("view_full_cpr", "Can see full CPR numbers"),
                    ("view_auditlog", "Can see the audit log"),
                    ("export_personal_data", "Can make a citizen's access export (GDPR art. 15)"),
                    ("export_citizen_list", "Can export the citizen list"),
                ],
                "verbose_name": "citizen",
                "verbose_name_plural": "citizens",
            },
        ),
        migrations.AddField(
            model_name="citizen",
            name="search_name",
            field=citizens.models.SearchNameField(
                default="", editable=False, max_length=201, verbose_name="name for search"
            ),
        ),
        migrations.AddField(
            model_name="historicalcitizen",
            name="search_name",
            field=citizens.models.SearchNameField(
                default="", editable=False, max_length=201, verbose_name="name for search"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
