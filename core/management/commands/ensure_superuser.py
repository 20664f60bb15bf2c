"""Create or update the superuser that ``make run`` prints.

With ``DJANGO_SUPERUSER_USERNAME``/``DJANGO_SUPERUSER_PASSWORD`` set, that user is created or its password
updated. Without them, ``admin`` is created once with a generated password kept in ``var/admin-password``
(mode 0600), so that every later run can print it again.
"""

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create or update the local superuser and print its credentials."

    def handle(self, *args, **options):
        username = os.environ.get("DJANGO_SUPERUSER_USERNAME") or "admin"
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        secret_file = Path(settings.VAR_DIR) / "admin-password"
        # The stored hash last proven to be the file's password: while the user's is still that one, the password
        # is too, and the check (PBKDF2, half a second of CPU on every `make run`) is skipped.
        verified_file = Path(settings.VAR_DIR) / "admin-password.verified"
        from_file = not password
        if not password:
            if secret_file.exists():
                password = secret_file.read_text().strip()
            else:
                password = secrets.token_urlsafe(12)
                secret_file.write_text(password + "\n")
                secret_file.chmod(0o600)
        User = get_user_model()
        user, created = User.objects.get_or_create(username=username, defaults={"email": f"{username}@localhost"})
        user.is_staff = user.is_superuser = user.is_active = True
        known = from_file and verified_file.exists() and verified_file.read_text().strip() == user.password
        if created or not (known or user.check_password(password)):
            user.set_password(password)
        user.save()
        if from_file and not known:
            verified_file.write_text(user.password + "\n")
            verified_file.chmod(0o600)
        self.stdout.write(f"superuser {'created' if created else 'ready'}: {username} / {password}")
