"""The registrar's queues: accounts to link and proxies to verify (Django admin,
linked from Wagtail's menu by cabinet.wagtail_hooks)."""

from django.contrib import admin, messages
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cabinet.accounts.models import LinkRequest
from cabinet.accounts.services import AccountLinkError, approve_link_request, reject_link_request
from cabinet.consent.models import ConsentDocument, ConsentSignature
from cabinet.proxies.models import ProxyAccess, ProxyRequest
from cabinet.proxies.services import approve_proxy_request, reject_proxy_request


def _decide(modeladmin, request, queryset, decide):
    done = 0
    for item in queryset.filter(status="pending"):
        try:
            decide(item)
        except AccountLinkError as error:
            modeladmin.message_user(request, f"{item}: {error}", messages.ERROR)
        else:
            done += 1
    if done:
        modeladmin.message_user(request, _("Done: %(count)d.") % {"count": done})


@admin.register(LinkRequest)
class LinkRequestAdmin(admin.ModelAdmin):
    list_display = ("last_name", "first_name", "birth_date", "phone", "reason", "status")
    list_filter = ("status", "reason")
    # Encrypted: the search box matches a whole last name or phone through
    # their keyed hashes (get_search_results), never a part of one.
    search_fields = ("last_name", "phone")
    readonly_fields = ("user", "phone", "reason", "candidates", "decided_by", "decided_at")
    fields = (
        "user",
        "phone",
        "last_name",
        "first_name",
        "birth_date",
        "reason",
        "candidates",
        "mis_id",
        "note",
        "status",
        "decided_by",
        "decided_at",
    )
    actions = ["approve", "reject"]

    def has_add_permission(self, request):
        return False

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(Q(last_name=term) | Q(phone=term)), False

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "status")

    @admin.action(description=_("Link to the chosen MIS patient"))
    def approve(self, request, queryset):
        _decide(self, request, queryset, lambda link: approve_link_request(link, by=request.user))

    @admin.action(description=_("Reject"))
    def reject(self, request, queryset):
        _decide(self, request, queryset, lambda link: reject_link_request(link, by=request.user))


@admin.register(ProxyRequest)
class ProxyRequestAdmin(admin.ModelAdmin):
    list_display = ("parent", "last_name", "first_name", "birth_date", "mis_id", "status")
    list_filter = ("status",)
    readonly_fields = ("parent", "candidates", "status", "decided_by", "decided_at")
    fields = (
        "parent",
        "last_name",
        "first_name",
        "birth_date",
        "candidates",
        "mis_id",
        "document_note",
        "status",
        "decided_by",
        "decided_at",
    )
    actions = ["approve", "reject"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Verify: grant access (document note required)"))
    def approve(self, request, queryset):
        _decide(self, request, queryset, lambda item: approve_proxy_request(item, by=request.user))

    @admin.action(description=_("Reject"))
    def reject(self, request, queryset):
        _decide(self, request, queryset, lambda item: reject_proxy_request(item, by=request.user))


@admin.register(ProxyAccess)
class ProxyAccessAdmin(admin.ModelAdmin):
    list_display = ("parent", "child", "created_at", "revoked_at")
    readonly_fields = ("parent", "child", "request", "verified_by", "created_at")


@admin.register(ConsentDocument)
class ConsentDocumentAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "version", "published_at")


@admin.register(ConsentSignature)
class ConsentSignatureAdmin(admin.ModelAdmin):
    list_display = ("user", "document", "signed_at", "ip_address")
    readonly_fields = ("user", "document", "signed_at", "ip_address", "text_sha256", "phone")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
