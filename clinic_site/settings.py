"""The one settings module: every value comes from the environment.

Unset variables fall back to the embedded default (SQLite, a filesystem
Celery broker, a file cache, the demo MIS), which is what `make run` uses.
`CLINIC_ENV=production` turns the fallbacks for secrets off: the process
refuses to start without SECRET_KEY and ALLOWED_HOSTS.
"""

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

import environ

BASE_DIR = Path(__file__).resolve().parent.parent


class RecordingEnv(environ.Env):
    """django-environ's reader that remembers the name of every variable read:
    tests/test_configuration_reference.py checks docs/configuration.md against it."""

    def __init__(self, **scheme):
        super().__init__(**scheme)
        self.names_read: set[str] = set()

    def get_value(self, var, *args, **kwargs):
        self.names_read.add(var)
        return super().get_value(var, *args, **kwargs)


env = RecordingEnv()
# Filled while this module runs: every environment variable the settings read.
ENVIRONMENT_VARIABLES_READ = env.names_read
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

# Runtime state of the embedded default: SQLite file, broker, cache, media.
VAR_DIR = Path(env.str("CLINIC_VAR_DIR", default=str(BASE_DIR / "var")))
# The embedded default keeps personal data in files of its own (the SQLite
# database and its WAL, the demo MIS, the file cache and broker, the keys):
# every file and folder this process creates is its owner's only.
if not env.str("DATABASE_URL", default=""):
    os.umask(0o077)

CLINIC_ENV = env.str("CLINIC_ENV", default="development")
if CLINIC_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("CLINIC_ENV must be 'development' or 'production'.")
PRODUCTION = CLINIC_ENV == "production"


def _development_secret_key() -> str:
    """One key per checkout, kept in var/, so sessions survive restarts."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


if PRODUCTION:
    for required in ("SECRET_KEY", "ALLOWED_HOSTS"):
        if not env.str(required, default=""):
            raise ImproperlyConfigured(f"{required} must be set when CLINIC_ENV=production.")
    SECRET_KEY = env.str("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
    DEBUG = env.bool("DEBUG", default=False)
else:
    SECRET_KEY = env.str("SECRET_KEY", default="") or _development_secret_key()
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
    DEBUG = env.bool("DEBUG", default=True)

INSTALLED_APPS = [
    "clinic_site",  # project-wide management commands (load_demo)
    "clinic_pages",
    "booking",
    "catalog",
    "cabinet",
    "cabinet.audit",
    "cabinet.records",
    "cabinet.staff",
    "integrations",
    "integrations.lis",
    "integrations.sms",
    "wagtailseo",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "cabinet.staff.users_app.ClinicUsersAppConfig",  # wagtail.users, with the phone
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "rest_framework",
    "drf_spectacular",
    "django_otp",
    "django_otp.plugins.otp_static",
    "django_otp.plugins.otp_totp",
    "two_factor",
    "two_factor.plugins.phonenumber",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "clinic_site.csp.SiteCSPMiddleware",
    "clinic_site.content_length.ContentLengthMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "clinic_site.no_store.NoStoreMiddleware",
    "cabinet.accounts.two_factor.SecondFactorMiddleware",
    "cabinet.consent.middleware.ConsentMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "clinic_site.urls"
WSGI_APPLICATION = "clinic_site.wsgi.application"
ASGI_APPLICATION = "clinic_site.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
# Embedded default: SQLite in WAL mode with IMMEDIATE transactions, so a
# writer takes the lock at BEGIN instead of failing later on upgrade.
DATABASE_URL = env.str("DATABASE_URL", default="") or f"sqlite:///{VAR_DIR / 'clinic.sqlite3'}"
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery -----------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
# Prefix of every Redis key (cache and broker), so several instances or test
# runs can share one Redis server without seeing each other's keys.
REDIS_KEY_PREFIX = env.str("REDIS_KEY_PREFIX", default="clinic")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "clinic_site.cache.RedisCache",  # Django's, one client per pool
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": REDIS_KEY_PREFIX,
            # A dead Redis must answer in about a second, not hang a worker.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "clinic_site.cache.FileCache",  # Django's, counting atomically
            "LOCATION": str(VAR_DIR / "cache"),
            "KEY_PREFIX": REDIS_KEY_PREFIX,
        }
    }

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or REDIS_URL or "filesystem://"
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    for _folder in ("messages", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "messages"),
        "data_folder_out": str(_broker_dir / "messages"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
elif CELERY_BROKER_URL.startswith("redis"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
        "global_keyprefix": f"{REDIS_KEY_PREFIX}:",
    }
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_DEFAULT_QUEUE", default="default")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 600
CELERY_TASK_SOFT_TIME_LIMIT = 540
CELERY_TIMEZONE = "UTC"
# Task modules outside an app's tasks.py (which autodiscovery finds by itself).
CELERY_IMPORTS = ["integrations.mis.tasks"]
# One queue per external system: a slow MIS never delays SMS or anything else.
CELERY_TASK_ROUTES = {
    "integrations.mis.tasks.sync_mis": {"queue": "mis"},
    "integrations.tasks.deliver_outbox_message": {"queue": "mis"},
    "integrations.tasks.deliver_due_outbox": {"queue": "mis"},
    "integrations.sms.tasks.send_sms": {"queue": "sms"},
    "integrations.sms.tasks.resend_stale_sms": {"queue": "sms"},
    "cabinet.records.tasks.import_patient_record": {"queue": "mis"},
    "integrations.lis.tasks.process_lab_event": {"queue": "lis"},
    "integrations.lis.tasks.poll_lab": {"queue": "lis"},
    "integrations.lis.tasks.process_stale_lab_events": {"queue": "lis"},
}
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="clinic@example.invalid")
# Queues a worker consumes: the default one and one per external system.
WORKER_QUEUES = env.list("WORKER_QUEUES", default=["default", "mis", "sms", "lis"])
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Seconds between MIS syncs run by beat (the issue asks for every 2-3 minutes).
MIS_SYNC_INTERVAL = env.int("MIS_SYNC_INTERVAL", default=150)
# How many days ahead the schedule is synced.
MIS_SYNC_DAYS = env.int("MIS_SYNC_DAYS", default=30)


def external_system(prefix: str, *, urls: dict[str, str], secrets: tuple[str, ...]) -> dict:
    """The settings of one external system, each read from the variable of its name:
    <PREFIX>_<name> for each of its URLs (the simulator's by default), its login and
    secret (empty unless set), <PREFIX>_TIME_ZONE (its wall clock, Europe/Moscow by
    default) and <PREFIX>_TIMEOUT (seconds per call, 10 by default)."""
    block: dict[str, object] = {
        f"{prefix}_{name}": env.str(f"{prefix}_{name}", default=url) for name, url in urls.items()
    }
    block |= {f"{prefix}_{name}": env.str(f"{prefix}_{name}", default="") for name in secrets}
    block[f"{prefix}_TIME_ZONE"] = env.str(f"{prefix}_TIME_ZONE", default="Europe/Moscow")
    block[f"{prefix}_TIMEOUT"] = env.float(f"{prefix}_TIMEOUT", default=10.0)
    return block


# --- The clinic's MIS -----------------------------------------------------
MIS_ADAPTER = env.str("MIS_ADAPTER", default="demo")
MIS_DEMO_SEED = env.int("MIS_DEMO_SEED", default=2026)
# Knob of the demo MIS: pretend the system is down (health checks, outage drills).
MIS_DEMO_OUTAGE = env.bool("MIS_DEMO_OUTAGE", default=False)
# The demo MIS's own appointment book (shared by the web and worker processes).
MIS_DEMO_STORE = env.str("MIS_DEMO_STORE", default=str(VAR_DIR / "demo-mis.sqlite3"))
# `make run` serves these simulators beside the site (name:port, "" for none),
# to try each adapter and tool against: the site itself uses the in-process demo MIS.
EMBEDDED_SIMULATORS = env.list(
    "EMBEDDED_SIMULATORS",
    default=["medialog:8091", "infoclinica:8093", "onec:8094", "fhir:8095", "n3:8096", "lis:8097"],
)
# МЕДИАЛОГ (MIS_ADAPTER=medialog): SOAP endpoint, WS-Security login, its wall-clock zone.
globals().update(
    external_system(
        "MEDIALOG",
        urls={"URL": "http://127.0.0.1:8091/medialog/PlanningService"},
        secrets=("USER", "PASSWORD"),
    )
)
# Инфоклиника (MIS_ADAPTER=infoclinica): XML over HTTP, OAuth2 client credentials.
globals().update(
    external_system(
        "INFOCLINICA",
        urls={"URL": "http://127.0.0.1:8093"},
        secrets=("CLIENT_ID", "CLIENT_KEY"),
    )
)
# 1С:Медицина (MIS_ADAPTER=onec): its HTTP service, Basic auth, the base's wall-clock zone.
globals().update(
    external_system(
        "ONEC", urls={"URL": "http://127.0.0.1:8094/hs/clinic/v1"}, secrets=("USER", "PASSWORD")
    )
)
# The CommerceML exchange 1C calls to push the price list (/integrations/1c/exchange):
# its HTTP Basic login (the endpoint refuses everything while unset), the part
# size 1C is told to send, the largest file taken, the price type imported
# (its name or id; empty: the first one), where uploads are kept.
COMMERCEML_USER = env.str("COMMERCEML_USER", default="")
COMMERCEML_PASSWORD = env.str("COMMERCEML_PASSWORD", default="")
COMMERCEML_FILE_LIMIT = env.int("COMMERCEML_FILE_LIMIT", default=1024 * 1024)
COMMERCEML_MAX_FILE_SIZE = env.int("COMMERCEML_MAX_FILE_SIZE", default=200 * 1024 * 1024)
COMMERCEML_PRICE_TYPE = env.str("COMMERCEML_PRICE_TYPE", default="")
COMMERCEML_DIR = env.str("COMMERCEML_DIR", default=str(VAR_DIR / "commerceml"))
# Prices come from 1C's price list only: the MIS sync then leaves known services' prices.
COMMERCEML_OWNS_PRICES = env.bool("COMMERCEML_OWNS_PRICES", default=False)
# Any FHIR R4 server (MIS_ADAPTER=fhir): base URL, Bearer token, zone times are shown in.
globals().update(
    external_system("FHIR", urls={"URL": "http://127.0.0.1:8095/fhir"}, secrets=("TOKEN",))
)
# N3.Здоровье (MIS_ADAPTER=n3): the SOAP booking hub, the integration guid, the
# hub's FHIR endpoint for lab reports, the zone of its wall clock.
globals().update(
    external_system(
        "N3",
        urls={
            "URL": "http://127.0.0.1:8096/n3/HubService",
            "FHIR_URL": "http://127.0.0.1:8096/n3/fhir",
        },
        secrets=("GUID",),
    )
)
# Renovatio (MIS_ADAPTER=renovatio): its public API, the clinic's api_key, its wall clock;
# the slot step (10/15/20/30/60) and a service's minutes, which its API does not give.
globals().update(
    external_system(
        "RENOVATIO", urls={"URL": "http://127.0.0.1:8098/api/public"}, secrets=("API_KEY",)
    )
)
RENOVATIO_STEP = env.int("RENOVATIO_STEP", default=15)
RENOVATIO_SERVICE_MINUTES = env.int("RENOVATIO_SERVICE_MINUTES", default=30)
# Архимед (MIS_ADAPTER=archimed): API v5, the Api Id and Api Secret its JWT is made
# from (user_id optional), its wall clock; the talon body keys and the slot path are
# assumptions a clinic confirms (see integrations/mis/archimed.py).
globals().update(
    external_system(
        "ARCHIMED",
        urls={"URL": "http://127.0.0.1:8099/api/v5"},
        secrets=("API_ID", "API_SECRET", "USER_ID"),
    )
)
ARCHIMED_TALON_FIELDS = env.str("ARCHIMED_TALON_FIELDS", default="")
ARCHIMED_SLOT_PATH = env.str("ARCHIMED_SLOT_PATH", default="slot/{doctor_id}/{start}/{end}")
ARCHIMED_DELETE_REASON = env.str("ARCHIMED_DELETE_REASON", default="")
# БИТ.УМЦ (MIS_ADAPTER=bit_umc): its /hs/bwi HTTP service, the exchange's API Key, the
# publication's optional Basic login, the base's wall clock; a service's minutes (not
# public) and whether a booking takes a бронь first (see integrations/mis/bit_umc.py).
globals().update(
    external_system(
        "BIT_UMC",
        urls={"URL": "http://127.0.0.1:8100/umc/hs/bwi"},
        secrets=("KEY", "USER", "PASSWORD"),
    )
)
BIT_UMC_SERVICE_MINUTES = env.int("BIT_UMC_SERVICE_MINUTES", default=30)
BIT_UMC_RESERVE_FIRST = env.bool("BIT_UMC_RESERVE_FIRST", default=True)

# Circuit breaker of each external system: this many transport failures within
# the window (seconds) open it; calls then fail at once for the cooldown.
CIRCUIT_FAILURES = env.int("CIRCUIT_FAILURES", default=5)
CIRCUIT_WINDOW = env.int("CIRCUIT_WINDOW", default=60)
CIRCUIT_COOLDOWN = env.int("CIRCUIT_COOLDOWN", default=30)

# --- Booking --------------------------------------------------------------
# Minutes a held slot waits for the patient to confirm.
BOOKING_HOLD_MINUTES = env.int("BOOKING_HOLD_MINUTES", default=10)
# Online cancel/reschedule is possible until this many hours before the visit.
BOOKING_CANCEL_CUTOFF_HOURS = env.int("BOOKING_CANCEL_CUTOFF_HOURS", default=2)
# Limits against abuse: future bookings one patient (phone) may have per specialty,
# and holds confirmed with one phone number per hour.
BOOKING_MAX_ACTIVE_PER_SPECIALTY = env.int("BOOKING_MAX_ACTIVE_PER_SPECIALTY", default=2)
BOOKING_MAX_HOLDS_PER_PHONE_HOUR = env.int("BOOKING_MAX_HOLDS_PER_PHONE_HOUR", default=5)
# Minutes a time offered to the first in the waitlist stays held for them.
BOOKING_WAITLIST_HOLD_MINUTES = env.int("BOOKING_WAITLIST_HOLD_MINUTES", default=30)
# Guests (not logged in) confirm their phone with an SMS code before booking.
BOOKING_GUEST_PHONE_CODE = env.bool("BOOKING_GUEST_PHONE_CODE", default=True)
# No reminders are sent in these local hours of the branch (from-to, 24 h clock).
BOOKING_QUIET_HOURS = tuple(
    int(h) for h in env.str("BOOKING_QUIET_HOURS", default="22-8").split("-", 1)
)
# Holds one client (IP address) may take per minute through the API.
BOOKING_HOLDS_PER_IP = env.str("BOOKING_HOLDS_PER_IP", default="30/min")
# Trusted channels calling the API for many people ("telegram=<secret>,app=<secret>"):
# with the key in X-Channel-Key, limits count per X-Channel-Client, not per address.
BOOKING_CHANNEL_KEYS = env.dict("BOOKING_CHANNEL_KEYS", default={})
# Specialties (MIS external ids) whose "doctors" are rooms, not people: the procedure
# room where blood is taken. They get no doctor page; lab test and check-up pages book them.
BOOKING_ROOM_SPECIALTIES = env.list("BOOKING_ROOM_SPECIALTIES", default=["sp-proc"])

# --- Cabinet: medical records ---------------------------------------------
# Fernet keys (urlsafe base64, 32 bytes) that encrypt medical fields and files,
# comma-separated, newest first: the first encrypts, all of them decrypt, so a
# new key is added in front and `manage.py rotate_field_keys` re-encrypts.
# Production refuses to start without them; elsewhere a key is derived from
# SECRET_KEY so the embedded default works out of the box.
CLINIC_FIELD_KEYS = env.list("CLINIC_FIELD_KEYS", default=[])
if PRODUCTION and not CLINIC_FIELD_KEYS:
    raise ImproperlyConfigured("CLINIC_FIELD_KEYS must be set when CLINIC_ENV=production.")
# Encrypted files of patients' documents (never under MEDIA_ROOT: not served).
CLINIC_RECORD_FILES_ROOT = Path(
    env.str("CLINIC_RECORD_FILES_ROOT", default=str(VAR_DIR / "record-files"))
)
# The cabinet reloads a patient's history from the MIS when the last import
# is older than this many minutes.
CLINIC_RECORDS_REFRESH_MINUTES = env.int("CLINIC_RECORDS_REFRESH_MINUTES", default=30)

# --- Telegram bot ---------------------------------------------------------
# `manage.py run_telegram_bot`: the token from @BotFather, the Bot API server
# ("" = api.telegram.org; the simulator's URL in tests) and our /api/v1/ base.
TELEGRAM_BOT_TOKEN = env.str("TELEGRAM_BOT_TOKEN", default="")
TELEGRAM_API_URL = env.str("TELEGRAM_API_URL", default="")
BOOKING_API_URL = env.str("BOOKING_API_URL", default="http://127.0.0.1:8000/api/v1/")
# The bot's key among BOOKING_CHANNEL_KEYS (its users are then limited one by one).
TELEGRAM_CHANNEL_KEY = env.str("TELEGRAM_CHANNEL_KEY", default="")

# --- API ------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # A session counts once its second factor is verified (a staff member
    # signed in only to enrol a device is no API client).
    "DEFAULT_AUTHENTICATION_CLASSES": ["cabinet.accounts.api_auth.VerifiedSessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["booking.api.parsers.JSONBodyParser"],
    "EXCEPTION_HANDLER": "booking.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Clinic booking API",
    "DESCRIPTION": "One API for the site, the widget, the mobile app and the Telegram bot.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "PREPROCESSING_HOOKS": ["booking.api.schema.only_public_api"],
}

# --- SMS gateway ----------------------------------------------------------
# smsru | smsc. With SMS_API_URL unset the platform talks to that gateway's
# simulator on loopback, which `make run` starts (integrations/simulators/).
SMS_GATEWAY = env.str("SMS_GATEWAY", default="smsru")
SMS_SIMULATOR_PORTS = {"smsru": 8701, "smsc": 8702}
SMS_API_URL = env.str("SMS_API_URL", default="")
SMS_SIMULATED = not SMS_API_URL
if SMS_SIMULATED:
    SMS_API_URL = f"http://127.0.0.1:{SMS_SIMULATOR_PORTS.get(SMS_GATEWAY, 8701)}"
# sms.ru api_id or smsc.ru apikey; smsc.ru also takes SMS_LOGIN + SMS_PASSWORD.
# Only the simulator has a default key.
SMS_API_KEY = env.str("SMS_API_KEY", default="simulator-key" if SMS_SIMULATED else "")
SMS_LOGIN = env.str("SMS_LOGIN", default="")
SMS_PASSWORD = env.str("SMS_PASSWORD", default="")
SMS_SENDER = env.str("SMS_SENDER", default="")
SMS_TIMEOUT = env.float("SMS_TIMEOUT", default=10.0)
# Status callbacks are unsigned: the gateway calls a URL carrying this key
# (/integrations/sms/<gateway>/status?key=...). Production refuses callbacks
# while it is unset; development accepts them without a key.
SMS_CALLBACK_SECRET = env.str("SMS_CALLBACK_SECRET", default="")
# Sending attempts before a message the gateway never took is marked failed.
SMS_MAX_ATTEMPTS = env.int("SMS_MAX_ATTEMPTS", default=8)

# --- LIS: lab results -------------------------------------------------------
# Labs that push results: "lab-slug=secret,..." (HMAC key of the webhook
# /integrations/lis/<lab>/results). Only development has a default: the demo
# lab that `manage.py simulate lis` plays.
LIS_WEBHOOK_SECRETS = env.dict(
    "LIS_WEBHOOK_SECRETS", default={} if PRODUCTION else {"demo-lab": "demo-lab-dev-secret"}
)
# A webhook's X-Timestamp may be this many seconds early or late.
LIS_WEBHOOK_WINDOW_SECONDS = env.int("LIS_WEBHOOK_WINDOW_SECONDS", default=300)
LIS_WEBHOOK_MAX_BYTES = env.int("LIS_WEBHOOK_MAX_BYTES", default=20 * 1024 * 1024)
# Labs without webhooks, polled by beat: "lab-slug=https://lab.example/fhir,...";
# optional bearer tokens "lab-slug=token,...".
LIS_POLL_SOURCES = env.dict("LIS_POLL_SOURCES", default={})
LIS_POLL_TOKENS = env.dict("LIS_POLL_TOKENS", default={})
LIS_POLL_INTERVAL = env.int("LIS_POLL_INTERVAL", default=300)
# The first poll of a lab asks for this many days back.
LIS_POLL_FIRST_DAYS = env.int("LIS_POLL_FIRST_DAYS", default=30)
LIS_TIMEOUT = env.float("LIS_TIMEOUT", default=10.0)
# The zone of times a lab writes without an offset.
LIS_TIME_ZONE = env.str("LIS_TIME_ZONE", default="Europe/Moscow")
# Text the patient "results ready" when a new report is stored.
LIS_RESULTS_SMS = env.bool("LIS_RESULTS_SMS", default=True)

# --- Auth -----------------------------------------------------------------
AUTH_USER_MODEL = "cabinet.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = ["cabinet.accounts.lockout.LockoutModelBackend"]
LOGIN_URL = "cabinet:login"
LOGIN_REDIRECT_URL = "/cabinet/"
LOGOUT_REDIRECT_URL = "/"
# Patients log in with password + a code texted by our SMS port; staff with a TOTP app.
TWO_FACTOR_SMS_GATEWAY = "cabinet.accounts.two_factor.SmsPortGateway"
TWO_FACTOR_PATCH_ADMIN = False
PHONENUMBER_DEFAULT_REGION = "RU"
# Login codes one phone number may get per hour (resends included).
LOGIN_SMS_PER_HOUR = env.int("LOGIN_SMS_PER_HOUR", default=5)
# Failed logins of one username from one IP address before it is locked,
# and how long the lock lasts.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=15)
# Wrong login codes (SMS, app or backup code) of one account before the code
# step is refused for LOGIN_LOCKOUT_MINUTES.
LOGIN_CODE_TRIES = env.int("LOGIN_CODE_TRIES", default=5)
# How long the administrator's one-time link that lets a staff member without
# a second factor sign in to set one up stays valid (at most 72 hours:
# PASSWORD_RESET_TIMEOUT).
STAFF_ENROLMENT_LINK_HOURS = env.int("STAFF_ENROLMENT_LINK_HOURS", default=24)
# SMS pumping (integrations/sms/pumping.py): codes anyone can ask for go only
# to these countries (ISO 3166 codes; "*" for any), at most so many per
# requesting client (address, user or channel person) and in all per hour.
SMS_ALLOWED_COUNTRIES = env.list("SMS_ALLOWED_COUNTRIES", default=["RU"])
SMS_CODES_PER_CLIENT_PER_HOUR = env.int("SMS_CODES_PER_CLIENT_PER_HOUR", default=10)
SMS_CODES_PER_HOUR = env.int("SMS_CODES_PER_HOUR", default=300)
# A session ends after this many minutes without a request.
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- Audit log: anomaly alerts ---------------------------------------------
# Who gets the alerts by email (none: they are only in the admin), and how
# often the detectors run (seconds).
SECURITY_OFFICER_EMAILS = env.list("SECURITY_OFFICER_EMAILS", default=[])
AUDIT_ALERT_INTERVAL = env.int("AUDIT_ALERT_INTERVAL", default=300)
# One staff member opening this many different patients' records within the minutes.
AUDIT_ALERT_PATIENTS_PER_STAFF = env.int("AUDIT_ALERT_PATIENTS_PER_STAFF", default=20)
AUDIT_ALERT_PATIENTS_MINUTES = env.int("AUDIT_ALERT_PATIENTS_MINUTES", default=10)
# Staff reads outside these hours and ISO weekdays (1 = Monday) of TIME_ZONE
# alert; empty hours turn that alert off.
AUDIT_WORKING_HOURS = env.str("AUDIT_WORKING_HOURS", default="08:00-21:00")
AUDIT_WORKING_DAYS = env.list("AUDIT_WORKING_DAYS", cast=int, default=[1, 2, 3, 4, 5, 6])
# This many failed logins to at least that many accounts from one address within the minutes.
AUDIT_ALERT_FAILED_LOGINS = env.int("AUDIT_ALERT_FAILED_LOGINS", default=10)
AUDIT_ALERT_FAILED_LOGIN_ACCOUNTS = env.int("AUDIT_ALERT_FAILED_LOGIN_ACCOUNTS", default=3)
AUDIT_ALERT_FAILED_LOGIN_MINUTES = env.int("AUDIT_ALERT_FAILED_LOGIN_MINUTES", default=15)
# SMS of any purpose requested within one hour.
AUDIT_ALERT_SMS_PER_HOUR = env.int("AUDIT_ALERT_SMS_PER_HOUR", default=500)

# --- Language and time ----------------------------------------------------
# The public site speaks Russian whatever the browser asks for (its content is
# Russian); Wagtail's admin follows each user's own language preference.
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
# The clinic's head office; every branch carries its own IANA zone.
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Moscow")
WAGTAILADMIN_PERMITTED_LANGUAGES = [("ru", "Русский"), ("en", "English")]

# --- Static and media -----------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "clinic_site" / "static",
    # Front-end libraries come from npm (package.json), never copied by hand.
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/chartjs", NODE_MODULES / "chart.js" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Outside production WhiteNoise serves straight from the finders (no collectstatic).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))

# --- Wagtail --------------------------------------------------------------
WAGTAIL_SITE_NAME = env.str("WAGTAIL_SITE_NAME", default="Клиника «Демо»")
WAGTAILADMIN_BASE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
WAGTAIL_I18N_ENABLED = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "odt", "txt", "jpg", "png"]

# --- Security -------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content Security Policy (django-csp): no inline script, nothing from other
# origins (clinic_site/csp.py relaxes scripts for the admins only). Framing is
# ruled by X-Frame-Options: the booking widget's page may be framed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'", "https://www.youtube.com", "https://www.youtube-nocookie.com"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
}
# The reverse proxies in front (addresses or networks): only from them is
# X-Forwarded-For believed (clinic_site.client.client_ip).
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Wagtail logs every page created and every background task it runs.
        "wagtail": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        # fpdf2 subsets fonts through fontTools, which logs every glyph at INFO.
        "fontTools": {"level": "WARNING"},
    },
}
