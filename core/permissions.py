"""The base of the API's permission classes: what a request needs comes from the role table (``core.roles``)."""

from rest_framework.permissions import BasePermission


class RolePermission(BasePermission):
    """Authenticated, and holding every permission ``required_permissions`` names for this request. The generated
    role test (``tests/core/test_roles_matrix.py``) reads the same method, so a door says once what it needs.
    ``None``: nothing to hold (a method the view answers 405 to)."""

    def required_permissions(self, request, view) -> list[str] | None:  # pragma: no cover - each subclass says
        raise NotImplementedError

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        perms = self.required_permissions(request, view)
        return True if perms is None else user.has_perms(perms)
