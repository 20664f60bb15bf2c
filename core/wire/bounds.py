"""Array bounds of a request body, checked first: every list a request serializer declares carries a
``max_length`` (a generated test holds every wire request serializer to it), and ``check_list_lengths`` compares
the body's lists with them — ``len()`` only, no element validated, no query made — before anything else looks at
the body. A 10,001-element array is then a 400 in the family's envelope at once, instead of minutes of per-element
validation, lookups and writes (issue 21 follow-up, attack run r3).

DRF's own ``ListSerializer``/``ListField`` check ``max_length`` before their elements too; this pass adds that no
sibling or earlier element is validated first, and that a view's work before validation (reference lookups, the
refusal log) sees only bounded lists. ``LengthsFirstMixin`` runs it at the start of a root serializer's validation.
"""

from rest_framework import serializers

TOO_LONG = "Ensure this list has no more than {max_length} elements (it has {length:,})."


def _list_child(field):
    """The element field of a list field (``many=True`` serializer or ``ListField``), or None."""
    if isinstance(field, serializers.ListSerializer):
        return field.child
    if isinstance(field, serializers.ListField):
        return field.child
    return None


def _has_lists(field, _seen=None) -> bool:
    """Whether a field holds a bounded list anywhere below it (worth walking its value)."""
    if _list_child(field) is not None:
        return True
    if isinstance(field, serializers.Serializer):
        return any(_has_lists(sub) for sub in field.fields.values())
    return False


def check_list_lengths(field, data, path: str = "") -> None:
    """Raise ``ValidationError`` naming the path of the first list of ``data`` longer than its declared
    ``max_length`` (``items[3].relatedParty``). Values of the wrong shape are left to the validation proper."""
    child = _list_child(field)
    if child is not None:
        if not isinstance(data, list):
            return
        max_length = getattr(field, "max_length", None)
        if max_length is not None and len(data) > max_length:
            message = TOO_LONG.format(max_length=f"{max_length:,}", length=len(data))
            raise serializers.ValidationError({path: [message]} if path else [message])
        if _has_lists(child):
            for index, item in enumerate(data):
                check_list_lengths(child, item, f"{path}[{index}]")
        return
    if isinstance(field, serializers.Serializer) and isinstance(data, dict):
        for name, sub in field.fields.items():
            if name in data and not sub.read_only and _has_lists(sub):
                check_list_lengths(sub, data[name], f"{path}.{name}" if path else name)


def unbounded_lists(field, path: str = "") -> list[str]:
    """The paths of the lists below ``field`` that declare no ``max_length`` (for the generated test)."""
    child = _list_child(field)
    if child is not None:
        own = [path or "<root>"] if getattr(field, "max_length", None) is None else []
        return own + unbounded_lists(child, f"{path}[]")
    if isinstance(field, serializers.Serializer):
        out = []
        for name, sub in field.fields.items():
            if not sub.read_only:
                out += unbounded_lists(sub, f"{path}.{name}" if path else name)
        return out
    return []


class LengthsFirstMixin:
    """For a request's root serializer: ``check_bounds`` (the lengths of all its lists; a subclass may add a bound
    over the whole body) runs before any field is validated. A view may call it earlier still, before its own
    work on the raw body."""

    def check_bounds(self, data) -> None:
        check_list_lengths(self, data)

    def run_validation(self, data=serializers.empty):
        if data is not serializers.empty:
            self.check_bounds(data)
        return super().run_validation(data)
