"""Load demo data for every app that has some, idempotently (safe to run on every ``make run``).

An app has demo data when it has a ``demo`` module with ``load(stdout) -> str``; the module may say when it runs
with ``ORDER`` (default 0, lower first, then in ``INSTALLED_APPS`` order): the change log's demo runs after the
domain apps' (``ORDER = 100``), since it queues their events. Nothing here names an app.
"""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from core import context


def demo_modules() -> dict:
    """App label -> its demo module, in loading order."""
    found = []
    for position, config in enumerate(apps.get_app_configs()):
        name = f"{config.name}.demo"
        if find_spec(config.name) is not None and find_spec(name) is not None:
            module = import_module(name)
            if callable(getattr(module, "load", None)):
                found.append((getattr(module, "ORDER", 0), position, config.label, module))
    return {label: module for _order, _position, label, module in sorted(found, key=lambda item: item[:2])}


class Command(BaseCommand):
    help = "Load the demo data of each app that has some (``<app>/demo.py: load(stdout)``). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--app", action="append", choices=list(demo_modules()), help="Only these apps (repeatable)."
        )

    def handle(self, *args, **options):
        with context.bound(actor="command:load_demo"):  # the change log names the command as the actor
            for label, module in demo_modules().items():
                if options["app"] and label not in options["app"]:
                    continue
                with transaction.atomic():
                    summary = module.load(stdout=self.stdout)
                self.stdout.write(f"demo {label}: {summary or 'ok'}")
