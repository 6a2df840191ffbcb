"""CPR numbers at rest: ciphertext in every table, lookups and uniqueness by blind index, key rotation."""

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from citizens import crypto
from citizens.models import Citizen
from citizens.selectors import citizen_list
from tests.citizens.test_cpr import citizen_data
from tests.factories import BookingFactory, CitizenFactory, InterventionFactory, VisitFactory

NUMBER = "0101901238"
NEW_KEY = f"new2:{crypto.generate_key()}"


def raw(table, column="cpr"):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table}")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def every_row_as_text() -> str:
    """Every row of every table in the database, as text: where a plain number would show."""
    texts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if connection.vendor == "postgresql":
                cursor.execute(f'SELECT row_to_json(t)::text FROM "{table}" t')  # noqa: S608
                texts.extend(row[0] for row in cursor.fetchall())
            else:
                cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608
                texts.extend(" ".join(str(value) for value in row) for row in cursor.fetchall())
    return "\n".join(texts)


def test_the_number_is_stored_sealed_and_reads_back_as_ten_digits(db):
    citizen = CitizenFactory(cpr="010190-1238")
    (stored,) = raw("citizens_citizen")
    assert NUMBER not in stored and stored.startswith("test1$")
    assert re.fullmatch(r"[0-9a-f]{64}", raw("citizens_citizen", "cpr_hash")[0])
    assert all(NUMBER not in value for value in raw("citizens_historicalcitizen"))
    fresh = Citizen.objects.get(pk=citizen.pk)
    assert fresh.cpr == NUMBER
    assert fresh.birth_date.isoformat() == "1990-01-01"
    assert fresh.cpr_masked == "010190-XXXX"
    # The same number sealed twice gives two different ciphertexts (a fresh nonce each time).
    assert crypto.encrypt_cpr(NUMBER) != crypto.encrypt_cpr(NUMBER)


def test_no_table_holds_a_plain_cpr_after_registering_editing_showing_and_searching(lead_client, team_lead):
    lead_client.post(reverse("citizens:create"), citizen_data(team_lead.team, cpr="010190-1238"))
    citizen = Citizen.objects.get()
    lead_client.post(
        reverse("citizens:edit", args=[citizen.pk]), citizen_data(team_lead.team, cpr="020290-1234", city="Vojens")
    )
    citizen.refresh_from_db()
    assert citizen.cpr == "0202901234" and citizen.city == "Vojens"
    lead_client.post(reverse("citizens:reveal_cpr", args=[citizen.pk]))
    lead_client.post(reverse("citizens:list"), {"q": "020290-1234"})
    dump = every_row_as_text()
    for number in ("0101901238", "010190-1238", "0202901234", "020290-1234"):
        assert number not in dump
    assert "020290" in dump or citizen.birth_date  # the birth date is stored, on purpose


def test_lookup_by_full_number_and_the_duplicate_check_use_the_blind_index(db, administrator):
    citizen = CitizenFactory(cpr=NUMBER)
    assert Citizen.objects.get(cpr="010190-1238") == citizen
    assert not Citizen.objects.filter(cpr="0101901234").exists()
    assert list(Citizen.objects.exclude(cpr=NUMBER)) == []
    with pytest.raises(NotImplementedError, match="encrypted"):
        Citizen.objects.filter(cpr__startswith="010190")


def test_update_fields_with_the_cpr_keeps_the_index_in_step(db):
    citizen = CitizenFactory(cpr=NUMBER)
    citizen.cpr = "0202901234"
    citizen.save(update_fields=["cpr"])
    assert Citizen.objects.get(cpr="0202901234") == citizen
    assert Citizen.objects.get(pk=citizen.pk).birth_date.isoformat() == "1990-02-02"


def test_a_changed_ciphertext_fails_loudly_instead_of_reading_as_another_number(db):
    citizen = CitizenFactory(cpr=NUMBER)
    token = raw("citizens_citizen")[0]
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE citizens_citizen SET cpr = %s", [forged])
    with pytest.raises(crypto.CprKeyError, match="integrity"):
        Citizen.objects.get(pk=citizen.pk)


def test_the_list_never_decrypts(db, administrator, django_assert_max_num_queries, monkeypatch):
    CitizenFactory.create_batch(3)

    def refuse(token):
        raise AssertionError("the list decrypted a CPR number")

    monkeypatch.setattr(crypto, "decrypt_cpr", refuse)
    with django_assert_max_num_queries(2):  # the user's role, then the page
        rows = list(citizen_list(administrator))
    assert all(re.fullmatch(r"\d{6}-XXXX", row.cpr_masked) for row in rows)


def rotate(*args) -> str:
    out = io.StringIO()
    call_command("rotate_cpr_keys", *args, stdout=out)
    return out.getvalue()


def test_rotation_moves_every_row_to_the_new_key_and_is_safe_to_rerun(db, settings):
    citizens = CitizenFactory.create_batch(3)
    citizens[0].city = "Vojens"
    citizens[0].save()  # a second history row
    old_key = settings.CPR_ENCRYPTION_KEYS[0]
    settings.CPR_ENCRYPTION_KEYS = [NEW_KEY, old_key]

    report = rotate("--dry-run")
    assert "citizens_citizen: test1: 3; to rewrite: 3" in report
    assert "citizens_historicalcitizen: test1: 4; to rewrite: 4" in report
    assert "Dry run" in report
    assert all(value.startswith("test1$") for value in raw("citizens_citizen"))

    report = rotate("--batch-size", "2")
    assert "citizens_citizen: rewrote 3 rows" in report and "citizens_historicalcitizen: rewrote 4 rows" in report
    assert all(value.startswith("new2$") for value in raw("citizens_citizen") + raw("citizens_historicalcitizen"))
    assert "rewrote 0 rows" in rotate()

    # The old key can go: everything reads with the new one alone, history included.
    settings.CPR_ENCRYPTION_KEYS = [NEW_KEY]
    assert sorted(Citizen.objects.values_list("cpr", flat=True)) == sorted(c.cpr for c in citizens)
    assert {row.cpr for row in Citizen.history.all()} == {c.cpr for c in citizens}
    assert Citizen.objects.get(pk=citizens[1].pk).updated_at == citizens[1].updated_at  # not a change


def test_a_row_on_a_key_that_is_gone_is_named_in_the_error(db, settings):
    citizen = CitizenFactory()
    settings.CPR_ENCRYPTION_KEYS = [NEW_KEY]
    with pytest.raises(crypto.CprKeyError, match="test1"):
        Citizen.objects.get(pk=citizen.pk)


def test_a_new_hmac_key_finds_old_rows_during_the_change_and_alone_after_rehash(db, settings):
    citizen = CitizenFactory(cpr=NUMBER)
    old = settings.CPR_HMAC_KEYS[0]
    settings.CPR_HMAC_KEYS = [NEW_KEY, old]
    assert Citizen.objects.get(cpr=NUMBER) == citizen
    assert "rewrote 1 rows" in rotate("--rehash")
    settings.CPR_HMAC_KEYS = [NEW_KEY]
    assert Citizen.objects.get(cpr=NUMBER) == citizen


@pytest.mark.parametrize(
    ("entries", "message"),
    [([], "empty"), (["nokey"], "id:base64key"), (["a:aGVsbG8="], "32 bytes"), (["a:!!!"], "base64")],
)
def test_bad_key_settings_are_explained(entries, message):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match=message):
        crypto.parse_keys(entries, "CPR_ENCRYPTION_KEYS")


def test_generate_cpr_key_prints_a_usable_key(db):
    out = io.StringIO()
    call_command("generate_cpr_key", "2027a", stdout=out)
    ((key_id, key),) = crypto.parse_keys([out.getvalue().strip()], "CPR_ENCRYPTION_KEYS")
    assert key_id == "2027a" and len(key) == 32


def test_the_encryption_migration_goes_back_to_plain_digits_and_forward_again(db):
    """The migration's two directions on the tables as they are: back writes the ten digits into every
    citizen and history row, forward seals them again with a blind index and the birth date."""
    import importlib
    from types import SimpleNamespace

    from django.apps import apps

    migration = importlib.import_module("citizens.migrations.0005_i11_encrypted_cpr")
    editor = SimpleNamespace(connection=connection)
    first = CitizenFactory(cpr="0101901238")
    second = CitizenFactory(cpr="2902921234")
    second.city = "Vojens"
    second.save()  # a second history row for the same citizen
    history = len(raw("citizens_historicalcitizen"))

    migration.decrypt(apps, editor)
    assert sorted(raw("citizens_citizen")) == ["0101901238", "2902921234"]
    assert sorted(set(raw("citizens_historicalcitizen"))) == ["0101901238", "2902921234"]

    with connection.cursor() as cursor:  # forward must write the index and the birth date itself
        cursor.execute("UPDATE citizens_citizen SET cpr_hash = 'stale' || id, birth_date = NULL")
    migration.encrypt(apps, editor)
    assert all(value.startswith("test1$") for value in raw("citizens_citizen") + raw("citizens_historicalcitizen"))
    assert len(raw("citizens_historicalcitizen")) == history
    assert Citizen.objects.get(pk=first.pk).cpr == "0101901238"
    assert Citizen.objects.get(cpr="290292-1234").pk == second.pk  # the blind index is back
    assert Citizen.objects.get(pk=second.pk).birth_date.isoformat() == "1992-02-29"


LIST_PAGES = [
    ("worker_client", "dashboard"),
    ("worker_client", "interventions:my_citizens"),
    ("worker_client", "interventions:visit_list"),
    ("worker_client", "agenda:agenda"),
    ("worker_client", "citizens:list"),
    ("lead_client", "dashboard"),
    ("lead_client", "interventions:fidelity"),
    ("lead_client", "interventions:capacity"),
    ("lead_client", "agenda:team_week"),
    ("lead_client", "interventions:method_fidelity"),
    ("lead_client", "interventions:outcomes"),
    ("lead_client", "interventions:meetings"),
    ("worker_client", "agenda:booking_create"),
    ("worker_client", "interventions:visit_create"),
    ("worker_client", "agenda:notifications"),
    ("admin_client_", "dashboard"),
    ("admin_client_", "citizens:list"),
    ("admin_client_", "interventions:visit_list"),
    ("admin_client_", "invoicing:month"),
]


@pytest.mark.parametrize(("client_fixture", "url_name"), LIST_PAGES)
def test_list_pages_show_the_masked_number_without_decrypting(
    request, worker, team_lead, monkeypatch, client_fixture, url_name
):
    """What keeps lists as fast as before the encryption: they read the birth date, never the ciphertext."""
    citizen = CitizenFactory(team=worker.team, cpr="0101901238")
    course = InterventionFactory(citizen=citizen, worker=worker)
    VisitFactory(intervention=course, worker=worker)
    BookingFactory(intervention=course, date=timezone.localdate())  # in the agenda's days and the team's week
    client = request.getfixturevalue(client_fixture)

    def refuse(token):
        raise AssertionError("a list page decrypted a CPR number")

    monkeypatch.setattr(crypto, "decrypt_cpr", refuse)
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert "1238" not in response.content.decode()
