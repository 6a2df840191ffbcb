"""The month sums the month page reads (VisitMonthSum), made from the visits already logged."""

from decimal import Decimal

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Case, Count, DecimalField, Sum, Value, When
from django.db.models.functions import TruncMonth

DEFAULT_HOURLY_RATE = Decimal("450.00")


def sum_the_visits(apps, schema_editor):
    Visit = apps.get_model("interventions", "Visit")
    Rate = apps.get_model("invoicing", "Rate")
    VisitMonthSum = apps.get_model("invoicing", "VisitMonthSum")
    field = DecimalField(max_digits=8, decimal_places=2)
    rates = list(Rate.objects.order_by("-valid_from").values_list("valid_from", "hourly_rate"))
    rate = Case(
        *[When(date__gte=valid_from, then=Value(hourly_rate)) for valid_from, hourly_rate in rates],
        default=Value(DEFAULT_HOURLY_RATE),
        output_field=field,
    )
    rows = (
        Visit.objects.filter(billable=True)
        .annotate(month=TruncMonth("date"), rate=rate)
        .values("intervention_id", "month", "rate")
        .annotate(minutes=Sum("duration_minutes"), count=Count("id"))
        .order_by()
    )
    batch = []
    for row in rows.iterator(chunk_size=5000):
        batch.append(
            VisitMonthSum(
                intervention_id=row["intervention_id"],
                month=row["month"],
                rate_ore=int(round(Decimal(str(row["rate"])) * 100)),
                minutes=row["minutes"],
                visits=row["count"],
            )
        )
        if len(batch) == 5000:
            VisitMonthSum.objects.bulk_create(batch)
            batch = []
    VisitMonthSum.objects.bulk_create(batch)


class Migration(migrations.Migration):

    dependencies = [
        ('interventions', '0007_merge_20261202_1933'),
        ('invoicing', '0011_i16_month_issues'),
    ]

    operations = [
        migrations.CreateModel(
            name='VisitMonthSum',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField(verbose_name='month')),
                ('rate_ore', models.IntegerField(verbose_name='hourly rate (øre)')),
                ('minutes', models.IntegerField(default=0, verbose_name='minutes')),
                ('visits', models.IntegerField(default=0, verbose_name='visits')),
                ('intervention', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='interventions.intervention', verbose_name='intervention')),
            ],
            options={
                'verbose_name': 'visit sum per month',
                'verbose_name_plural': 'visit sums per month',
                'constraints': [models.UniqueConstraint(fields=('month', 'intervention', 'rate_ore'), name='one_visit_sum_per_rate')],
            },
        ),
        migrations.RunPython(sum_the_visits, migrations.RunPython.noop),
    ]
