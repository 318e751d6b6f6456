"""Encrypt the patient details of existing appointments and waitlist entries, fill their phone hashes.
(Its own migration: see clinic_site.encrypted_columns.)"""

from django.db import migrations

from clinic_site.encrypted_columns import encrypt_columns


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0010_encrypt_patient_details"),
    ]

    operations = [
        encrypt_columns(
            "booking_appointment",
            [
                "patient_last_name",
                "patient_first_name",
                "patient_middle_name",
                "patient_phone",
                "patient_birth_date",
            ],
            hashes={"patient_phone_index": ("patient_phone", "phone")},
        ),
        encrypt_columns(
            "booking_waitlistentry",
            ["phone", "last_name", "first_name"],
            hashes={"phone_index": ("phone", "phone")},
        ),
    ]
