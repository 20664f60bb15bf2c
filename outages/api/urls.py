from django.urls import path

from .views import OutageEventDetailView, OutageEventNotificationsView, OutageEventSearchView

urlpatterns = [
    path(
        "rest/apis/customer/service/outageEventNotifications/",
        OutageEventNotificationsView.as_view(),
        name="outage-event-notifications",
    ),
    path(
        "rest/apis/customer/service/outageEventNotifications/<str:external_system>/<path:external_outage_id>",
        OutageEventDetailView.as_view(),
        name="outage-event-detail",
    ),
    path("rest/apis/customer/service/outageEvent/search", OutageEventSearchView.as_view(), name="outage-event-search"),
]
