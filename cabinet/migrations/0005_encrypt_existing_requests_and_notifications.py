"""Encrypt existing link and proxy requests, proxy grants' notes and notifications, fill the hashes.
(Its own migration: see clinic_site.encrypted_columns.)"""

from django.db import migrations

from clinic_site.encrypted_columns import encrypt_columns


class Migration(migrations.Migration):
    dependencies = [
        ("cabinet", "0004_encrypt_requests_and_notifications"),
    ]

    operations = [
        encrypt_columns(
            "cabinet_linkrequest",
            ["phone", "last_name", "first_name", "birth_date", "note"],
            hashes={"phone_index": ("phone", "phone"), "last_name_index": ("last_name", "name")},
        ),
        encrypt_columns(
            "cabinet_proxyrequest", ["last_name", "first_name", "birth_date", "document_note"]
        ),
        encrypt_columns("cabinet_proxyaccess", ["document_note"]),
        encrypt_columns("cabinet_notification", ["text"]),
    ]
