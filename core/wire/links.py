"""Where clients reach the API: the base of every absolute link (``href``) a family builds, in a body or an event."""

from urllib.parse import urlsplit

from django.conf import settings
from django.urls import get_script_prefix


def public_base_url(request=None, *, recorded: str = "") -> str:
    """The base URL clients reach the API at, ending in ``/``. ``API_PUBLIC_BASE_URL`` when it is absolute (a proxy
    serves the API there); else the request's scheme and host, with the setting's path when it names one (``/bo``)
    or the request's script prefix. With no request (an event rendered by the worker): ``recorded``, the base the
    subscriber was answered with when it registered, else the setting's path alone (links relative to the host)."""
    configured = getattr(settings, "API_PUBLIC_BASE_URL", "") or "/"
    if urlsplit(configured).scheme in ("http", "https"):
        return configured.rstrip("/") + "/"
    path = f"/{configured.strip('/')}/" if configured.strip("/") else None
    if request is not None:
        prefix = request.path.removesuffix(request.path_info)  # the script name the server mounted the site at
        return request.build_absolute_uri(path or prefix + "/").rstrip("/") + "/"
    return recorded or (path or get_script_prefix()).rstrip("/") + "/"
