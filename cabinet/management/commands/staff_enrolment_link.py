"""Print a one-time link that lets a staff member without a second factor
sign in once to set up the authenticator app (cabinet/accounts/enrolment.py)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cabinet.accounts import enrolment
from cabinet.accounts.models import User


class Command(BaseCommand):
    help = "Print a one-time enrolment link for a staff member without a second factor."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--site",
            default="",
            help="The site's address to put in front of the path, e.g. https://clinic.example",
        )

    def handle(self, *args, username, site, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        if not enrolment.needs_enrolment(user):
            raise CommandError(
                f"{username!r} is not staff or already has a second factor: no link is needed."
            )
        self.stdout.write(site.rstrip("/") + enrolment.link_path(user))
        self.stderr.write(
            f"One use; valid for {settings.STAFF_ENROLMENT_LINK_HOURS} hours. "
            "Give it to the staff member in person or by a channel you trust."
        )
