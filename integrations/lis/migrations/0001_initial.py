# The models were the integrations app's: only Django's record of them moves
# here (their tables keep their names and rows), so this migration changes
# nothing in the database. integrations 0004 forgets them on its side.

import clinic_site.crypto
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [("integrations", "0003_inbound_lab_event")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='LabPollCursor',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('lab', models.CharField(max_length=40, unique=True, verbose_name='lab')),
                        ('since', models.DateTimeField(verbose_name='reports since')),
                        ('last_success_at', models.DateTimeField(blank=True, null=True, verbose_name='last successful poll')),
                        ('last_attempt_at', models.DateTimeField(blank=True, null=True, verbose_name='last attempt')),
                        ('last_error', models.CharField(blank=True, max_length=300, verbose_name='last error')),
                    ],
                    options={
                        'db_table': 'integrations_labpollcursor',
                        'verbose_name': 'lab poll cursor',
                        'verbose_name_plural': 'lab poll cursors',
                    },
                ),
                migrations.CreateModel(
                    name='InboundLabEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('lab', models.CharField(max_length=40, verbose_name='lab')),
                        ('event_id', models.CharField(max_length=128, verbose_name='event id')),
                        ('channel', models.CharField(choices=[('webhook', 'webhook'), ('poll', 'polling')], default='webhook', max_length=8, verbose_name='channel')),
                        ('status', models.CharField(choices=[('received', 'received'), ('processed', 'processed'), ('failed', 'failed')], default='received', max_length=10, verbose_name='status')),
                        ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                        ('error', models.CharField(blank=True, max_length=500, verbose_name='error')),
                        ('body', clinic_site.crypto.EncryptedTextField(verbose_name='body')),
                        ('report_external_id', models.CharField(blank=True, max_length=64, verbose_name='report id')),
                        ('patient_mis_id', models.CharField(blank=True, max_length=64, verbose_name='patient MIS id')),
                        ('received_at', models.DateTimeField(auto_now_add=True, verbose_name='received at')),
                        ('processed_at', models.DateTimeField(blank=True, null=True, verbose_name='processed at')),
                    ],
                    options={
                        'db_table': 'integrations_inboundlabevent',
                        'verbose_name': 'inbound lab event',
                        'verbose_name_plural': 'inbound lab events',
                        'ordering': ['-received_at', '-id'],
                        'indexes': [models.Index(fields=['status', 'received_at'], name='inbound_lab_event_status')],
                        'constraints': [models.UniqueConstraint(fields=('lab', 'event_id'), name='inbound_lab_event_once')],
                    },
                ),
            ],
        ),
    ]
