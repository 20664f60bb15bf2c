from django.urls import path

from .views import AccessKeyLoginView, AccessKeyTokenView

urlpatterns = [
    path("ims/api/v1/access_keys/login", AccessKeyLoginView.as_view(), name="access_key_login"),
    path("ims/api/v1/auth/tokens", AccessKeyTokenView.as_view(), name="access_key_token"),
]
