"""Settings for SMR Coach, read from the environment.

With nothing set the site runs on the embedded default: SQLite in the project
folder, an in-process cache, console email and DEBUG on. ``DJANGO_ENV=production``
turns on the secure settings and refuses to start without a real secret key.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONE, SELF
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

PRODUCTION = env("DJANGO_ENV", default="development") == "production"

DEBUG = env.bool("DJANGO_DEBUG", default=not PRODUCTION)
if PRODUCTION:
    # No fallback: a production site with a published key is an open door.
    SECRET_KEY = env("DJANGO_SECRET_KEY")
else:
    SECRET_KEY = env("DJANGO_SECRET_KEY", default="django-insecure-dev-only-key-not-for-production")

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

SITE_NAME = "SMR Coach"
SITE_ID = 1

INSTALLED_APPS = [
    # First, so that its createsuperuser (staff can sign in at once) replaces auth's.
    "members",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.sitemaps",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "techniques",
    "questions",
    "routines",
    # Last: its ready() connects the cache versions to the models above (smrsite/versions.py).
    "smrsite",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # GET, HEAD and POST only: TRACE, OPTIONS and the rest get 405, never a page.
    "smrsite.methods.AllowedMethodsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Cached public pages for visitors without cookies leave here, with the headers
    # of the middleware above (smrsite.pagecache.AnonymousPageMiddleware).
    "smrsite.pagecache.AnonymousPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "smrsite.urls"

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
                "smrsite.context_processors.site",
            ],
            # Plurals and dates in running text (smrsite/wording.py).
            "libraries": {"wording": "smrsite.wording"},
        },
    },
]

WSGI_APPLICATION = "smrsite.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Reuse connections, but check them first so a restarted PostgreSQL does not
    # turn the next request of every worker into an error.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Parameters bound on the server, and statements a connection runs again and again
    # prepared: PostgreSQL then plans each hot query once per connection instead of on
    # every request (planning was a quarter of its CPU on a technique page). Off with
    # DATABASE_PREPARED_STATEMENTS=false, e.g. behind PgBouncer in transaction mode.
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=5
        )
DATABASES["default"]["ATOMIC_REQUESTS"] = False

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default=env("CACHE_URL", default=""))

# Sessions live in the database: shared by every app server, and nobody is signed out
# when Redis restarts. With a shared Redis they are also read through it, which saves
# a query on every signed-in page; a per-process cache could keep a signed-out session
# alive in another worker, so without Redis every read goes to the database.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)
if REDIS_URL:
    CACHES = {
        "default": {
            # RedisCache that logs and misses instead of raising when Redis is down.
            "BACKEND": "smrsite.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="smr"),
            # Short timeouts: a stalled Redis must not hold a request for long.
            "OPTIONS": {
                "socket_connect_timeout": env.float("REDIS_CONNECT_TIMEOUT", default=0.5),
                "socket_timeout": env.float("REDIS_SOCKET_TIMEOUT", default=0.5),
                # After a failure each worker skips Redis this long (smrsite.cache).
                "circuit_breaker_seconds": env.float("REDIS_CIRCUIT_BREAKER_SECONDS", default=5),
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "smr-coach",
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Django's and allauth's backends, reading the signed-in user through the cache.
AUTHENTICATION_BACKENDS = [
    "members.auth.ModelBackend",
    "members.auth.AuthenticationBackend",
]

LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
# Sign-up also asks for the name shown on comments (members.forms.SignupForm).
ACCOUNT_SIGNUP_FORM_CLASS = "members.forms.SignupForm"
# Messages such as "Signed in as …" use the display name, not a name made from the email.
ACCOUNT_USER_DISPLAY = "members.services.public_name"
ACCOUNT_LOGOUT_ON_GET = False
# Our own subjects, bodies and HTML alternatives for allauth's emails, and a `next`
# carried through the emailed confirmation link (members.adapter).
ACCOUNT_ADAPTER = "members.adapter.AccountAdapter"
# Confirming the emailed link in the browser that signed up signs the member in and
# takes them back to the page they joined from (allauth keeps it in the session).
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# Confirming a sensitive change asks for the password (or the two-factor code), never for a
# code sent by email: allauth 65.22 added that, and an inbox alone must not be enough.
ACCOUNT_REAUTHENTICATION_METHODS = ["password", "mfa"]
# allauth's own limits, spelled out (they live in the cache: share it between servers).
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/300s/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "confirm_email": "1/180s/key",
}

# Two-factor sign-in (allauth MFA): an authenticator app's codes, with recovery codes.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME
# Accept the code of the neighbouring 30-second window: phone clocks drift, and a
# code typed as the window turns should still work.
MFA_TOTP_TOLERANCE = 1

# Uploads: refuse big files early. Requests keep at most this much in memory (larger
# uploads stream to a temporary file); the models' validators cap each file's size.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # Django's default: 2.5 MB of non-file form data
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
TECHNIQUE_IMAGE_MAX_BYTES = env.int("TECHNIQUE_IMAGE_MAX_BYTES", default=5 * 1024 * 1024)
TECHNIQUE_VIDEO_MAX_BYTES = env.int("TECHNIQUE_VIDEO_MAX_BYTES", default=200 * 1024 * 1024)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Third-party front-end assets come from npm (package.json + lockfile).
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))

# Uploads and cached PDFs go through Django's storage API: local files by default,
# an S3-compatible bucket with django-storages (`EXTRAS="dev s3" make setup`) when
# AWS_STORAGE_BUCKET_NAME is set. Names are content-versioned, never overwritten.
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            "custom_domain": env("AWS_S3_CUSTOM_DOMAIN", default=None),
            "location": env("AWS_LOCATION", default=""),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}

STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "smrsite.storage.StaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Outside production, serve static files straight from the finders (no collectstatic).
WHITENOISE_USE_FINDERS = not PRODUCTION
# Source maps are only for developer tools: not worth compressing at every deploy.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    default=(
        "django.core.mail.backends.smtp.EmailBackend"
        if env("EMAIL_HOST", default="")
        else "django.core.mail.backends.console.EmailBackend"
    ),
)
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="SMR Coach <coach@smrcoach.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Absolute links in notification emails (unsubscribe, "read the reply") start with this.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Links allauth builds without a request (none today) use SITE_URL's scheme; the Sites
# framework's Site is set from SITE_URL and SITE_NAME after every migrate (members.apps).
ACCOUNT_DEFAULT_HTTP_PROTOCOL = urlsplit(SITE_URL).scheme or "https"

if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"

# Slow work (notification emails, PDF prebuilds) goes to Celery workers when a broker
# is configured and runs inline when not (smrsite/jobs.py).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A request that queues a task waits at most about a second for an unreachable broker.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5}

# How long a signed-in user's row may be read from the cache (members.auth); saving or
# deleting the user forgets it at once.
USER_CACHE_SECONDS = env.int("USER_CACHE_SECONDS", default=300)
# Names the deployed code in cache entries (e.g. the commit id); when empty, a hash
# of the source files is used instead (smrsite.pagecache.code_release).
RELEASE = env("RELEASE", default="")
# Anonymous pages (home, catalogue, technique pages) are cached whole for this long
# and dropped as soon as their content changes (smrsite/pagecache.py, versions.py).
# Production without Redis would give each worker its own cache that other workers'
# writes cannot invalidate, so there it is off unless set.
# Under DEBUG nothing is cached unless asked for (PAGE_CACHE_SECONDS=300), so template
# and code edits show on the next request.
PAGE_CACHE_SECONDS = env.int(
    "PAGE_CACHE_SECONDS", default=0 if DEBUG or (PRODUCTION and not REDIS_URL) else 300
)
# Cache layers switched off by name, e.g. CACHE_LAYERS_OFF=technique-page,today
# (smrsite.pagecache.layer_on): "page" (anonymous pages), "technique-page" (the shared
# signed-in technique page), "today" (each member's stored today page), "plan-catalogue"
# (the plans' catalogue kept in each process).
CACHE_LAYERS_OFF = env.list("CACHE_LAYERS_OFF", default=[])
# How long a member's stored "today" page is kept (routines/plancache.py); 0 turns it
# off, unset follows PAGE_CACHE_SECONDS.
ROUTINES_TODAY_CACHE_SECONDS = env.int("ROUTINES_TODAY_CACHE_SECONDS", default=None)

# Content-Security-Policy in every environment, so tests and the browser suite prove
# our pages need no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "fontTools": {"level": "WARNING"},
        "weasyprint": {"level": "ERROR"},
    },
}
