"""The API docs served fully offline: Swagger UI and Redoc from drf-spectacular-sidecar's files, with nothing
fetched from another host.

drf-spectacular's Redoc page links Google Fonts, and Redoc's bundle draws the "API docs by Redocly" logo from
``cdn.redoc.ly``. Our page (``templates/drf_spectacular_offline/redoc.html``) uses the system fonts, and the
bundle is served from here with that logo's address replaced by an inline image.
"""

from functools import lru_cache

from django.contrib.staticfiles import finders
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET
from drf_spectacular.views import SpectacularRedocView

REDOC_BUNDLE = "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"
REMOTE_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
# A small grey square in place of Redocly's logo (same length is not needed: it is a string literal in the bundle).
LOCAL_LOGO = (
    b"data:image/svg+xml;charset=utf-8,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E"
    b"%3Crect width='16' height='16' rx='3' fill='%23888'/%3E%3C/svg%3E"
)


@lru_cache(maxsize=1)
def _offline_bundle() -> bytes:
    path = finders.find(REDOC_BUNDLE)
    if not path:
        raise Http404("Redoc bundle not installed (drf-spectacular-sidecar)")
    with open(path, "rb") as handle:
        return handle.read().replace(REMOTE_LOGO, LOCAL_LOGO)


@require_GET
def redoc_bundle(request):
    """Redoc's standalone bundle with its one remote asset (the Redocly logo) made local."""
    response = HttpResponse(_offline_bundle(), content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response


class OfflineRedocView(SpectacularRedocView):
    """drf-spectacular's Redoc page without Google Fonts, loading the bundle above."""

    template_name = "drf_spectacular_offline/redoc.html"

    @staticmethod
    def _redoc_standalone():
        return reverse("redoc-bundle")
