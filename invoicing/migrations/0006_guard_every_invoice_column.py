"""The PostgreSQL guard of issued invoices (0004) covers every column again.

0005 added the buyer's CVR and address without adding them to the trigger, and the page count was
never guarded, so a queryset `.update()` could change them on an issued invoice. This replaces the
trigger function with one that compares every column except the life-cycle ones (sent, paid,
credited); the page count is stored once with the PDF, like the PDF itself. The trigger and the
line guard of 0004 stay as they are. A test compares this list with the model's fields, so a new
field that is not guarded fails it.
"""

from django.db import migrations

GUARDED_COLUMNS = [
    "id", "kind", "number", "municipality_id", "month", "credits_id", "reason", "buyer_name", "buyer_ean",
    "buyer_reference", "buyer_email", "buyer_cvr", "buyer_address", "buyer_postal_code", "buyer_city", "seller",
    "issue_date", "due_date", "total", "issued_at", "issued_by_id", "created_at",
]
# As 0004 left them, for going back.
PREVIOUS_COLUMNS = [
    "kind", "number", "municipality_id", "month", "credits_id", "reason", "buyer_name", "buyer_ean",
    "buyer_reference", "buyer_email", "seller", "issue_date", "due_date", "total", "issued_at", "issued_by_id",
]

FUNCTION = """
CREATE OR REPLACE FUNCTION invoicing_refuse_issued_invoice_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.number <> '' THEN
            RAISE EXCEPTION 'invoice % is issued and cannot be deleted', OLD.number;
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.number <> '' THEN
        IF ({old}) IS DISTINCT FROM ({new})
           OR (OLD.pdf_sha256 <> '' AND (NEW.pdf IS DISTINCT FROM OLD.pdf
               OR NEW.pdf_sha256 IS DISTINCT FROM OLD.pdf_sha256{pages}))
           OR (OLD.xml_sha256 <> '' AND (NEW.xml IS DISTINCT FROM OLD.xml OR NEW.xml_sha256 IS DISTINCT FROM OLD.xml_sha256))
        THEN
            RAISE EXCEPTION 'invoice % is issued and cannot be changed; correct it with a credit note', OLD.number;
        END IF;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""


def function_sql(columns, *, guard_pages: bool) -> str:
    return FUNCTION.format(
        old=", ".join(f"OLD.{column}" for column in columns),
        new=", ".join(f"NEW.{column}" for column in columns),
        pages=" OR NEW.pages IS DISTINCT FROM OLD.pages" if guard_pages else "",
    )


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # A bare cursor: no parameters, so the "%" of RAISE is not read as a placeholder.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(function_sql(GUARDED_COLUMNS, guard_pages=True))


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(function_sql(PREVIOUS_COLUMNS, guard_pages=False))


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0005_buyer_details")]

    operations = [migrations.RunPython(forward, backward)]
