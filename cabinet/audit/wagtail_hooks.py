"""The audit alerts in Wagtail's menu and URLs (for holders of audit.view_auditalert)."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from cabinet.audit import admin_views


@hooks.register("register_admin_urls")
def register_alert_urls():
    return [
        path("audit-alerts/", admin_views.alert_list, name="audit_alerts"),
        path("audit-alerts/<int:alert_id>/", admin_views.alert_detail, name="audit_alert"),
    ]


class AlertsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(admin_views.VIEW)


@hooks.register("register_admin_menu_item")
def register_alerts_menu_item():
    return AlertsMenuItem(
        _("Audit alerts"), reverse("audit_alerts"), icon_name="warning", order=950
    )
