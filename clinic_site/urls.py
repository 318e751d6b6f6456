"""URL configuration: health, admin, documents, sitemap, robots, search, then Wagtail's pages."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from two_factor.urls import urlpatterns as two_factor_urls

from booking import views as booking_views
from cabinet.accounts import views as accounts_views
from clinic_pages.views import robots_txt, search, serve_page
from clinic_site.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include("booking.api.urls")),
    path("book/embed/", booking_views.embed, name="booking-embed"),
    path("book/manage/<str:signed>/", booking_views.manage, name="booking-manage"),
    path(
        "book/manage/<str:signed>/calendar.ics",
        booking_views.calendar,
        name="booking-calendar",
    ),
    path("book/consent/", booking_views.consent_text, name="booking-consent"),
    path("book/offer/<str:signed>/", booking_views.offer, name="booking-offer"),
    # django-two-factor-auth's own login would bypass our lockout and SMS limit.
    path(
        "cabinet/account/login/",
        RedirectView.as_view(pattern_name="cabinet:login", query_string=True),
        name="two-factor-login-redirect",
    ),
    # Staff log in to /admin/ here, with a TOTP code (before Wagtail's own login
    # form, which would skip the second factor; /django-admin/login/ is sent here).
    path("admin/login/", accounts_views.StaffLoginView.as_view(), name="staff-login"),
    path(
        "admin/login/enrol/<str:uidb64>/<str:token>/",
        accounts_views.staff_enrolment_link,
        name="staff-enrolment-link",
    ),
    path(
        "admin/login/enrol-code/", accounts_views.staff_enrolment_code, name="staff-enrolment-code"
    ),
    path("cabinet/", include(two_factor_urls)),  # TOTP setup of staff, backup tokens
    path("cabinet/", include("cabinet.urls")),
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("integrations/", include("integrations.urls")),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("search/", search, name="search"),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
urlpatterns += [
    # Wagtail's own page route, with the page cache in front (same pattern).
    re_path(r"^((?:[\w\-]+/)*)$", serve_page, name="clinic_pages_serve"),
    path("", include(wagtail_urls)),
]
