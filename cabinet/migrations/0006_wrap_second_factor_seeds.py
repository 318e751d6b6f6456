"""Second-factor seeds are stored wrapped (cabinet.accounts.otp_seeds).

A TOTP seed is wrapped as it is (the staff's apps keep working); a phone
device gets a fresh 16-byte seed, wrapped to fit its 40 characters (SMS codes
are computed when sent: only a code sent before the migration stops working).
"""

import binascii
import secrets

from django.db import migrations

from clinic_site.crypto import is_wrapped, unwrap_secret, wrap_secret


def _rewrite(model, change) -> None:
    for pk, key in model.objects.values_list("pk", "key"):
        new = change(key)
        if new != key:
            model.objects.filter(pk=pk).update(key=new)


def wrap(apps, schema_editor):  # noqa: ARG001
    def totp(key: str) -> str:
        return key if is_wrapped(key) else wrap_secret(binascii.unhexlify(key))

    def phone(key: str) -> str:
        return key if is_wrapped(key) else wrap_secret(secrets.token_bytes(16))

    _rewrite(apps.get_model("otp_totp", "TOTPDevice"), totp)
    _rewrite(apps.get_model("phonenumber", "PhoneDevice"), phone)


def unwrap(apps, schema_editor):  # noqa: ARG001
    def plain(key: str) -> str:
        return binascii.hexlify(unwrap_secret(key)).decode() if is_wrapped(key) else key

    _rewrite(apps.get_model("otp_totp", "TOTPDevice"), plain)
    _rewrite(apps.get_model("phonenumber", "PhoneDevice"), plain)


class Migration(migrations.Migration):
    dependencies = [
        ("cabinet", "0005_encrypt_existing_requests_and_notifications"),
        ("otp_totp", "0003_add_timestamps"),
        ("phonenumber", "0001_squashed_0001_initial"),
    ]

    operations = [migrations.RunPython(wrap, unwrap, elidable=False)]
