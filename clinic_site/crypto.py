"""Application-layer encryption of medical data: fields, file storage, wrapped seeds.

Keys come from settings.CLINIC_FIELD_KEYS (Fernet keys, newest first): the
newest encrypts, every key decrypts, so rotation is "add a key in front, run
`manage.py rotate_field_keys`, then drop the old key". The database and the
disk only ever hold Fernet tokens (and second-factor seeds wrapped with AES
key wrap under a key derived from the same keys, where a token does not fit).
"""

from __future__ import annotations

import base64
import binascii
import os
import tempfile
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

from django import forms
from django.conf import settings
from django.core.exceptions import FieldError, ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models.lookups import Exact, IsNull
from django.utils.deconstruct import deconstructible

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives.keywrap import (
    InvalidUnwrap,
    aes_key_unwrap_with_padding,
    aes_key_wrap_with_padding,
)

from clinic_site.blind_index import index_of
from clinic_site.field_keys import bad_key_error, configured_keys, derived_keys

__all__ = [
    "EncryptedDateField",
    "EncryptedDecimalField",
    "EncryptedFileStorage",
    "EncryptedTextField",
    "InvalidToken",
    "decrypt_bytes",
    "decrypt_text",
    "encrypt_bytes",
    "encrypt_text",
    "is_current",
    "rotate_token",
    "unwrap_secret",
    "wrap_secret",
]


@lru_cache(maxsize=8)
def _fernets(keys: tuple[str, ...]) -> tuple[MultiFernet, Fernet]:
    try:
        fernets = [Fernet(key.encode()) for key in keys]
    except ValueError as error:
        raise bad_key_error() from error
    return MultiFernet(fernets), fernets[0]


def _multi() -> MultiFernet:
    return _fernets(configured_keys())[0]


def _newest() -> Fernet:
    return _fernets(configured_keys())[1]


def encrypt_bytes(data: bytes) -> bytes:
    return _multi().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    return _multi().decrypt(token)


def encrypt_text(text: str) -> str:
    return encrypt_bytes(text.encode("utf-8")).decode("ascii")


def decrypt_text(token: str) -> str:
    return decrypt_bytes(token.encode("ascii")).decode("utf-8")


def is_current(token: bytes) -> bool:
    """Whether the token is already encrypted with the newest key."""
    try:
        _newest().decrypt(token)
    except InvalidToken:
        return False
    return True


def rotate_token(token: bytes) -> bytes:
    """The same plaintext encrypted with the newest key."""
    return _multi().rotate(token)


# A wrapped secret starts with a character no hex string has.
WRAPPED_PREFIX = "$"


def wrap_secret(secret: bytes) -> str:
    """A short secret (a second-factor seed) wrapped with the newest key (RFC 5649).

    Compact where a Fernet token is too long for a third-party column: a
    16-byte seed becomes 33 characters, a 20-byte one 44.
    """
    wrapped = aes_key_wrap_with_padding(_seed_keys()[0], secret)
    return WRAPPED_PREFIX + base64.urlsafe_b64encode(wrapped).decode("ascii").rstrip("=")


def unwrap_secret(token: str) -> bytes:
    """The secret of a `wrap_secret` token under any configured key; InvalidToken if none."""
    for key in _seed_keys():
        try:
            return aes_key_unwrap_with_padding(key, _wrapped_bytes(token))
        except InvalidUnwrap:
            continue
    raise InvalidToken


def is_wrapped(value: str) -> bool:
    return value.startswith(WRAPPED_PREFIX)


def rewrap_secret(token: str) -> str | None:
    """The token wrapped with the newest key, or None when it already is."""
    try:
        aes_key_unwrap_with_padding(_seed_keys()[0], _wrapped_bytes(token))
    except InvalidUnwrap:
        return wrap_secret(unwrap_secret(token))
    return None


def _wrapped_bytes(token: str) -> bytes:
    if not is_wrapped(token):
        raise InvalidToken
    body = token[len(WRAPPED_PREFIX) :]
    try:
        return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (ValueError, binascii.Error) as error:
        raise InvalidToken from error


def _seed_keys() -> tuple[bytes, ...]:
    return derived_keys("otp-seed")


class EncryptedExact(Exact):
    """`field=value` on an encrypted field: "" and NULL compare as they are
    stored; any other value compares the field's blind index (the keyed hash
    under every configured key), or is refused when it has none."""

    def get_prep_lookup(self):
        if self.rhs == "":
            return super().get_prep_lookup()
        return self.rhs

    def as_sql(self, compiler, connection):
        if self.rhs == "":
            return super().as_sql(compiler, connection)
        field = self.lhs.target
        index = index_of(field)
        if index is None:
            raise FieldError(
                f"{field.model.__name__}.{field.name} is encrypted and has no blind index: "
                "it cannot be compared in SQL."
            )
        hashes = index.digests(self.rhs) or [""]
        column, params = compiler.compile(index.get_col(self.lhs.alias))
        return f"{column} IN ({', '.join(['%s'] * len(hashes))})", [*params, *hashes]


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token; Python code sees the plain string.

    Only `isnull` and `exact` work on it (every encryption of the same text
    differs): `exact` matches the empty value, and any other value through the
    field's blind index (clinic_site.blind_index), else it raises FieldError;
    other lookups and ordering belong on plain columns. Empty text stays
    empty, so "no comment" costs nothing. Subclasses change the Python type.
    """

    description = "Text encrypted with CLINIC_FIELD_KEYS"

    def get_lookup(self, lookup_name):
        return {"exact": EncryptedExact, "isnull": IsNull}.get(lookup_name)

    def get_transform(self, lookup_name):  # noqa: ARG002 (no transforms of ciphertext)
        return None

    def from_db_value(self, value, expression, connection):  # noqa: ARG002
        if value is None or value == "":
            return self.empty(value)
        return self.from_text(decrypt_text(value))

    def to_python(self, value):
        return value

    def get_prep_value(self, value):
        value = self.to_python(value)
        if value is None or value == "":
            return value
        return encrypt_text(self.to_text(value))

    def empty(self, value):
        return value

    def from_text(self, text: str):
        return text

    def to_text(self, value) -> str:
        return str(value)


class EncryptedDateField(EncryptedTextField):
    """A date stored as the Fernet token of its ISO form; Python sees a date."""

    description = "Date encrypted with CLINIC_FIELD_KEYS"

    def empty(self, value):  # noqa: ARG002
        return None

    def from_text(self, text: str) -> date:
        return date.fromisoformat(text)

    def to_python(self, value):
        if value is None or value == "" or isinstance(value, date):
            return value or None
        try:
            return date.fromisoformat(str(value))
        except ValueError as error:
            raise ValidationError(forms.DateField.default_error_messages["invalid"]) from error

    def to_text(self, value) -> str:
        return value.isoformat()

    def formfield(self, **kwargs):
        return models.Field.formfield(self, **{"form_class": forms.DateField, **kwargs})


class EncryptedDecimalField(EncryptedTextField):
    """A decimal stored as the Fernet token of its text; Python sees a Decimal
    with `decimal_places` places, as a DecimalField would give."""

    description = "Decimal encrypted with CLINIC_FIELD_KEYS"

    def __init__(self, *args, decimal_places: int = 4, **kwargs):
        self.decimal_places = decimal_places
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.decimal_places != 4:
            kwargs["decimal_places"] = self.decimal_places
        return name, path, args, kwargs

    def empty(self, value):  # noqa: ARG002
        return None

    def from_text(self, text: str) -> Decimal:
        return self.to_python(text)

    def to_python(self, value):
        if value is None or value == "":
            return None
        try:
            number = value if isinstance(value, Decimal) else Decimal(str(value))
            return number.quantize(Decimal(1).scaleb(-self.decimal_places))
        except InvalidOperation as error:
            raise ValidationError(forms.DecimalField.default_error_messages["invalid"]) from error

    def to_text(self, value) -> str:
        return str(value)

    def formfield(self, **kwargs):
        return models.Field.formfield(
            self,
            **{"form_class": forms.DecimalField, "decimal_places": self.decimal_places, **kwargs},
        )


@deconstructible
class EncryptedFileStorage(FileSystemStorage):
    """Files on disk are Fernet tokens; `open()` hands back the plaintext.

    Its root is settings.CLINIC_RECORD_FILES_ROOT, outside MEDIA_ROOT: these
    files are only ever served by a view that checked access and wrote an
    audit record.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("file_permissions_mode", 0o600)
        super().__init__(**kwargs)

    @property
    def base_location(self):
        return self._value_or_setting(self._location, settings.CLINIC_RECORD_FILES_ROOT)

    def _save(self, name: str, content: File) -> str:
        content.seek(0)
        return super()._save(name, ContentFile(encrypt_bytes(content.read())))

    def _open(self, name: str, mode: str = "rb") -> File:
        if "b" not in mode or any(flag in mode for flag in "wa+"):
            raise ValueError("Encrypted files are opened read-only in binary mode.")
        with super()._open(name, "rb") as raw:
            plain = decrypt_bytes(raw.read())
        return ContentFile(plain, name=name)

    def read_token(self, name: str) -> bytes:
        return Path(self.path(name)).read_bytes()

    def replace_token(self, name: str, token: bytes) -> None:
        """Write a new ciphertext in place atomically (used by key rotation)."""
        target = Path(self.path(name))
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".rotate-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(token)
            os.chmod(temporary, 0o600)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


record_file_storage = EncryptedFileStorage()


def get_record_file_storage() -> EncryptedFileStorage:
    """For FileField(storage=...): migrations reference this callable, not an instance."""
    return record_file_storage
