"""A test-only analyst list over auth.User, to test the export machinery before any domain list exists."""

import django_filters
from django.contrib.auth import get_user_model
from django.urls import include, path
from rest_framework import routers, serializers

from core import exports
from core.analyst import AnalystViewSet

User = get_user_model()


class UserFilterSet(django_filters.FilterSet):
    username = django_filters.CharFilter(lookup_expr="icontains")
    joined_after = django_filters.IsoDateTimeFilter(field_name="date_joined", lookup_expr="gte")

    class Meta:
        model = User
        fields = ["is_staff"]


USER_SPEC = exports.ExportSpec(
    key="tests.users",
    model=User,
    filterset_class=UserFilterSet,
    columns=[
        exports.Column("id", "ID", "id"),
        exports.Column("username", "Username", "username"),
        exports.Column("firstName", "First name", "first_name"),
        exports.Column("isStaff", "Staff", "is_staff"),
        exports.Column("joined", "Joined (UTC)", "date_joined"),
    ],
)


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "first_name", "is_staff", "date_joined"]


class UserViewSet(AnalystViewSet):
    queryset = User.objects.order_by("id")
    serializer_class = UserSerializer
    export_spec = USER_SPEC
    ordering_fields = ["id", "username", "date_joined"]


router = routers.SimpleRouter()
router.register("api/tests/users", UserViewSet)
urlpatterns = [path("", include(router.urls))]
