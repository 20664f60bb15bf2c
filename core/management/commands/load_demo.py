"""Load demo data for every domain app, idempotently (safe to run on every ``make run``)."""

from importlib import import_module
from importlib.util import find_spec

from django.core.management.base import BaseCommand
from django.db import transaction

from core import context
from core.roles import DOMAIN_APPS


class Command(BaseCommand):
    help = "Load the demo data of each domain app (``<app>/demo.py: load(stdout)``). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--app", action="append", choices=DOMAIN_APPS, help="Only these apps (repeatable).")

    def handle(self, *args, **options):
        with context.bound(actor="command:load_demo"):  # the change log names the command as the actor
            self._load(options)

    def _load(self, options):
        for app in options["app"] or DOMAIN_APPS:
            if find_spec(f"{app}.demo") is None:
                continue
            module = import_module(f"{app}.demo")
            with transaction.atomic():
                summary = module.load(stdout=self.stdout)
            self.stdout.write(f"demo {app}: {summary or 'ok'}")
        if not options["app"]:
            from core.changes import demo

            with transaction.atomic():
                self.stdout.write(f"demo webhooks: {demo.load(stdout=self.stdout)}")
