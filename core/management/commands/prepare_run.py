"""What ``make run`` does before it starts web, worker and beat, in one process (each ``manage.py`` start loads
Django and every app, seconds on a busy machine): ``migrate``, ``ensure_superuser`` (prints the credentials) and
``load_demo`` (seeds each app's demo data once per database). Not for production, like ``load_demo``."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "make run's preparation, in one process: migrate, ensure_superuser, load_demo."
    requires_system_checks = []  # runserver checks as it starts; once is enough

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=options["verbosity"], stdout=self.stdout)
        call_command("ensure_superuser", stdout=self.stdout)
        call_command("load_demo", stdout=self.stdout)
