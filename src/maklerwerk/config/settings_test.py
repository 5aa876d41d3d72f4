"""Settings for the test suite: a throwaway data dir, SQLite by default, PostgreSQL with TEST_DATABASE_URL."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("MAKLERWERK_DATA_DIR", tempfile.mkdtemp(prefix="maklerwerk-test-"))
os.environ.setdefault("SECRET_KEY", "test-only-not-secret")
# The suite runs with the development defaults (DEBUG=1: no HTTPS redirect, local hosts, console mail).
os.environ.setdefault("DEBUG", "1")

from maklerwerk.config.settings import *  # noqa: F403
from maklerwerk.config.settings import DATABASES, HUEY, INSTALLED_APPS

# tests/testapp: models that stand in for apps added later (merge tests). Only in a source checkout.
_ROOT = Path(__file__).resolve().parents[3]
if (_ROOT / "tests" / "testapp").is_dir():
    if str(_ROOT) not in sys.path:
        sys.path.insert(0, str(_ROOT))
    INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp"]

_test_db = os.environ.get("TEST_DATABASE_URL")
if _test_db:
    import dj_database_url

    DATABASES["default"] = dj_database_url.parse(_test_db)
else:
    # A file, not Django's shared-cache in-memory database: with shared cache a second thread
    # (the job worker, concurrent merges, the live server) gets "table is locked" at once instead
    # of waiting on the busy timeout, so tests of concurrency would test SQLite's quirk, not ours.
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(os.environ["MAKLERWERK_DATA_DIR"], "test.sqlite3")}

# Argon2 is deliberately slow; the suite logs in hundreds of times.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Jobs run inline unless a test starts the real consumer (tests/core/test_jobs_live.py).
HUEY["immediate"] = True
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
