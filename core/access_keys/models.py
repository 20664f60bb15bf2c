"""An access key: BMC Helix Portal's programmatic credential (an id shown always, a secret shown once)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class AccessKeyStatus(models.TextChoices):
    ACTIVE = "ACTIVE", "Active"
    REVOKED = "REVOKED", "Revoked"


class AccessKey(models.Model):
    """A key its owner's client logs in with (``/ims/api/v1/access_keys/login``); the owner's roles apply to what the
    tokens it gets may do. The secret is stored as a password hash (Django's hashers) and shown once, when created or
    rotated; rotating or revoking it refuses the tokens it issued from then on."""

    sensitive_fields = ("secret_hash",)

    access_key = models.CharField("access key", max_length=40, unique=True, editable=False)
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="access_keys",
        verbose_name="owner",
        help_text="The user whose roles apply to every request made with this key's tokens.",
    )
    secret_hash = models.CharField(max_length=200, editable=False)
    status = models.CharField(max_length=10, choices=AccessKeyStatus.choices, default=AccessKeyStatus.ACTIVE)
    expires_at = models.DateTimeField(
        "expires", null=True, blank=True, help_text="Empty: never expires (not recommended)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "access key"

    def __str__(self) -> str:
        return f"{self.name} ({self.access_key})"

    def is_expired(self, at=None) -> bool:
        return self.expires_at is not None and self.expires_at <= (at or timezone.now())

    def is_usable(self, at=None) -> bool:
        """Active, not expired, and its owner active."""
        return self.status == AccessKeyStatus.ACTIVE and not self.is_expired(at) and self.user.is_active
