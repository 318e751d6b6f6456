"""Verify the audit log's hash chain; name the first broken record."""

from django.core.management.base import BaseCommand, CommandError

from cabinet.audit.chain import first_break
from cabinet.audit.models import AuditRecord


class Command(BaseCommand):
    help = "Check every audit record's hash and link; exit non-zero at the first broken one."

    def handle(self, *args: object, **options: object) -> None:
        records = AuditRecord.objects.order_by("id").iterator(chunk_size=2000)
        broken = first_break(records)
        if broken is not None:
            raise CommandError(f"Audit log broken at record #{broken.record_id}: {broken.reason}.")
        count = AuditRecord.objects.count()
        self.stdout.write(f"Audit log intact: {count} records verified.")
