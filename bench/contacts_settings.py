"""Settings of the contacts benchmark's gunicorn: the project's, with a URLconf that adds a bare DRF view."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.contacts_urls"
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}  # noqa: F405
