from django.urls import path

from . import views

PREFIX = "events-service/api/v1.0/"

urlpatterns = [
    path(f"{PREFIX}blackout_policies", views.BlackoutPolicyCreateView.as_view(), name="blackout-policy-create"),
    path(
        f"{PREFIX}blackout_policies/delete",
        views.BlackoutPolicyBulkDeleteView.as_view(),
        name="blackout-policies-delete",
    ),
    path(
        f"{PREFIX}blackout_policies/search", views.BlackoutPolicySearchView.as_view(), name="blackout-policies-search"
    ),
    path(
        f"{PREFIX}blackout_policies/enable", views.BlackoutPolicyEnableView.as_view(), name="blackout-policies-enable"
    ),
    path(
        f"{PREFIX}blackout_policies/disable",
        views.BlackoutPolicyDisableView.as_view(),
        name="blackout-policies-disable",
    ),
    path(
        f"{PREFIX}blackout_policies/<str:policy_id>",
        views.BlackoutPolicyDetailView.as_view(),
        name="blackout-policy-detail",
    ),
    path(f"{PREFIX}events", views.EventIngestView.as_view(), name="events-ingest"),
]
