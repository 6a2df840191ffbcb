"""CPR numbers encrypted at rest, with a keyed hash (blind index) for exact lookup and uniqueness.

The number is sealed with AES-256-GCM (`cryptography`), an authenticated cipher: a changed byte in
the database fails to decrypt instead of reading as another number. Each stored value names the key
that sealed it (`<key id>$<base64 nonce+ciphertext>`), so several keys can decrypt while
`rotate_cpr_keys` moves every row to the newest one. Equality needs no decryption: an HMAC-SHA256 of
the ten digits, under a separate key, sits beside it with the unique index on it.

Keys come from the environment only (CPR_ENCRYPTION_KEYS, CPR_HMAC_KEYS; see README "CPR keys"), never
from the database or the repository: a copy of the database alone holds no readable number.
"""

import base64
import binascii
import hashlib
import hmac
import os
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models.lookups import Lookup

from citizens.cpr import birth_date, normalize_cpr

# Binds every ciphertext to its purpose, so a sealed CPR number cannot be passed off as another field.
_AAD = b"housingfirst.citizens.cpr.v1"
_SEPARATOR = "$"


class CprKeyError(Exception):
    """A stored CPR number cannot be decrypted with the keys configured."""


def parse_keys(entries, name: str) -> list[tuple[str, bytes]]:
    """`id:base64key` entries, newest first; each key is 32 bytes."""
    keys = []
    for entry in entries:
        key_id, sep, encoded = entry.partition(":")
        if not sep or not key_id or _SEPARATOR in key_id:
            raise ImproperlyConfigured(f"{name}: each key is written id:base64key, e.g. 2026a:{generate_key()}.")
        try:
            key = base64.b64decode(encoded.encode(), altchars=b"-_", validate=True)
        except (binascii.Error, ValueError):
            raise ImproperlyConfigured(f"{name}: the key {key_id!r} is not valid base64.") from None
        if len(key) != 32:
            raise ImproperlyConfigured(f"{name}: the key {key_id!r} must be 32 bytes, not {len(key)}.")
        keys.append((key_id, key))
    if not keys:
        raise ImproperlyConfigured(f"{name} is empty; see the README, 'CPR keys'.")
    if len({key_id for key_id, _key in keys}) != len(keys):
        raise ImproperlyConfigured(f"{name}: two keys share one id.")
    return keys


def generate_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


@cache
def _keyring(entries: tuple[str, ...]) -> tuple[tuple[str, AESGCM], ...]:
    return tuple((key_id, AESGCM(key)) for key_id, key in parse_keys(entries, "CPR_ENCRYPTION_KEYS"))


@cache
def _hmac_keys(entries: tuple[str, ...]) -> tuple[bytes, ...]:
    return tuple(key for _key_id, key in parse_keys(entries, "CPR_HMAC_KEYS"))


def encryption_keys():
    return _keyring(tuple(settings.CPR_ENCRYPTION_KEYS))


def current_key_id() -> str:
    return encryption_keys()[0][0]


def encrypt_cpr(number: str) -> str:
    key_id, cipher = encryption_keys()[0]
    nonce = os.urandom(12)
    sealed = cipher.encrypt(nonce, normalize_cpr(number).encode(), _AAD)
    return f"{key_id}{_SEPARATOR}{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def key_id_of(token: str) -> str:
    return token.partition(_SEPARATOR)[0]


def decrypt_cpr(token: str) -> str:
    key_id, sep, payload = token.partition(_SEPARATOR)
    keys = dict(encryption_keys())
    if not sep or key_id not in keys:
        raise CprKeyError(f"No CPR key with id {key_id!r} is configured (CPR_ENCRYPTION_KEYS).")
    try:
        raw = base64.urlsafe_b64decode(payload.encode())
        return keys[key_id].decrypt(raw[:12], raw[12:], _AAD).decode()
    except (InvalidTag, binascii.Error, ValueError):
        raise CprKeyError(f"A CPR number sealed with key {key_id!r} fails its integrity check.") from None


def cpr_hash(number: str) -> str:
    """The blind index under the current HMAC key: the same number always gives the same hash."""
    return cpr_hashes(number)[0]


def cpr_hashes(number: str) -> list[str]:
    """The hash under every configured HMAC key, newest first: lookups match during an HMAC key change."""
    digits = normalize_cpr(number).encode()
    return [hmac.new(key, digits, hashlib.sha256).hexdigest() for key in _hmac_keys(tuple(settings.CPR_HMAC_KEYS))]


def birth_date_or_none(number: str):
    try:
        return birth_date(number)
    except Exception:  # noqa: BLE001 - an unreadable date is simply not stored; validation reports it
        return None


class EncryptedCprField(models.TextField):
    """A CPR number: ten digits in Python, AES-GCM ciphertext in the column.

    `citizen.cpr` reads and writes the plain number as before; on save the field also fills the model's
    `cpr_hash` (blind index) and `birth_date`. `filter(cpr=...)` compares hashes, so lookups by full
    number need no decryption; `startswith` and other lookups on ciphertext would silently find nothing,
    so they are refused.
    """

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt_cpr(value)

    def to_python(self, value):
        return normalize_cpr(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_cpr(value)

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if value:
            value = normalize_cpr(value)
            setattr(model_instance, self.attname, value)
            # The derived columns are declared after this field, so the same save writes them.
            model_instance.cpr_hash = cpr_hash(value)
            model_instance.birth_date = birth_date_or_none(value)
        return value

    def formfield(self, **kwargs):
        from django import forms

        return forms.CharField(label=self.verbose_name, max_length=11, required=not self.blank, **kwargs)

    def get_lookup(self, lookup_name):
        if lookup_name not in ("exact", "isnull"):
            raise NotImplementedError(
                f"cpr__{lookup_name} cannot work on encrypted CPR numbers; use cpr=<full number> or birth_date."
            )
        return super().get_lookup(lookup_name)


@EncryptedCprField.register_lookup
class CprExact(Lookup):
    """`cpr=<number>` becomes `cpr_hash IN (<hash under each HMAC key>)`, using the unique index."""

    lookup_name = "exact"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        hash_field = self.lhs.target.model._meta.get_field("cpr_hash")
        lhs_sql, lhs_params = compiler.compile(hash_field.get_col(self.lhs.alias))
        if not self.rhs:
            return f"{lhs_sql} = %s", [*lhs_params, ""]
        hashes = cpr_hashes(self.rhs)
        return f"{lhs_sql} IN ({', '.join(['%s'] * len(hashes))})", [*lhs_params, *hashes]


# --- key rotation ---------------------------------------------------------------------------


def _stored_tables():
    from citizens.models import Citizen

    return [(Citizen._meta.db_table, "id"), (Citizen.history.model._meta.db_table, "history_id")]


def rotation_state(*, rehash: bool = False) -> dict[str, dict[str, int]]:
    """Rows per table and per key id; the rows a rotation would rewrite ('due')."""
    from django.db import connection

    state = {}
    current = current_key_id()
    with connection.cursor() as cursor:
        for table, _key in _stored_tables():
            cursor.execute(
                f"SELECT {_key_id_sql(connection)}, count(*) FROM {table} WHERE cpr <> '' GROUP BY 1 ORDER BY 1",  # noqa: S608
                [_SEPARATOR],
            )
            by_key = dict(cursor.fetchall())
            due = sum(count for key_id, count in by_key.items() if rehash or key_id != current)
            state[table] = {"by_key": by_key, "due": due}
    return state


def _key_id_sql(connection) -> str:
    """SQL for the key id before the separator of a stored value (one %s parameter: the separator).

    Production is PostgreSQL; the demo and the SQLite test run have no `split_part`."""
    if connection.vendor == "postgresql":
        return "split_part(cpr, %s, 1)"
    return "substr(cpr, 1, instr(cpr, %s) - 1)"


def rotate_keys(*, rehash: bool = False, batch_size: int = 500) -> dict[str, int]:
    """Re-encrypt every stored CPR number with the newest key; with `rehash`, also recompute the blind index.

    Safe to stop and run again: each batch commits on its own and only rows not yet on the newest key are
    taken (all rows with `rehash`, which is idempotent). Raw SQL on purpose: re-sealing is no change of the
    citizen, so it neither touches `updated_at` nor writes a history record. Returns rows rewritten per table.
    """
    from django.db import connection, transaction

    current = current_key_id()
    # SQLite (the demo) locks the whole database for a write transaction and has no FOR UPDATE.
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    done = {}
    for table, key in _stored_tables():
        done[table] = 0
        last = None
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                where = "cpr <> ''" if rehash else f"cpr <> '' AND {_key_id_sql(connection)} <> %s"
                params = [] if rehash else [_SEPARATOR, current]
                if last is not None:
                    where += f" AND {key} > %s"
                    params.append(last)
                cursor.execute(
                    f"SELECT {key}, cpr FROM {table} WHERE {where} ORDER BY {key} LIMIT %s{lock}",  # noqa: S608
                    [*params, batch_size],
                )
                rows = cursor.fetchall()
                if not rows:
                    break
                updates = []
                for pk, token in rows:
                    number = decrypt_cpr(token)
                    updates.append((encrypt_cpr(number), cpr_hash(number), pk))
                cursor.executemany(
                    f"UPDATE {table} SET cpr = %s, cpr_hash = %s WHERE {key} = %s",  # noqa: S608
                    updates,
                )
            done[table] += len(rows)
            last = rows[-1][0]
    return done
