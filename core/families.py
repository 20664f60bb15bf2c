"""The wire families, found by a request's path, without ``core`` naming the apps that own them.

The owner of a family registers it from its ``AppConfig.ready()``: ``core`` the Oracle Utilities family, which
several apps share (``core/wire/oracle.py``); an app the family that serves it alone, kept in its door layer
(``<app>/api/<family>.py``). A family is named by its module's dotted path and imported on first use, not at
start-up; the module defines ``PREFIX`` (its path prefix) and ``standalone_response(problem, request)`` (an error
answered outside a view: 404, 500, 503).

Used by the error pages (``core/wire/views.py``: a 404 under a vendor prefix is answered in that vendor's
envelope) and by the request metrics (``core/middleware.py``: the ``family`` label). It lives in the kernel, below
``core.wire``, so the kernel's middleware can ask it without importing a door.
"""

from dataclasses import dataclass
from functools import cached_property
from importlib import import_module


@dataclass
class Family:
    name: str  # the metrics label, e.g. "oracle"
    module_path: str  # e.g. "core.wire.oracle"

    @cached_property
    def module(self):
        return import_module(self.module_path)

    @property
    def prefix(self) -> str:
        return self.module.PREFIX

    def standalone_response(self, problem, request):
        return self.module.standalone_response(problem, request)


_FAMILIES: dict[str, Family] = {}


def register(name: str, module_path: str) -> None:
    """Declare a wire family (idempotent: ``ready()`` may run more than once in tests)."""
    _FAMILIES[name] = Family(name, module_path)


def registered() -> tuple[Family, ...]:
    return tuple(_FAMILIES.values())


def for_path(path: str) -> Family | None:
    """The family whose prefix the path starts with, if any."""
    for family in _FAMILIES.values():
        if path.startswith(family.prefix):
            return family
    return None
