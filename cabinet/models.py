"""The cabinet app's models. Each feature keeps its own in its package
(accounts/, consent/, proxies/, notifications/); Django loads an app's models
from this module, so it names them all."""

from cabinet.accounts.models import LinkRequest, Patient, User, phone_validator
from cabinet.consent.models import ConsentDocument, ConsentSignature, ConsentWithdrawal
from cabinet.notifications.models import Notification, NotificationKind, NotificationPreference
from cabinet.proxies.models import ProxyAccess, ProxyRequest

__all__ = [
    "ConsentDocument",
    "ConsentSignature",
    "ConsentWithdrawal",
    "LinkRequest",
    "Notification",
    "NotificationKind",
    "NotificationPreference",
    "Patient",
    "ProxyAccess",
    "ProxyRequest",
    "User",
    "phone_validator",
]
