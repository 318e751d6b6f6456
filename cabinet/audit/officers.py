"""The security officers' group: who sees and acknowledges the audit log's alerts."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

SECURITY_OFFICERS = "Security officers"
PERMISSIONS = (
    ("wagtailadmin", "access_admin"),
    ("audit", "view_auditalert"),
    ("audit", "change_auditalert"),  # acknowledging an alert
)


def ensure_security_officers_group(**_kwargs: object) -> Group:
    """Create the group with its permissions (after every migrate; idempotent)."""
    group, _ = Group.objects.get_or_create(name=SECURITY_OFFICERS)
    for app_label, codename in PERMISSIONS:
        permission = Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        ).first()
        if permission is not None:
            group.permissions.add(permission)
    return group
