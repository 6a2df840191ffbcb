"""The app's settings with the benchmark's URLs (the anchor and the bare one-INSERT view) beside the app's."""

from housingfirst.settings import *  # noqa: F403

ROOT_URLCONF = "housingfirst.bench"
