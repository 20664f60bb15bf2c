"""Reading the environment for config/settings.py: flags, lists, port ranges, and per-installation secrets."""

import os
import secrets
import tempfile
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_ports(name: str, default: str = "") -> tuple[tuple[int, int], ...]:
    """Port ranges from ``80,443,8000-8999``; a typo stops the start rather than opening or closing ports."""
    ranges = []
    for item in env_list(name, default):
        low, _, high = item.partition("-")
        try:
            pair = (int(low), int(high or low))
        except ValueError:
            pair = (0, 0)
        if not 1 <= pair[0] <= pair[1] <= 65535:
            raise ImproperlyConfigured(f"{name}: {item!r} is not a port or a port range (a-b)")
        ranges.append(pair)
    return tuple(ranges)


def installation_secret(path: Path) -> str:
    """A random secret kept in ``path`` (mode 0600), made on first use: each installation has its own.

    Written to a private temporary file and linked into place, so that processes starting together agree.
    """
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret-")  # mode 0600
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
        os.link(temporary, path)
    except FileExistsError:
        pass  # another process made it first: use theirs
    finally:
        os.unlink(temporary)
    return path.read_text().strip()
