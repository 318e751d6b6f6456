"""Load the demo clinic: MIS sync, pages, demo accounts. Safe to run twice."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cabinet.demo import DemoLogin, ensure_demo_users
from clinic_pages.demo import (
    REVIEWER_PASSWORD,
    REVIEWER_USERNAME,
    ensure_demo_content,
    ensure_demo_site,
)
from integrations.mis.sync import run_mis_sync


class Command(BaseCommand):
    help = "Load the demo clinic (idempotent): sync the demo MIS, create pages and demo logins."

    def handle(self, *args: object, **options: object) -> None:
        if settings.PRODUCTION:
            raise CommandError("The demo clinic is not loaded with CLINIC_ENV=production.")
        ensure_demo_site()
        report = run_mis_sync()
        ensure_demo_site()  # doctor pages for doctors the sync just created
        logins = ensure_demo_users()
        ensure_demo_content()
        reviewer = DemoLogin(
            "medical reviewer (doctor)", REVIEWER_USERNAME, REVIEWER_PASSWORD, "/admin/"
        )
        logins.append(reviewer)
        self.stdout.write(f"Demo MIS synced: {report.written} rows written.")
        for login in logins:
            self.stdout.write(f"  {login.role}: {login.username} / {login.password}  ({login.url})")
