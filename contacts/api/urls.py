from django.urls import path

from .views import CustomerContactView

urlpatterns = [
    path(
        "rest/apis/customer/v-model/customerContact/<str:externalCCId>",
        CustomerContactView.as_view(),
        name="contacts-customer-contact",
    ),
]
