"""The project's logging configuration, applied as at start-up, writing to a buffer a test can read."""

import io
import sys
from contextlib import contextmanager

from django.conf import settings as django_settings
from django.utils.log import configure_logging


@contextmanager
def console(config: dict | None = None):
    """The project's logging configuration (Django's defaults first, as at start-up), writing to a buffer."""
    stream = io.StringIO()
    saved = sys.stderr
    sys.stderr = stream  # StreamHandler() binds sys.stderr when the configuration is applied
    try:
        configure_logging(django_settings.LOGGING_CONFIG, config or django_settings.LOGGING)
        yield stream
    finally:
        sys.stderr = saved
        configure_logging(django_settings.LOGGING_CONFIG, django_settings.LOGGING)
