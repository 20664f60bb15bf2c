"""Seed the demo data of every app that has some, once per database (``make run`` runs it on every start).

An app has demo data when it has a ``demo`` module with ``load(stdout) -> str``; the module may say when it runs
with ``ORDER`` (default 0, lower first, then in ``INSTALLED_APPS`` order): the change log's demo runs after the
domain apps' (``ORDER = 100``), since it queues their events. Nothing here names an app.

Each app seeded is recorded in the database (:class:`core.models.DemoLoad`): a later run leaves that app alone, so
what staff deleted or changed stays so. ``--reseed`` runs the loaders again (each adds what of its demo data is
missing and keeps the rest).
"""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from core import context
from core.models import DemoLoad


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
    help = (
        "Seed the demo data of each app that has some (``<app>/demo.py: load(stdout)``), once per database: "
        "an app seeded before is left as staff left it, unless --reseed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--app", action="append", choices=list(demo_modules()), help="Only these apps (repeatable)."
        )
        parser.add_argument(
            "--reseed",
            action="store_true",
            help="Load again what is missing of the demo data, even where it was seeded before (deleted demo "
            "records come back).",
        )

    def handle(self, *args, **options):
        seeded = {row.app_label: row for row in DemoLoad.objects.all()}
        with context.bound(actor=context.command_actor("load_demo")):  # the change log names the command
            for label, module in demo_modules().items():
                if options["app"] and label not in options["app"]:
                    continue
                if label in seeded and not options["reseed"]:
                    when = timezone.localtime(seeded[label].loaded_at).strftime("%Y-%m-%d %H:%M")
                    self.stdout.write(f"demo {label}: seeded {when}, left as it is (load_demo --reseed loads it again)")
                    continue
                with transaction.atomic():
                    summary = module.load(stdout=self.stdout) or "ok"
                    DemoLoad.objects.update_or_create(
                        app_label=label, defaults={"loaded_at": timezone.now(), "summary": summary[:500]}
                    )
                self.stdout.write(f"demo {label}: {summary}")
