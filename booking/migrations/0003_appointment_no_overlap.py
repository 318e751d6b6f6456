"""PostgreSQL backstop: active appointments of one doctor never overlap.

Django's makemigrations adds neither the btree_gist extension nor a
constraint that only PostgreSQL understands, so both are written here by
hand; on SQLite (the embedded default) this migration does nothing and the
booking service's check under an IMMEDIATE transaction is the guarantee.
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

CONSTRAINT = "booking_appointment_no_overlap"


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE booking_appointment ADD CONSTRAINT {CONSTRAINT} "
        "EXCLUDE USING gist (doctor_id WITH =, tstzrange(start, blocked_until, '[)') WITH &&) "
        "WHERE (status IN ('held', 'awaiting', 'confirmed'))"
    )


def drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE booking_appointment DROP CONSTRAINT {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("booking", "0002_appointment")]

    operations = [
        BtreeGistExtension(),
        migrations.RunPython(add_constraint, drop_constraint),
    ]
