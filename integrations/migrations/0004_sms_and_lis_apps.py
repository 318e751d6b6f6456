# SmsDelivery, InboundLabEvent and LabPollCursor now belong to the apps
# integrations.sms and integrations.lis, which took them over with their
# tables (their 0001 migrations). Only Django's record of them leaves this
# app; the tables and rows stay, so nothing changes in the database.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("integrations", "0003_inbound_lab_event"),
        ("lis", "0001_initial"),
        ("sms", "0001_initial"),
        # The reminder's foreign key names sms.SmsDelivery before this one goes.
        ("booking", "0008_reminder_sms_app"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="SmsDelivery"),
                migrations.DeleteModel(name="InboundLabEvent"),
                migrations.DeleteModel(name="LabPollCursor"),
            ],
        ),
    ]
