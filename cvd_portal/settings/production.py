"""Production: every secret comes from the environment and the process refuses to start without it.

The database is base's (DATABASE_URL, its connection options included); production only insists on
the URL.
"""

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

# Checked before base is imported, reading .env as base does: without DATABASE_URL base would start
# the embedded development cluster (initdb in the checkout, a system user when run as root).
environ.Env.read_env(Path(__file__).resolve().parents[2] / ".env", overwrite=False)
if not os.environ.get("DATABASE_URL"):
    raise ImproperlyConfigured("Set the DATABASE_URL environment variable (postgres://user:password@host:5432/name).")

from .base import *  # noqa: E402, F403
from .base import env  # noqa: E402

SECRET_KEY = env("SECRET_KEY")
DEBUG = False
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 30)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Joining the browsers' HSTS preload list is a domain-wide, hard-to-undo decision the operator
# makes for its domain, not one the application can make for it.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
