"""The registrar's queues in Wagtail's menu."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem


class _QueueItem(MenuItem):
    def __init__(self, label, model, order):
        self.model = model
        super().__init__(
            label,
            reverse(f"admin:cabinet_{model}_changelist") + "?status__exact=pending",
            icon_name="user",
            order=order,
        )

    def is_shown(self, request):
        return request.user.has_perm(f"cabinet.change_{self.model}")


@hooks.register("register_admin_menu_item")
def link_requests_menu_item():
    return _QueueItem(_("Accounts to link"), "linkrequest", 900)


@hooks.register("register_admin_menu_item")
def proxy_requests_menu_item():
    return _QueueItem(_("Proxies to verify"), "proxyrequest", 901)
