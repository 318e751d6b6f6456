"""The version of an appointment's signed manage links: bumping it revokes them."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0008_reminder_sms_app"),
    ]

    operations = [
        migrations.AddField(
            model_name="appointment",
            name="link_version",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
    ]
