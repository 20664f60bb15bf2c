"""One user per role, and the credentials each door takes from it (a JWT, HTTP Basic, an admin session)."""

import secrets
from dataclasses import dataclass, field

# name -> (is_staff, is_superuser, groups). ``anonymous`` has no user.
ROLES: dict[str, tuple[bool, bool, tuple[str, ...]]] = {
    "anonymous": (False, False, ()),
    "authenticated": (False, False, ()),
    "staff": (True, False, ()),
    "analyst": (False, False, ("analyst",)),
    "analyst_staff": (True, False, ("analyst",)),
    "integration": (False, False, ("integration",)),
    "operator": (True, False, ("operator",)),
    "superuser": (True, True, ()),
}
# The role of ``core.roles`` each one plays (the others have the same name there).
TABLE_ROLES = {"analyst_staff": "analyst"}
CSRF = "attackcsrf" + "0" * 22  # a well-formed 32-character CSRF secret: the cookie and the header carry it


@dataclass
class Credentials:
    role: str
    username: str = ""
    password: str = ""
    bearer: str = ""
    session: str = ""
    user_id: int | None = None
    extra: dict = field(default_factory=dict)

    def headers(self, auth: str) -> dict[str, str]:
        """Headers for ``auth`` in ``bearer``, ``basic``, ``session`` (cookie and CSRF header) or ``none``."""
        if self.role == "anonymous" or auth == "none":
            return {}
        if auth == "bearer":
            return {"Authorization": f"Bearer {self.bearer}"}
        if auth == "basic":
            import base64

            raw = f"{self.username}:{self.password}".encode()
            return {"Authorization": f"Basic {base64.b64encode(raw).decode()}"}
        if auth == "session":
            return {"Cookie": f"sessionid={self.session}; csrftoken={CSRF}", "X-CSRFToken": CSRF}
        raise ValueError(auth)


def create_users(prefix: str = "atk") -> dict[str, Credentials]:
    """Create the users (in the database this process is connected to) and their credentials."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.test import Client
    from rest_framework_simplejwt.settings import api_settings
    from rest_framework_simplejwt.tokens import AccessToken

    User = get_user_model()
    out = {"anonymous": Credentials("anonymous")}
    for role, (staff, superuser, groups) in ROLES.items():
        if role == "anonymous":
            continue
        password = secrets.token_urlsafe(12)
        user = User.objects.create(
            username=f"{prefix}_{role}",
            email=f"{prefix}_{role}@example.com",
            is_staff=staff,
            is_superuser=superuser,
            password=make_password(password),
        )
        for name in groups:
            user.groups.add(Group.objects.get(name=name))
        token = AccessToken.for_user(user)
        token.set_exp(lifetime=api_settings.ACCESS_TOKEN_LIFETIME * 100)  # outlives the run
        client = Client()
        client.force_login(user)
        out[role] = Credentials(
            role, user.username, password, str(token), client.cookies["sessionid"].value, user_id=user.pk
        )
    # A hub listener of another integration: the matrix checks that ``integration`` can neither read nor remove it.
    from inventory.services import hub

    other = User.objects.create(username=f"{prefix}_integration_other", password=make_password(None))
    other.groups.add(Group.objects.get(name="integration"))
    listener = hub.hub_subscribe(callback="https://93.184.216.34/listener", owner=other)
    out["integration"].extra["foreign_listener"] = str(listener.pk)
    return out
