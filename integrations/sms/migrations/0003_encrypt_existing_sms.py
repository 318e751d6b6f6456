"""Encrypt the number and text of existing SMS, fill their phone hashes.
(Its own migration: see clinic_site.encrypted_columns.)"""

from django.db import migrations

from clinic_site.encrypted_columns import encrypt_columns


class Migration(migrations.Migration):
    dependencies = [
        ("sms", "0002_encrypt_sms_phone_and_text"),
    ]

    operations = [
        encrypt_columns(
            "integrations_smsdelivery",
            ["phone", "text"],
            hashes={"phone_index": ("phone", "phone")},
        ),
    ]
