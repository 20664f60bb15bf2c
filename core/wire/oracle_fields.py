"""Transitional: the strict wire fields are ``core/wire/fields.py`` (the old name said "Oracle", yet the webhooks API
uses them too). Kept only for ``core/changes/api.py``, which another change is moving; delete this module once that
imports ``core.wire.fields``."""

from .fields import StrictBooleanField, StrictCharField

__all__ = ["StrictBooleanField", "StrictCharField"]
