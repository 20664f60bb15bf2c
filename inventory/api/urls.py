"""Full paths of the UIM bundle-service API (``config/urls.py`` includes this at the root)."""

from django.urls import re_path

from . import hub, views

# Any version segment reaches the views, which answer an unknown one with 404 in the UIM envelope (the project's
# catch-all 404 view is a plain Django view, which CSRF-checks a POST carrying a session cookie).
BASE = r"^InventoryRSOpenAPI/serviceInventoryManagement/(?P<version>[^/]+)"

urlpatterns = [
    re_path(BASE + r"/bundle$", views.BundleView.as_view(), name="inventory-bundle"),
    re_path(BASE + r"/bundle/(?P<bundle_id>[^/]+)$", views.BundleDetailView.as_view(), name="inventory-bundle-detail"),
    re_path(
        BASE + r"/bundle/(?P<bundle_id>[^/]+)/(?P<task>[^/]+)$",
        views.BundleTaskView.as_view(),
        name="inventory-bundle-task",
    ),
    re_path(BASE + r"/service$", views.ServiceListView.as_view(), name="inventory-service-list"),
    re_path(BASE + r"/service/(?P<service_id>[^/]+)$", views.ServiceDetailView.as_view(), name="inventory-service"),
    re_path(BASE + r"/hub$", hub.HubView.as_view(), name="inventory-hub"),
    re_path(BASE + r"/hub/(?P<hub_id>[^/]+)$", hub.HubDetailView.as_view(), name="inventory-hub-detail"),
]
