"""``manage.py create_access_key USERNAME [--name NAME] [--description TEXT] [--expires-days N] [--json]``: a new access
key of that user, its id and secret printed once (with ``--json`` one line: ``{"access_key": …, "access_secret_key":
…}``). The secret is stored only hashed: it cannot be printed again."""

import json
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.errors import DomainError

from ... import services


class Command(BaseCommand):
    help = "Create an access key for a user and print its id and secret (shown this once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="What the key is for (default: 'created by manage.py').")
        parser.add_argument("--description", default="")
        parser.add_argument("--expires-days", type=int, default=None, help="Days until it expires (default: never).")
        parser.add_argument("--json", action="store_true", help='One line: {"access_key": …, "access_secret_key": …}')

    def handle(self, *args, username, name, description, expires_days, **options):
        model = get_user_model()
        user = model._default_manager.filter(**{model.USERNAME_FIELD: username}).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        if expires_days is not None and expires_days < 1:
            raise CommandError("--expires-days must be 1 or more.")
        expires_at = timezone.now() + timedelta(days=expires_days) if expires_days else None
        try:
            key, secret = services.access_key_create(
                user=user, name=name or "created by manage.py", description=description, expires_at=expires_at
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        if options["json"]:
            self.stdout.write(json.dumps({"access_key": key.access_key, "access_secret_key": secret}))
        else:
            self.stdout.write(f"Access key: {key.access_key}")
            self.stdout.write(f"Secret key: {secret}")
            self.stdout.write("The secret key is not shown again (it is stored hashed).")
