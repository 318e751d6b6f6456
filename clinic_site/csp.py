"""Content Security Policy: django-csp's middleware with one exception.

The site (pages, booking, cabinet) runs with the strict policy of
settings.CONTENT_SECURITY_POLICY: scripts only from our own origin, no
inline script. Wagtail's and Django's admin ship inline scripts of their own
(inline panels, date pickers), so under /admin/ and /django-admin/ scripts
may also be inline; everything else stays as strict there too.
"""

from dataclasses import replace

from csp.middleware import CSPMiddleware

ADMIN_PREFIXES = ("/admin/", "/django-admin/")


class SiteCSPMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and request.path_info.startswith(ADMIN_PREFIXES):
            update = dict(parts.update or {})
            update["script-src"] = [*update.get("script-src", []), "'unsafe-inline'"]
            parts = replace(parts, update=update)
        return parts
