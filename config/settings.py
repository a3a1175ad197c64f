"""Breachline settings: one module, every value from the environment.

Embedded defaults (SQLite file, Celery on kombu's filesystem transport) let
``make run`` work on a machine with nothing but Python. ``DATABASE_URL`` and
``CELERY_BROKER_URL`` switch to PostgreSQL and Redis (or RabbitMQ).
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.dev_secrets import dev_secret
from config.env import env_bool, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("BREACHLINE_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)

_WELL_KNOWN_PASSWORDS = {"postgres", "password", "guest", "admin", "changeme", "secret", "root"}


def _secret(name: str, *, nbytes: int = 48) -> str:
    value = env_str(name)
    if value:
        return value
    if DEBUG:
        return dev_secret(VAR_DIR, name, nbytes=nbytes)
    raise ImproperlyConfigured(
        f"{name} is not set. Breachline refuses to start with DEBUG off and no {name} "
        f"(set {name} or {name}_FILE; see README, 'Environment variables')."
    )


def _refuse_default_password(name: str, url: str) -> None:
    password = urlsplit(url).password
    if password and password.lower() in _WELL_KNOWN_PASSWORDS and not DEBUG:
        raise ImproperlyConfigured(
            f"{name} uses the well-known password {password!r}. Breachline refuses to start "
            "with DEBUG off and a default password: set a real one."
        )


def _refuse_weak_keys(name: str, keys: list[str]) -> None:
    if not DEBUG and any(len(key) < MIN_KEY_LENGTH for key in keys):
        raise ImproperlyConfigured(
            f"Every {name} key must be at least {MIN_KEY_LENGTH} characters long when DEBUG is off."
        )


MIN_KEY_LENGTH = 32
SECRET_KEY = _secret("SECRET_KEY")
if not DEBUG and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    raise ImproperlyConfigured(
        "SECRET_KEY must be at least 50 characters long, with at least 5 different ones, when DEBUG is off."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
if not DEBUG and any("*" in host for host in ALLOWED_HOSTS):
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS may not contain '*' when DEBUG is off: name the host names this server answers for."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
BREACHLINE_BASE_URL = env_str("BREACHLINE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_fsm",
    "django_filters",
    "django_htmx",
    "csp",
    "incidents",
    "notifications",
    "cockpit",
]

MIDDLEWARE = [
    "config.logs.RequestIdMiddleware",
    "config.health.HealthMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "incidents.two_factor.SecondFactorMiddleware",
    "incidents.middleware.preferences_middleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "config.api_errors.BadInputMiddleware",
]

# django-axes counts failed logins (login page and token endpoint alike) per user name and address.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "incidents.access.lockout_response"
AXES_VERBOSE = False
# Legal and admin users confirm every login with a code from an authenticator app (incidents/two_factor.py).
REQUIRE_2FA = env_bool("REQUIRE_2FA", not DEBUG)
OTP_TOTP_ISSUER = "Breachline"

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "cockpit.context_processors.unread_alerts",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'breachline.sqlite3'}")
_refuse_default_password("DATABASE_URL", DATABASE_URL)
# Connections live CONN_MAX_AGE seconds across requests and tasks (config/celery.py); the health
# check replaces one the server dropped (a restart) before its first query instead of failing it.
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web server, the worker and beat share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
# The languages notices are written in (the pages' are LANGUAGES): German for readers and authorities
# in German-speaking places; another language is a catalogue under locale/ and an entry here.
NOTICE_LANGUAGES = [*LANGUAGES, ("de", "Deutsch")]
# The language a resident reads when their record names none.
RESIDENCE_LANGUAGES = {"CN": "zh-hans", "DE": "de", "AT": "de", "LI": "de"}
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# The pages' own stylesheets and scripts (static/breachline/): no page carries inline style or script.
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Static files (admin, API docs) are served by the app itself through WhiteNoise, compressed and cached.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts and styles only from our own origin, never inline, never
# eval. The one inline stylesheet allowed is the notices' own (templates/notices/notice.css, by its
# hash): an e-mail must carry its styles inline, and the pages that show a notice (the personal page,
# the announcement, the editor's previews) show that same HTML.
NOTICE_STYLE_SHA256 = base64.b64encode(
    hashlib.sha256((BASE_DIR / "templates" / "notices" / "notice.css").read_bytes()).digest()).decode()
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, f"'sha256-{NOTICE_STYLE_SHA256}'"],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# HTTPS. With DEBUG off every request is redirected to HTTPS and HSTS is sent; the server must be
# told how TLS reaches it: BEHIND_TLS_PROXY=true when a proxy or load balancer terminates TLS and sets
# X-Forwarded-Proto (README, "Production set-up"), or GUNICORN_CERTFILE and GUNICORN_KEYFILE when
# gunicorn terminates it itself (config/gunicorn.conf.py).
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG and not BEHIND_TLS_PROXY and not (env_str("GUNICORN_CERTFILE") and env_str("GUNICORN_KEYFILE")):
    raise ImproperlyConfigured(
        "With DEBUG off Breachline serves HTTPS only: set BEHIND_TLS_PROXY=true when a proxy terminates TLS "
        "(it must set X-Forwarded-Proto), or GUNICORN_CERTFILE and GUNICORN_KEYFILE for gunicorn to terminate it."
    )
SECURE_SSL_REDIRECT = not DEBUG
SECURE_HSTS_SECONDS = 0 if DEBUG else env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api_errors.exception_handler",
    # JSON in: a form-encoded or multipart body is refused with 415 except where a view accepts files.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    # JSON out: DRF's browsable pages carry inline styles the Content-Security-Policy refuses; the
    # interactive docs are Swagger UI at /api/docs/.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_PAGINATION_CLASS": "incidents.pagination.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 100,
}
# API tokens (django-rest-knox): stored hashed, expire, revoked on a password change (incidents/access.py).
REST_KNOX = {"TOKEN_TTL": timedelta(hours=env_int("API_TOKEN_TTL_HOURS", 24)), "AUTH_HEADER_PREFIX": "Token"}
SPECTACULAR_SETTINGS = {
    "TITLE": "Breachline API",
    "DESCRIPTION": "Personal-data breach response: incidents, obligations, notices, deliveries.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # access_status and exfiltration_status share one set of findings: one schema name for it.
    "ENUM_NAME_OVERRIDES": {"FindingEnum": "incidents.models.Finding"},
    # Served from the installed sidecar package: the docs page works without a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "config.api_schema.document_errors"],
}

# Celery. The embedded default needs no server: kombu's filesystem transport keeps
# messages as files under var/, shared by the web process, the worker and beat.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
_refuse_default_password("CELERY_BROKER_URL", CELERY_BROKER_URL)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
CELERY_TASK_IGNORE_RESULT = True
# A separate queue lets a benchmark or a test run its own workers beside others on one broker.
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Celery's Django fixup would close the database connection around every task, and a new one costs
# PostgreSQL a process and its catalog caches (about 10 ms of CPU, a batch's worth of recording).
# It now closes it only every CELERY_DB_REUSE_MAX tasks; CONN_MAX_AGE and the health check govern
# reuse at each task boundary, as at each request (config/celery.py).
CELERY_DB_REUSE_MAX = 1000
# acks_late means an unacknowledged task is redelivered after the visibility
# timeout; it must exceed the longest task several times over or a slow but
# healthy task would run twice concurrently (the row claims make that safe, not free).
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"visibility_timeout": 4 * CELERY_TASK_TIME_LIMIT}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery" / "queue"
    _queue_dir.mkdir(parents=True, exist_ok=True)
    (VAR_DIR / "celery" / "processed").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS.update(
        {
            "data_folder_in": str(_queue_dir),
            "data_folder_out": str(_queue_dir),
            "processed_folder": str(VAR_DIR / "celery" / "processed"),
            # Its exchange tables, which kombu would otherwise write to ./control in the working directory.
            "control_folder": str(VAR_DIR / "celery" / "control"),
            "store_processed": False,
        }
    )
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Processes that check, seal and hash rows in `manage.py import_recipients` (0: one per core).
IMPORT_WORKERS = env_int("IMPORT_WORKERS", 0)
# An uploaded file of people up to this size is imported by the web request itself (about 800 people);
# a larger one by a worker, while the page shows its progress.
IMPORT_IN_REQUEST_BYTES = env_int("IMPORT_IN_REQUEST_BYTES", 64 * 1024)
# An import is one transaction that cannot give work back half-way, so its task may run three times the
# hard limit: still inside the visibility timeout (four times), so its message is never handed out twice.
IMPORT_TASK_TIME_LIMIT = 3 * CELERY_TASK_TIME_LIMIT
# An import job still waiting for a worker this long after it was put on the broker (refused by a broker that
# was down, or its message lost) is put on it again by the sweep, which runs every minute.
IMPORT_REQUEUE_SECONDS = env_int("IMPORT_REQUEUE_SECONDS", 120)
# Redis shared by every process for what the broker cannot hold: the providers' rate limits and the
# progress of imports. The broker's own URL when the broker is Redis; set it beside a RabbitMQ broker.
REDIS_URL = env_str("REDIS_URL", CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else "")
# A worker's import runs in one transaction, so its progress cannot be read from the database
# until it commits: the worker writes it to the "progress" cache, which the web process reads.
# Both must share it: Redis (REDIS_URL) when there is one, else files under var/ (one machine).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "progress": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
              "LOCATION": str(VAR_DIR / "cache" / "progress")}
    ),
}
# Fan-out (notifications/delivery/; README, "Delivery"). The sweep is what recovers a
# lost broker message or a killed worker, so beat must run wherever workers do.
DELIVERY_BATCH_SIZE = env_int("DELIVERY_BATCH_SIZE", 200)
DELIVERY_BATCH_SECONDS = env_float("DELIVERY_BATCH_SECONDS", 120.0)
DELIVERY_RECORD_EVERY = env_int("DELIVERY_RECORD_EVERY", 20)
DELIVERY_MAX_ATTEMPTS = env_int("DELIVERY_MAX_ATTEMPTS", 6)
DELIVERY_RETRY_BASE_SECONDS = env_float("DELIVERY_RETRY_BASE_SECONDS", 30.0)
DELIVERY_RETRY_MAX_SECONDS = env_float("DELIVERY_RETRY_MAX_SECONDS", 3600.0)
DELIVERY_STUCK_SECONDS = env_float("DELIVERY_STUCK_SECONDS", CELERY_TASK_TIME_LIMIT + 60.0)
DELIVERY_REQUEUE_SECONDS = env_float("DELIVERY_REQUEUE_SECONDS", 1800.0)
# How often Tencent Cloud SMS, Alibaba Cloud SMS and JPush are asked for receipts (they post none).
DELIVERY_RECEIPTS_SECONDS = env_float("DELIVERY_RECEIPTS_SECONDS", 60.0)
DELIVERY_SWEEP_SECONDS = env_float("DELIVERY_SWEEP_SECONDS", 30.0)
DELIVERY_SWEEP_LIMIT = env_int("DELIVERY_SWEEP_LIMIT", 20000)
# How often beat has the outbox's waiting notice dispatches published (sending while the broker was down).
DISPATCH_RELAY_SECONDS = env_float("DISPATCH_RELAY_SECONDS", 5.0)
# The audit chain is an HMAC chain under these keys: the first signs, every key verifies, so a new
# key can be put first without breaking the chains it did not sign (README, "Audit trail").
AUDIT_CHAIN_KEYS = env_list("AUDIT_CHAIN_KEYS", []) or [_secret("AUDIT_CHAIN_KEYS", nbytes=32)]
_refuse_weak_keys("AUDIT_CHAIN_KEYS", AUDIT_CHAIN_KEYS)
# Where the periodic anchors of the chain heads are appended besides the log (empty: the log only).
AUDIT_ANCHOR_FILE = env_str("AUDIT_ANCHOR_FILE")
# And an S3-compatible bucket (empty: none), one new object per anchoring run (incidents/anchor_bucket.py).
AUDIT_ANCHOR_S3_BUCKET = env_str("AUDIT_ANCHOR_S3_BUCKET")
AUDIT_ANCHOR_S3_PREFIX = env_str("AUDIT_ANCHOR_S3_PREFIX", "audit-anchors")
AUDIT_ANCHOR_S3_ENDPOINT_URL = env_str("AUDIT_ANCHOR_S3_ENDPOINT_URL")
AUDIT_ANCHOR_S3_REGION = env_str("AUDIT_ANCHOR_S3_REGION")
AUDIT_ANCHOR_S3_ACCESS_KEY_ID = env_str("AUDIT_ANCHOR_S3_ACCESS_KEY_ID")
AUDIT_ANCHOR_S3_SECRET_ACCESS_KEY = env_str("AUDIT_ANCHOR_S3_SECRET_ACCESS_KEY")
AUDIT_ANCHOR_SECONDS = env_float("AUDIT_ANCHOR_SECONDS", 3600.0)
# How often beat looks for deadline reminders to send (cockpit/reminders.py; README, "Reminders").
REMINDER_SECONDS = env_float("REMINDER_SECONDS", 60.0)
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "mark-overdue-obligations": {"task": "incidents.mark_overdue_obligations", "schedule": 60.0},
    "deadline-reminders": {"task": "cockpit.send_reminders", "schedule": REMINDER_SECONDS},
    "anchor-audit-heads": {"task": "incidents.anchor_audit_heads", "schedule": AUDIT_ANCHOR_SECONDS},
    "contacts-purge": {"task": "notifications.contacts_purge", "schedule": 3600.0},
    "deliveries-sweep": {"task": "notifications.deliveries_sweep", "schedule": DELIVERY_SWEEP_SECONDS},
    # A relay message older than its period is redundant: the next one does the same.
    "dispatches-relay": {"task": "notifications.dispatches_relay", "schedule": DISPATCH_RELAY_SECONDS,
                         "options": {"expires": DISPATCH_RELAY_SECONDS}},
    "receipts-collect": {"task": "notifications.receipts_collect", "schedule": DELIVERY_RECEIPTS_SECONDS},
    "recipient-imports-sweep": {"task": "notifications.recipient_imports_sweep", "schedule": 60.0},
}

# Providers (see README, "Environment variables").
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "privacy@breachline.invalid")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# anymail's own settings as one JSON object, e.g. {"POSTMARK_SERVER_TOKEN": "...", "WEBHOOK_SECRET": "user:pass"};
# being a secret it may come from ANYMAIL_SETTINGS_FILE.
try:
    ANYMAIL = json.loads(env_str("ANYMAIL_SETTINGS", "{}"))
except json.JSONDecodeError as exc:
    raise ImproperlyConfigured(f"ANYMAIL_SETTINGS must be a JSON object: {exc}") from exc

TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID")
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN")
TWILIO_MESSAGING_SERVICE_SID = env_str("TWILIO_MESSAGING_SERVICE_SID")
TWILIO_FROM_NUMBER = env_str("TWILIO_FROM_NUMBER")
TWILIO_API_BASE_URL = env_str("TWILIO_API_BASE_URL", "https://api.twilio.com")

FCM_PROJECT_ID = env_str("FCM_PROJECT_ID")
FCM_CREDENTIALS_FILE = env_str("FCM_CREDENTIALS_FILE")
FCM_API_BASE_URL = env_str("FCM_API_BASE_URL", "https://fcm.googleapis.com")
WEBPUSH_VAPID_PRIVATE_KEY = env_str("WEBPUSH_VAPID_PRIVATE_KEY")
WEBPUSH_VAPID_SUBJECT = env_str("WEBPUSH_VAPID_SUBJECT", "mailto:privacy@breachline.invalid")

# The development outbox (notifications/channels/outbox.py): with DEBUG on, each channel whose provider
# is not configured keeps its messages in this file, shown at /dev/outbox/, instead of sending them.
# A channel leaves the outbox as soon as its provider is configured; with DEBUG off there is no outbox.
_OUTBOX_PROVIDERS = {
    "email": ("EMAIL_BACKEND", "EMAIL_HOST"),
    "sms": ("TWILIO_ACCOUNT_SID",),
    "push": ("FCM_CREDENTIALS_FILE", "WEBPUSH_VAPID_PRIVATE_KEY"),
}
DEV_OUTBOX_CHANNELS = (
    [channel for channel, names in _OUTBOX_PROVIDERS.items() if not any(env_str(name) for name in names)]
    if DEBUG else []
)
DEV_OUTBOX_FILE = VAR_DIR / "outbox" / "messages.jsonl"

# Mainland China: SMS through Alibaba Cloud and Tencent Cloud with registered signatures and
# templates, Android push through JPush (README, "Mainland China transports").
ALIYUN_SMS_ACCESS_KEY_ID = env_str("ALIYUN_SMS_ACCESS_KEY_ID")
ALIYUN_SMS_ACCESS_KEY_SECRET = env_str("ALIYUN_SMS_ACCESS_KEY_SECRET")
ALIYUN_SMS_SIGN_NAME = env_str("ALIYUN_SMS_SIGN_NAME")
ALIYUN_SMS_ENDPOINT = env_str("ALIYUN_SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com")
TENCENT_SMS_SECRET_ID = env_str("TENCENT_SMS_SECRET_ID")
TENCENT_SMS_SECRET_KEY = env_str("TENCENT_SMS_SECRET_KEY")
TENCENT_SMS_SDK_APP_ID = env_str("TENCENT_SMS_SDK_APP_ID")
TENCENT_SMS_SIGN_NAME = env_str("TENCENT_SMS_SIGN_NAME")
TENCENT_SMS_REGION = env_str("TENCENT_SMS_REGION", "ap-guangzhou")
TENCENT_SMS_ENDPOINT = env_str("TENCENT_SMS_ENDPOINT", "https://sms.tencentcloudapi.com")
JPUSH_APP_KEY = env_str("JPUSH_APP_KEY")
JPUSH_MASTER_SECRET = env_str("JPUSH_MASTER_SECRET")
# Empty: the jpush package's own URLs (api.jpush.cn, report.jpush.cn).
JPUSH_ENDPOINT = env_str("JPUSH_ENDPOINT")

SMS_RATE_PER_SECOND = env_float("SMS_RATE_PER_SECOND", 10.0)
EMAIL_RATE_PER_SECOND = env_float("EMAIL_RATE_PER_SECOND", 50.0)
PUSH_RATE_PER_SECOND = env_float("PUSH_RATE_PER_SECOND", 100.0)
# Per provider, on top of the channel's rate. Tencent: SendSms allows 3000 calls a second.
# Alibaba: set to the account's SendSms quota. JPush: the Push API allows 600 calls a minute
# on the free plan (higher on paid plans).
TENCENT_SMS_RATE_PER_SECOND = env_float("TENCENT_SMS_RATE_PER_SECOND", 3000.0)
ALIYUN_SMS_RATE_PER_SECOND = env_float("ALIYUN_SMS_RATE_PER_SECOND", 1000.0)
JPUSH_RATE_PER_SECOND = env_float("JPUSH_RATE_PER_SECOND", 10.0)
PROVIDER_TIMEOUT_SECONDS = env_float("PROVIDER_TIMEOUT_SECONDS", 10.0)

# A TrueType font (path, or path#index for a .ttc subfont) that PDFs set and embed Chinese in. By
# default Debian's WenQuanYi Zen Hei (fonts-wqy-zenhei, which .ci/run installs), so a regulator's PDF
# shows its Chinese on any reader; set it empty for the CID font STSong-Light, which is never embedded
# (README, "Printed letters").
PDF_CJK_FONT_FILE = env_str("PDF_CJK_FONT_FILE", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")

# Personal data of affected people is encrypted at rest with these keys. The first
# key encrypts; every key decrypts, so a new key can be put first and old rows
# re-encrypted at leisure (README, "Key rotation").
FIELD_ENCRYPTION_KEYS = [key for key in env_str("FIELD_ENCRYPTION_KEYS").split(",") if key] or [
    _secret("FIELD_ENCRYPTION_KEYS", nbytes=32)
]
FIELD_HASH_KEY = _secret("FIELD_HASH_KEY", nbytes=32)
_refuse_weak_keys("FIELD_ENCRYPTION_KEYS", FIELD_ENCRYPTION_KEYS)
_refuse_weak_keys("FIELD_HASH_KEY", [FIELD_HASH_KEY])

# LOG_FORMAT=json (the default with DEBUG off): one JSON object a line with the request id (config/logs.py).
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, got {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.logs.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
