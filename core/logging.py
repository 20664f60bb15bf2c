"""Log records that name their request, say it in one line, and never carry a secret.

- :class:`RequestContextFilter` adds ``request_id`` and ``actor`` (``core/context.py``) to every record.
- :class:`RedactFilter` masks credentials that could reach a message: ``Authorization`` values, JWTs, and
  ``password=``/``token=``-style pairs (a last line of defence: nothing logs them on purpose).
- :class:`QuietClientErrorsFilter` drops the traceback Django attaches to a 4xx (``django.request`` logs a
  refused admin page with the ``PermissionDenied`` traceback): a client error is one line, not a stack.
- :class:`JsonFormatter` writes one JSON object per line (``LOG_FORMAT=json``); the default is human-readable.
"""

from __future__ import annotations

import json
import logging
import re
import traceback
from datetime import UTC, datetime

from core import context

# Attributes every LogRecord has: what is left over was passed with ``extra=`` and goes into the JSON line.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "request_id", "actor"}

_SECRETS = (
    # Authorization: Basic/Bearer <credentials>
    (re.compile(r"(?i)\b(basic|bearer)\s+[A-Za-z0-9._~+/=-]{8,}"), r"\1 [redacted]"),
    # A JWT anywhere (three base64url parts, the first two JSON objects)
    (re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"), "[redacted-jwt]"),
    # password=..., "password": "...", token: ...
    (
        re.compile(r"""(?i)(["']?(?:password|passwd|secret|token|access|refresh)["']?\s*[=:]\s*["']?)[^"'\s&,;}]+"""),
        r"\1[redacted]",
    ),
)


def redact(text: str) -> str:
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class RequestContextFilter(logging.Filter):
    """Stamp the current request id and actor on every record (``-`` outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            # django.request logs a 4xx/5xx after the middleware has left the request's context, with the request
            rid = context.request_id() or getattr(getattr(record, "request", None), "request_id", None)
            record.request_id = rid or "-"
        if not hasattr(record, "actor"):
            try:
                request = getattr(record, "request", None)
                fallback = context.user_actor(getattr(request, "user", None)) if request is not None else None
                record.actor = context.actor() or fallback or "-"
            except Exception:  # resolving the web actor must never break logging
                record.actor = "-"
        return True


class RedactFilter(logging.Filter):
    """Mask credentials in the rendered message and in the traceback text."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip())
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class QuietClientErrorsFilter(logging.Filter):
    """``django.request`` 4xx records keep their one line and lose the traceback (5xx keep theirs)."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True


class PlainFormatter(logging.Formatter):
    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = "-"
        return super().format(record)


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request id, actor, ``extra=`` fields, error."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        entry = {
            "time": stamp.replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or "-",
            "actor": getattr(record, "actor", None) or "-",
        }
        for key, value in vars(record).items():
            # Fields passed with extra= that are plain values (an object such as django.request's ``request`` is
            # left out: its text would carry the query string)
            plain = isinstance(value, str | int | float | bool | None)
            if plain and key not in _STANDARD and not key.startswith("_") and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["error"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False, default=str)


def logging_config(*, fmt: str, level: str) -> dict:
    """The ``LOGGING`` dict of config/settings.py: every record through one root handler, once.

    Django's own ``django`` logger handler (``console``, DEBUG only) is removed: with it, every ``django.request``
    warning was printed twice (once by it, once by the root handler it propagates to). ``django.server``
    (runserver's access line) is quiet below WARNING: ``core.request`` writes one line per request instead.
    """
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "context": {"()": "core.logging.RequestContextFilter"},
            "redact": {"()": "core.logging.RedactFilter"},
            "quiet_client_errors": {"()": "core.logging.QuietClientErrorsFilter"},
        },
        "formatters": {
            "plain": {"()": "core.logging.PlainFormatter"},
            "json": {"()": "core.logging.JsonFormatter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json" if fmt == "json" else "plain",
                "filters": ["context", "quiet_client_errors", "redact"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django": {"handlers": [], "level": level, "propagate": True},
            "django.server": {"handlers": [], "level": "WARNING", "propagate": True},
            "django.db.backends": {"level": "WARNING"},
        },
    }
