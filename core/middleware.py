"""Request-scoped middleware shared by every door."""

from __future__ import annotations

import logging
import time
import weakref

from django.urls import NoReverseMatch, Resolver404, get_resolver, get_script_prefix, get_urlconf, resolve, reverse

from core import admin_input, context, families, metrics


class RequestContextMiddleware:
    """Bind a request id (``X-Request-ID`` when sane, else generated) and the actor for the whole request, and
    return the id in the response's ``X-Request-ID`` header.

    The actor is resolved lazily from ``request.user``: the session user for the admin, and (DRF sets the
    Django request's ``user`` when it authenticates) the token or Basic user for the APIs.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rid = context.accept_request_id(request.headers.get(context.REQUEST_ID_HEADER))
        request.request_id = rid
        with context.bound(request_id=rid, actor=lambda: context.user_actor(getattr(request, "user", None))):
            response = self.get_response(request)
        response[context.REQUEST_ID_HEADER] = rid
        return response


# The API prefixes whose paths end with a slash on the wire (the analyst API, Oracle's outage notifications).
SLASH_OPTIONAL_PREFIXES = ("/api/", "/rest/apis/")


# The URL name of the families' catch-all (config/urls.py): a path only it answers is no view of ours.
CATCH_ALL_URL_NAME = "family-not-found"


def _resolves_to_a_view(path: str, urlconf) -> bool:
    try:
        return resolve(path, urlconf).url_name != CATCH_ALL_URL_NAME
    except Resolver404:
        return False


class OptionalTrailingSlashMiddleware:
    """An API path that ends with a slash is also served without it, as the same view (no redirect: a POST would
    lose its body). The OpenAPI document publishes the paths without their trailing slash (Redocly's and Spectral's
    rule, and what generated clients call); the slashed forms the vendors' specs and our docs show keep working."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if (
            not path.endswith("/")
            and (path + "/").startswith(SLASH_OPTIONAL_PREFIXES)
            and not _resolves_to_a_view(path, getattr(request, "urlconf", None))
            and _resolves_to_a_view(path + "/", getattr(request, "urlconf", None))
        ):
            request.path_info = path + "/"
            request.path = request.path + "/"
            request.META["PATH_INFO"] = request.path_info
        return self.get_response(request)


# The admin's index and login paths by URL resolver and script prefix (None: that URLconf has no admin).
_ADMIN_PATHS: weakref.WeakKeyDictionary[object, dict[str, tuple[str, str] | None]] = weakref.WeakKeyDictionary()


def admin_paths() -> tuple[str, str] | None:
    """``reverse("admin:index")`` and ``reverse("admin:login")`` under the current URLconf and script prefix, or
    None without the admin. Reversing costs tens of microseconds on every request; the answer changes only with the
    resolver (Django makes a new one when the URLconf changes: ``clear_url_caches``) and the script prefix."""
    resolver, script_prefix = get_resolver(get_urlconf()), get_script_prefix()
    known = _ADMIN_PATHS.setdefault(resolver, {})
    if script_prefix not in known:
        try:
            known[script_prefix] = (reverse("admin:index"), reverse("admin:login"))
        except NoReverseMatch:
            known[script_prefix] = None
    return known[script_prefix]


class AdminInputMiddleware:
    """The admin's input guard (``core/admin_input.py``) before any admin view runs: a parameter with a character
    the one character rule refuses is a 400 page naming it, on every admin page (the login form's credentials
    excepted: the login judges and counts them); an
    action posted with a selected id its model's key cannot hold answers the changelist again with a message.

    Placed after the session, authentication and messages middleware (the page and the message need them)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        paths = admin_paths()
        if paths is None:  # a URLconf without the admin has nothing to guard
            return None
        prefix, login = paths
        if not request.path.startswith(prefix):
            return None
        from django.contrib import admin  # the admin's app registry is ready by the first request

        # The login form's fields are credentials, judged by the login itself: a NUL in them is a counted failed
        # login (core/auth_views.py, docs/security.md), not a 400 an attacker could probe without being counted.
        problem = admin_input.text_refusal(request, form=request.path != login)
        if problem is not None:
            return admin_input.bad_request(request, admin.site, problem)
        model_admin = getattr(view_func, "model_admin", None)  # set by ModelAdmin.get_urls on its views
        if (
            model_admin is not None
            and request.method == "POST"
            and getattr(view_func, "__name__", "") == "changelist_view"
            and admin_input.ACTION_CHECKBOX_NAME in request.POST
            and admin.site.has_permission(request)  # who may not use the admin is answered by the admin itself
        ):
            problem = admin_input.selected_ids_refusal(model_admin, request)
            if problem is not None:
                return admin_input.refuse_action(model_admin, request, problem)
        return None


request_log = logging.getLogger("core.request")

# Families by path prefix, first match wins: the wire families (registered by the apps that own them,
# core/families.py), then the analyst API and the admin.
_OTHER_FAMILIES = (
    ("/api/", "analyst"),
    ("/admin/", "admin"),
)


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def request_family(path: str) -> str:
    wire = families.for_path(path)
    if wire is not None:
        return wire.name
    for prefix, family in _OTHER_FAMILIES:
        if path.startswith(prefix):
            return family
    return "other"


def request_endpoint(request) -> str:
    """The route's name (``outages:notifications``), else its pattern; never the raw path (unbounded labels)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "<unmatched>"
    return match.view_name or match.route or "<unnamed>"


class MetricsMiddleware:
    """Count every request by family, endpoint, method and status, time it (in memory: no query), and write its
    one log line (``core.request``: method, path without the query string, status, duration, request id)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - start
        family, endpoint = request_family(request.path), request_endpoint(request)
        method = request.method if request.method in _METHODS else "other"  # a client invents methods at will
        metrics.HTTP_REQUESTS.labels(family, endpoint, method, str(response.status_code)).inc()
        metrics.HTTP_LATENCY.labels(family, endpoint).observe(elapsed)
        status = response.status_code
        request_log.log(
            logging.ERROR if status >= 500 else logging.WARNING if status >= 400 else logging.INFO,
            "%s %s %s %.1fms",
            request.method,
            request.path,
            status,
            elapsed * 1000,
            extra={
                "request_id": getattr(request, "request_id", None),
                "http_method": method,
                "path": request.path,
                "status": status,
                "duration_ms": round(elapsed * 1000, 2),
                "family": family,
                "endpoint": endpoint,
            },
        )
        return response
