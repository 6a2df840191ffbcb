from django.db import migrations

# The seven life areas of DOMAIN.md; the provider edits the list afterwards.
LIFE_AREAS = [
    ("Bolig", "Indretning og indflytning"),
    ("Hverdag", "Indkøb, madlavning, tøjvask, orden"),
    ("Økonomi", "Indskudslån, betalingsservice, husleje"),
    ("Post", "e-Boks, vigtige breve og aftaler"),
    ("Omgivelser", "Naboer, grænser over for gæster"),
    ("Behandling", "Fastholde behandling, fysisk og psykisk helbred"),
    ("Netværk", "Netværk og meningsfulde daglige aktiviteter"),
]


def add_life_areas(apps, schema_editor):
    LifeArea = apps.get_model("citizens", "LifeArea")
    for position, (name, description) in enumerate(LIFE_AREAS, start=1):
        LifeArea.objects.get_or_create(name=name, defaults={"description": description, "position": position})


class Migration(migrations.Migration):
    dependencies = [("citizens", "0002_initial")]

    operations = [migrations.RunPython(add_life_areas, migrations.RunPython.noop)]
