# SmsDelivery moved from the integrations app to integrations.sms (label "sms")
# with its table: the reminder's foreign key now names it there. The column
# and its constraint stay as they are, so nothing changes in the database.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("booking", "0007_appointment_person_and_consent"),
        ("sms", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="reminder",
                    name="sms",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="sms.smsdelivery",
                    ),
                ),
            ],
        ),
    ]
