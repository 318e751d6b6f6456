"""Keyed hashes (blind indexes) of encrypted values, for equality lookups.

An encrypted column cannot be searched: every encryption of a phone differs.
Beside it the model keeps a BlindIndexField, HMAC-SHA256 of the normalised
value under a key derived from CLINIC_FIELD_KEYS for that purpose. Equal
inputs give equal hashes (in every table, so a phone of an appointment matches
the phone of an SMS), and nobody without the keys can compute one.
`filter(phone="+7...")` on an encrypted field with a blind index compares the
hashes under every configured key (clinic_site.crypto.EncryptedExact), so
lookups keep working while `rotate_field_keys` recomputes them.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from django.db import models

from clinic_site.field_keys import derived_keys

__all__ = ["BlindIndexField", "blind_index", "blind_indexes", "index_of", "normalise"]

_NOT_PHONE = re.compile(r"[^\d+]")


def _phone(value: str) -> str:
    return _NOT_PHONE.sub("", value)


def _name(value: str) -> str:
    return " ".join(value.split()).casefold().replace("ё", "е")


# One rule per purpose: what counts as "the same" value.
NORMALISERS = {"phone": _phone, "name": _name}


def normalise(value: object, purpose: str) -> str:
    if value is None:
        return ""
    return NORMALISERS[purpose](str(value))


def blind_indexes(value: object, purpose: str) -> list[str]:
    """The value's hash under every configured key, newest first ([] for an empty value)."""
    text = normalise(value, purpose)
    if not text:
        return []
    return [
        hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()
        for key in derived_keys(f"blind-index:{purpose}")
    ]


def blind_index(value: object, purpose: str) -> str:
    """The hash stored for `value`: under the newest key, "" for an empty value."""
    hashes = blind_indexes(value, purpose)
    return hashes[0] if hashes else ""


class BlindIndexField(models.CharField):
    """The keyed hash of another (encrypted) field of the model, set on every save.

    `queryset.update(source=...)` bypasses it: change such fields with save().
    """

    description = "Keyed hash of an encrypted field"

    def __init__(self, *args, source: str, purpose: str, **kwargs):
        if purpose not in NORMALISERS:
            raise ValueError(f"No normalisation rule for the purpose {purpose!r}.")
        self.source, self.purpose = source, purpose
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs |= {"source": self.source, "purpose": self.purpose}
        for key, default in (("max_length", 64), ("blank", True), ("editable", False)):
            if kwargs.get(key) == default:
                del kwargs[key]
        if kwargs.get("db_index") is True:
            del kwargs["db_index"]
        else:
            kwargs["db_index"] = False
        return name, path, args, kwargs

    def digests(self, value: object) -> list[str]:
        """What `value` may be stored as: its hash under every configured key."""
        return blind_indexes(value, self.purpose)

    def pre_save(self, model_instance, add):
        value = blind_index(getattr(model_instance, self.source), self.purpose)
        setattr(model_instance, self.attname, value)
        return value


def index_of(field: models.Field) -> BlindIndexField | None:
    """The blind index kept of `field` on its model, if any."""
    for candidate in field.model._meta.concrete_fields:
        if isinstance(candidate, BlindIndexField) and candidate.source == field.name:
            return candidate
    return None
