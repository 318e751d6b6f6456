"""Print the current TOTP code of a demo staff login (the demo key only)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from cabinet.demo import DEMO_STAFF, DEMO_TOTP_KEY


class Command(BaseCommand):
    help = "Print the current second-factor code of a demo staff login (editor, doctor)."

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", default="editor", choices=DEMO_STAFF)

    def handle(self, *args, username: str, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo codes do not exist with CLINIC_ENV=production.")
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}: run `manage.py load_demo` first.")
        # Seeds are stored wrapped (cabinet.accounts.otp_seeds): compare them loaded.
        device = next(
            (d for d in TOTPDevice.objects.filter(user=user) if d.key == DEMO_TOTP_KEY), None
        )
        if device is None:
            device = TOTPDevice.objects.create(
                user=user, name="default", key=DEMO_TOTP_KEY, confirmed=True
            )
        self.stdout.write(f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}")
