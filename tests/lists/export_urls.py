"""A test-only analyst list over auth.User, to test the list and export machinery apart from any domain list."""

import django_filters
from django.contrib.auth import get_user_model
from django.urls import include, path
from rest_framework import routers

from core.filters import DateTimeFilter, FilterSet, SearchFilter
from core.lists import specs
from core.lists.api import viewset_for

User = get_user_model()


class UserFilterSet(FilterSet):
    username = django_filters.CharFilter(lookup_expr="icontains")
    joined_after = DateTimeFilter(field_name="date_joined", lookup_expr="gte")
    search = SearchFilter("username", "first_name")

    class Meta:
        model = User
        fields = ["is_staff"]


USER_SPEC = specs.ListSpec(
    key="tests.users",
    model=User,
    filterset=UserFilterSet,
    ordering=("id",),
    orderings=("id", "username", "joined"),
    columns=[
        specs.Column("id", "ID"),
        specs.Column("username", "Username"),
        specs.Column("first_name", "First name"),
        specs.Column("is_staff", "Staff"),
        specs.Column("joined", "Joined (UTC)", "date_joined"),
    ],
)

router = routers.SimpleRouter()
router.register("api/tests/users", viewset_for(USER_SPEC), basename="test-users")
urlpatterns = [path("", include(router.urls))]
