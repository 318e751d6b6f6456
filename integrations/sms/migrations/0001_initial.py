# The models were the integrations app's: only Django's record of them moves
# here (their tables keep their names and rows), so this migration changes
# nothing in the database. integrations 0004 forgets them on its side.

import uuid

from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [("integrations", "0003_inbound_lab_event")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='SmsDelivery',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('client_id', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                        ('phone', models.CharField(max_length=16)),
                        ('text', models.TextField()),
                        ('purpose', models.CharField(max_length=40)),
                        ('gateway', models.CharField(max_length=20)),
                        ('gateway_message_id', models.CharField(blank=True, max_length=64)),
                        ('status', models.CharField(choices=[('queued', 'queued'), ('sending', 'sending'), ('sent', 'sent'), ('delivered', 'delivered'), ('failed', 'failed')], default='queued', max_length=10)),
                        ('attempts', models.PositiveSmallIntegerField(default=0)),
                        ('last_error', models.CharField(blank=True, max_length=300)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('sending_since', models.DateTimeField(blank=True, null=True)),
                        ('sent_at', models.DateTimeField(blank=True, null=True)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                    ],
                    options={
                        'db_table': 'integrations_smsdelivery',
                        'verbose_name': 'SMS delivery',
                        'verbose_name_plural': 'SMS deliveries',
                        'indexes': [models.Index(fields=['status', 'updated_at'], name='sms_delivery_status')],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('gateway_message_id', ''), _negated=True), fields=('gateway', 'gateway_message_id'), name='sms_delivery_unique_gateway_message')],
                    },
                ),
            ],
        ),
    ]
