"""Seed the clinic's reference ranges for the analytes it reports."""

from django.db import migrations


def seed(apps, schema_editor):
    from cabinet.records.reference_data import seed_reference_ranges

    seed_reference_ranges(apps.get_model("records", "ReferenceRange"))


class Migration(migrations.Migration):
    dependencies = [("records", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
