"""Accounts, consent, proxies and notifications of the cabinet."""

from django.urls import path

from cabinet.accounts import views as accounts_views
from cabinet.consent import views as consent_views
from cabinet.notifications import views as notifications_views
from cabinet.proxies import views as proxies_views

urlpatterns = [
    path("", accounts_views.home, name="home"),
    path("login/", accounts_views.LoginView.as_view(), name="login"),
    path("logout/", accounts_views.logout_view, name="logout"),
    path("register/", accounts_views.register, name="register"),
    path("password-reset/", accounts_views.password_reset, name="password_reset"),
    path("consent/", consent_views.consent_page, name="consent"),
    path("children/", proxies_views.children, name="children"),
    path("switch/", proxies_views.switch, name="switch"),
    path("notifications/", notifications_views.notification_list, name="notifications"),
    path(
        "notifications/settings/",
        notifications_views.notification_preferences,
        name="notification_preferences",
    ),
]
