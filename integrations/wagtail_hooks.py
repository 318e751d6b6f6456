"""Wagtail admin: the integrations status page and its menu item."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from integrations import admin_views


@hooks.register("register_admin_urls")
def register_status_url():
    return [path("integrations/", admin_views.status, name="integrations_status")]


class SuperuserMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser


@hooks.register("register_admin_menu_item")
def register_status_menu_item():
    return SuperuserMenuItem(
        _("Integrations"), reverse("integrations_status"), icon_name="link", order=10000
    )
