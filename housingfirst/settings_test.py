"""Settings for the test suite: production settings with the few changes tests need."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-5b7d9f1a3c5e7a9b1d3f5a7c9e1b3d5f7a9c1e3b")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# Test-only CPR keys (32 bytes each, base64); real keys live only in the environment of a deployment.
os.environ.setdefault("CPR_ENCRYPTION_KEYS", "test1:dGVzdC1vbmx5LWNwci1lbmNyeXB0aW9uLWtleS0wMDE=")
os.environ.setdefault("CPR_HMAC_KEYS", "test1:dGVzdC1vbmx5LWNwci1ibGluZC1pbmRleC1rZXktMDE=")

from housingfirst.settings import *  # noqa: E402,F403

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = tempfile.mkdtemp(prefix="housingfirst-test-media-")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = tempfile.mkdtemp(prefix="housingfirst-test-static-")
# Tasks run inline, at enqueue; the fixture `database_tasks` (tests/conftest.py) puts a test on the real queue.
TASKS = {"default": {"BACKEND": TASK_BACKENDS["immediate"], "QUEUES": ["default", "documents"]}}  # noqa: F405
