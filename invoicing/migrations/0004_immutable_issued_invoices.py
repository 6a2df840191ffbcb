"""The database refuses what Invoice.save() refuses: on PostgreSQL a trigger guards issued invoices.

An issued invoice (number set) keeps its content; only the life-cycle columns (sent, paid, credited)
may change, and the PDF/XML may be stored once (empty to filled). Its lines cannot be added, changed
or removed. Nothing of this runs on SQLite (tests and the demo): the model guard covers it there.
"""

from django.db import migrations

GUARDED_COLUMNS = [
    "kind", "number", "municipality_id", "month", "credits_id", "reason", "buyer_name", "buyer_ean",
    "buyer_reference", "buyer_email", "seller", "issue_date", "due_date", "total", "issued_at", "issued_by_id",
]

FORWARD = """
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
           OR (OLD.pdf_sha256 <> '' AND (NEW.pdf IS DISTINCT FROM OLD.pdf OR NEW.pdf_sha256 IS DISTINCT FROM OLD.pdf_sha256))
           OR (OLD.xml_sha256 <> '' AND (NEW.xml IS DISTINCT FROM OLD.xml OR NEW.xml_sha256 IS DISTINCT FROM OLD.xml_sha256))
        THEN
            RAISE EXCEPTION 'invoice % is issued and cannot be changed; correct it with a credit note', OLD.number;
        END IF;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER invoicing_invoice_immutable BEFORE UPDATE OR DELETE ON invoicing_invoice
    FOR EACH ROW EXECUTE FUNCTION invoicing_refuse_issued_invoice_change();

CREATE OR REPLACE FUNCTION invoicing_refuse_issued_line_change() RETURNS trigger AS $$
DECLARE
    invoice_number varchar;
BEGIN
    SELECT number INTO invoice_number FROM invoicing_invoice
        WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.invoice_id ELSE NEW.invoice_id END;
    IF invoice_number IS NOT NULL AND invoice_number <> '' THEN
        RAISE EXCEPTION 'the lines of issued invoice % cannot be changed', invoice_number;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER invoicing_invoiceline_immutable BEFORE INSERT OR UPDATE OR DELETE ON invoicing_invoiceline
    FOR EACH ROW EXECUTE FUNCTION invoicing_refuse_issued_line_change();
""".format(
    old=", ".join(f"OLD.{column}" for column in GUARDED_COLUMNS),
    new=", ".join(f"NEW.{column}" for column in GUARDED_COLUMNS),
)

BACKWARD = """
DROP TRIGGER IF EXISTS invoicing_invoiceline_immutable ON invoicing_invoiceline;
DROP FUNCTION IF EXISTS invoicing_refuse_issued_line_change();
DROP TRIGGER IF EXISTS invoicing_invoice_immutable ON invoicing_invoice;
DROP FUNCTION IF EXISTS invoicing_refuse_issued_invoice_change();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # A bare cursor: no parameters, so the "%" of RAISE is not read as a placeholder.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0003_invoices")]

    operations = [migrations.RunPython(forward, backward)]
