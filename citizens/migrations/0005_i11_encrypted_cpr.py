"""CPR numbers encrypted at rest: the citizen and its history get ciphertext, a blind index and the birth date.

Reversible: going back decrypts every row (citizen and history) into the old ten-digit column.
"""

import citizens.cpr
import citizens.crypto
from django.db import migrations, models

BATCH = 1000


def _convert(apps, schema_editor, table, key, forward):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {key}, cpr FROM {table} WHERE cpr <> '' ORDER BY {key}")  # noqa: S608
        rows = cursor.fetchall()
    for start in range(0, len(rows), BATCH):
        if forward:
            params = [
                (
                    citizens.crypto.encrypt_cpr(cpr),
                    citizens.crypto.cpr_hash(cpr),
                    citizens.crypto.birth_date_or_none(cpr),
                    pk,
                )
                for pk, cpr in rows[start : start + BATCH]
            ]
            sql = f"UPDATE {table} SET cpr = %s, cpr_hash = %s, birth_date = %s WHERE {key} = %s"  # noqa: S608
        else:
            params = [(citizens.crypto.decrypt_cpr(token), pk) for pk, token in rows[start : start + BATCH]]
            sql = f"UPDATE {table} SET cpr = %s WHERE {key} = %s"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)


def encrypt(apps, schema_editor):
    _convert(apps, schema_editor, apps.get_model("citizens", "Citizen")._meta.db_table, "id", True)
    _convert(apps, schema_editor, apps.get_model("citizens", "HistoricalCitizen")._meta.db_table, "history_id", True)


def decrypt(apps, schema_editor):
    _convert(apps, schema_editor, apps.get_model("citizens", "Citizen")._meta.db_table, "id", False)
    _convert(apps, schema_editor, apps.get_model("citizens", "HistoricalCitizen")._meta.db_table, "history_id", False)


class Migration(migrations.Migration):

    dependencies = [
        ('citizens', '0004_pdf_validators'),
    ]

    operations = [
        migrations.RemoveConstraint(model_name='citizen', name='cpr_is_10_digits'),
        migrations.AlterField(
            model_name='citizen',
            name='cpr',
            field=citizens.crypto.EncryptedCprField(validators=[citizens.cpr.validate_cpr], verbose_name='CPR number'),
        ),
        migrations.AlterField(
            model_name='historicalcitizen',
            name='cpr',
            field=citizens.crypto.EncryptedCprField(validators=[citizens.cpr.validate_cpr], verbose_name='CPR number'),
        ),
        migrations.AddField(
            model_name='citizen',
            name='cpr_hash',
            field=models.CharField(editable=False, max_length=64, null=True, verbose_name='CPR blind index'),
        ),
        migrations.AddField(
            model_name='historicalcitizen',
            name='cpr_hash',
            field=models.CharField(editable=False, max_length=64, null=True, verbose_name='CPR blind index'),
        ),
        migrations.AddField(
            model_name='citizen',
            name='birth_date',
            field=models.DateField(editable=False, null=True, verbose_name='birth date'),
        ),
        migrations.AddField(
            model_name='historicalcitizen',
            name='birth_date',
            field=models.DateField(editable=False, null=True, verbose_name='birth date'),
        ),
        migrations.RunPython(encrypt, decrypt),
        migrations.AlterField(
            model_name='citizen',
            name='cpr_hash',
            field=models.CharField(editable=False, error_messages={'unique': 'A citizen with this CPR number is already registered.'}, max_length=64, unique=True, verbose_name='CPR blind index'),
        ),
        migrations.AlterField(
            model_name='historicalcitizen',
            name='cpr_hash',
            field=models.CharField(db_index=True, editable=False, error_messages={'unique': 'A citizen with this CPR number is already registered.'}, max_length=64, verbose_name='CPR blind index'),
        ),
    ]
