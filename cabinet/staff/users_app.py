"""Wagtail's users app with our user forms (cabinet/staff/users_admin.py): in
INSTALLED_APPS in place of "wagtail.users" (the same app, label and migrations)."""

from wagtail.users.apps import WagtailUsersAppConfig


class ClinicUsersAppConfig(WagtailUsersAppConfig):
    user_viewset = "cabinet.staff.users_admin.StaffUserViewSet"
