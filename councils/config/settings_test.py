"""Test settings: fast hashing, in-memory cache and mail, tasks run at once, private var/."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

if "COUNCILS_VAR_DIR" not in os.environ:
    # Shared with the processes this one starts, and removed when it ends.
    os.environ["COUNCILS_VAR_DIR"] = tempfile.mkdtemp(prefix="councils-test-")
    atexit.register(shutil.rmtree, os.environ["COUNCILS_VAR_DIR"], ignore_errors=True)

from councils.config.settings import *  # noqa: F403
from councils.config.settings import DATABASES, VAR_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
COUNCILS_BALLOT_KEY_DIR = Path(VAR_DIR) / "ballot_keys"
if DATABASES["default"]["ENGINE"] == "councils.record.backends.postgresql":
    DATABASES["default"]["OPTIONS"]["pool"] = False
    # Named after the database in DATABASE_URL, so runs against different databases never collide.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("COUNCILS_TEST_DB", f"test_{DATABASES['default']['NAME']}")
    }
else:
    # In memory, as for Django's own SQLite engine (which test runners recognise by name only).
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
# Static files from the apps' folders, looked up on each request, as runserver serves them.
SERVESTATIC_AUTOREFRESH = True
SERVESTATIC_USE_FINDERS = True
