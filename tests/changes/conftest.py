import pytest
from rest_framework.test import APIClient


@pytest.fixture
def staff_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def bmc_client(integration_user):
    from rest_framework_simplejwt.tokens import AccessToken

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(integration_user)}")
    return api


@pytest.fixture
def inventory_demo(db):
    from io import StringIO

    from inventory import demo

    return demo.load(stdout=StringIO())


@pytest.fixture
def loopback_receivers(settings):
    """Local receivers (pytest-httpserver, small servers on 127.0.0.1, on any unprivileged port) are allowed
    targets, and an attempt gives up after 5 s. Not autouse: the SSRF tests need the production rule."""
    settings.WEBHOOKS_ALLOW_LOOPBACK_TARGETS = True
    settings.WEBHOOKS_LOOPBACK_PORTS = ((1024, 65535),)
    settings.WEBHOOKS_TIMEOUT_SECONDS = 5


class FakeResolver:
    """``socket.getaddrinfo`` for the names a test sets: each lookup takes the next answer (the last one repeats),
    an empty answer does not resolve; every other name goes to the real resolver. ``lookups`` lists the names
    asked, in order."""

    def __init__(self, real):
        self.real = real
        self.answers: dict[str, list] = {}
        self.lookups: list[str] = []

    def set(self, name: str, *answers) -> None:
        self.answers[name] = list(answers)

    def __call__(self, host, port, family=0, type=0, proto=0, flags=0):
        import ipaddress
        import socket

        name = host.decode() if isinstance(host, bytes) else host
        if name not in self.answers:
            return self.real(host, port, family, type, proto, flags)
        self.lookups.append(name)
        queue = self.answers[name]
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        addresses = [answer] if isinstance(answer, str) else list(answer)
        if not addresses:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        infos = []
        for address in addresses:
            if ipaddress.ip_address(address).version == 4:
                infos.append((socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port or 0))))
            else:
                infos.append((socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, int(port or 0), 0, 0)))
        return infos


@pytest.fixture
def resolver(monkeypatch):
    """A fake DNS (see :class:`FakeResolver`) for names a test points where it wants, e.g. rebinding ones."""
    import socket

    fake = FakeResolver(socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return fake


@pytest.fixture
def webhook_production_rule(settings):
    """The production SSRF rule: no private or loopback target, ports 80 and 443 only."""
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    settings.WEBHOOKS_ALLOW_LOOPBACK_TARGETS = False
    settings.WEBHOOKS_ALLOWED_PORTS = (80, 443)
    settings.WEBHOOKS_LOOPBACK_PORTS = ()
