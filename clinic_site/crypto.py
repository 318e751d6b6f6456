"""Application-layer encryption of medical data: keys, a text field, file storage.

Keys come from settings.CLINIC_FIELD_KEYS (Fernet keys, newest first): the
newest encrypts, every key decrypts, so rotation is "add a key in front, run
`manage.py rotate_field_keys`, then drop the old key". The database and the
disk only ever hold Fernet tokens.
"""

from __future__ import annotations

import base64
import hashlib
import os
import tempfile
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.deconstruct import deconstructible

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

__all__ = [
    "EncryptedFileStorage",
    "EncryptedTextField",
    "InvalidToken",
    "decrypt_bytes",
    "decrypt_text",
    "encrypt_bytes",
    "encrypt_text",
    "is_current",
    "rotate_token",
]


def _configured_keys() -> tuple[str, ...]:
    keys = tuple(key.strip() for key in settings.CLINIC_FIELD_KEYS if key.strip())
    if keys:
        return keys
    if settings.PRODUCTION:
        raise ImproperlyConfigured("CLINIC_FIELD_KEYS must be set when CLINIC_ENV=production.")
    # Outside production only: a stable key derived from SECRET_KEY.
    digest = hashlib.sha256(b"clinic-field-key:" + settings.SECRET_KEY.encode()).digest()
    return (base64.urlsafe_b64encode(digest).decode(),)


@lru_cache(maxsize=8)
def _fernets(keys: tuple[str, ...]) -> tuple[MultiFernet, Fernet]:
    try:
        fernets = [Fernet(key.encode()) for key in keys]
    except ValueError as error:
        raise ImproperlyConfigured(
            "CLINIC_FIELD_KEYS: every key must be 32 url-safe base64-encoded bytes "
            "(Fernet.generate_key())."
        ) from error
    return MultiFernet(fernets), fernets[0]


def _multi() -> MultiFernet:
    return _fernets(_configured_keys())[0]


def _newest() -> Fernet:
    return _fernets(_configured_keys())[1]


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


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token; Python code sees the plain string.

    Lookups other than `isnull` make no sense on it (every encryption of the
    same text differs): filter on plain columns instead. Empty text stays
    empty, so "no comment" costs nothing.
    """

    description = "Text encrypted with CLINIC_FIELD_KEYS"

    def from_db_value(self, value, expression, connection):  # noqa: ARG002
        if value is None or value == "":
            return value
        return decrypt_text(value)

    def to_python(self, value):
        return value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_text(str(value))


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
