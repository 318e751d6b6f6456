"""Failed logins in the audit log: one record per failure, with the client's address.

Every login form reports a failure through Django's `user_login_failed`
signal (whose credentials Django has already cleansed of the password). The
record names the account tried: its user id when the username exists, else a
keyed hash of the username as typed ("name:<hmac>"), since people type
passwords and other people's phone numbers into the username field. The hash
still tells one unknown name from another, which is all the failed-login
alert needs.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver
from django.utils.crypto import salted_hmac

from cabinet.audit.models import AuditRecord
from cabinet.audit.services import Actor, write_audit
from clinic_site.client import client_ip

OBJECT_TYPE = "account"
_HASH_SALT = "cabinet.audit.login_failures"


def account_tried(username: str) -> str:
    """The user id of an existing account, else the keyed hash of the name typed."""
    User = get_user_model()
    user_id = User.objects.filter(**{User.USERNAME_FIELD: username}).values_list("pk").first()
    if user_id is not None:
        return str(user_id[0])
    digest = salted_hmac(_HASH_SALT, username.strip().casefold()).hexdigest()
    return f"name:{digest[:32]}"


@receiver(user_login_failed)
def _audit_failed_login(sender, credentials, request=None, **kwargs):
    write_audit(
        actor=Actor(
            role="anonymous",
            ip=client_ip(request) or None,
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300] if request else "",
        ),
        patient=None,
        object_type=OBJECT_TYPE,
        object_id=account_tried(str(credentials.get("username") or "")),
        action=AuditRecord.Action.LOGIN_FAILED,
    )
