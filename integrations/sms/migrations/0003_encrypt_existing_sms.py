"""Encrypt the number and text of existing SMS, fill their phone hashes.

Apart from the schema migration before it: on PostgreSQL the indexes of the
new hash columns are created at the end of a migration, which fails on a
table with rows updated in the same transaction."""

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
