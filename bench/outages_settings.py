"""Settings for the outages gunicorn benchmark: the project's settings with a urlconf that adds a bare DRF view."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.outages_urls"
