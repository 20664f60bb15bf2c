from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiJsonRenderer2
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from core import health
from core.auth_views import JWTObtainView, JWTRefreshView, admin_login, admin_password_change, api_login, api_logout
from core.docs_views import OfflineRedocView, redoc_bundle
from core.lists.api_root import home
from core.metrics_view import metrics_view
from core.middleware import CATCH_ALL_URL_NAME
from core.schema_renderers import Yaml12OpenApiRenderer, Yaml12OpenApiRenderer2
from core.wire import views as core_views

# The analyst API's login and logout pages, named as DRF's browsable API looks them up (its Log in / Log out links).
api_auth = ([path("login/", api_login, name="login"), path("logout/", api_logout, name="logout")], "rest_framework")

urlpatterns = [
    path("", home, name="home"),
    path("admin/login/", admin_login),  # the admin's own login view, throttled (core/auth_views.py)
    path("admin/password_change/", admin_password_change),  # its old-password check throttled the same way
    path("admin/", admin.site.urls),
    path("api-auth/", include(api_auth)),  # any active user, for the API only (core/auth_views.py)
    path("healthz", health.healthz, name="healthz"),
    path("livez", health.livez, name="livez"),
    path("metrics", metrics_view, name="metrics"),
    path("api/auth/token/", JWTObtainView.as_view(), name="token_obtain_pair"),
    path("api/auth/token/refresh/", JWTRefreshView.as_view(), name="token_refresh"),
    path(
        "api/schema/",
        SpectacularAPIView.as_view(  # its YAML read alike by YAML 1.1 and 1.2 readers (core/schema_renderers.py)
            renderer_classes=[Yaml12OpenApiRenderer, Yaml12OpenApiRenderer2, OpenApiJsonRenderer, OpenApiJsonRenderer2]
        ),
        name="schema",
    ),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", OfflineRedocView.as_view(url_name="schema"), name="redoc"),
    path("api/redoc/redoc.standalone.js", redoc_bundle, name="redoc-bundle"),
    path("api/", include("config.api_urls")),
    # Wire families: each app's api/urls.py holds full paths under its vendor prefix.
    path("", include("outages.api.urls")),
    path("", include("contacts.api.urls")),
    path("", include("enrollments.api.urls")),
    path("", include("blackouts.api.urls")),
    path("", include("inventory.api.urls")),
    path("", include("core.access_keys.urls")),  # BMC Helix Portal's access-key login and refresh (/ims/api/v1/)
    # Anything else under a vendor prefix is answered in that family's envelope, even with DEBUG on.
    re_path(
        r"^(?:rest/apis|events-service/api/v1\.0|InventoryRSOpenAPI|api)/",
        core_views.not_found,
        name=CATCH_ALL_URL_NAME,  # OptionalTrailingSlashMiddleware tells it from a view of ours by this name
    ),
]

handler400 = "core.wire.views.bad_request"
handler403 = "core.wire.views.permission_denied"
handler404 = "core.wire.views.not_found"
handler500 = "core.wire.views.server_failure"
