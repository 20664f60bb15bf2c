import uuid

from django.db import models


class RefreshTokenFamily(models.Model):
    """The refresh tokens of one login, each the successor of the one before (OAuth 2.0 Security BCP, RFC 9700
    §4.14.2). Only ``current`` may be refreshed, and one rotation of it wins (a conditional UPDATE); presenting
    any other token of the family is a reuse, which revokes the family. Tokens carry the family's id (claim
    ``fam``). Deleted with its current token (``flushexpiredtokens``), which is the last of the family to expire."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    current = models.OneToOneField(
        "token_blacklist.OutstandingToken", on_delete=models.CASCADE, related_name="refresh_family"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "refresh token family"
        verbose_name_plural = "refresh token families"

    def __str__(self) -> str:
        return f"refresh token family {self.pk}{' (revoked)' if self.revoked_at else ''}"


class DemoLoad(models.Model):
    """That ``load_demo`` seeded an app's demo data into this database, and when: it never seeds that app again
    (staff may have deleted demo records on purpose) unless asked to (``load_demo --reseed``). A row in the
    database, so the mark goes wherever the data goes (a copied or restored database, a flushed one has none)."""

    app_label = models.CharField(max_length=100)
    loaded_at = models.DateTimeField()
    summary = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        verbose_name = "demo data load"
        constraints = [
            models.UniqueConstraint(fields=["app_label"], name="%(app_label)s_%(class)s_unique_app_label"),
        ]

    def __str__(self) -> str:
        return f"demo data of {self.app_label}, loaded {self.loaded_at:%Y-%m-%d %H:%M}"


class CacheToken(models.Model):
    """A named token that a writer replaces, in its transaction, whenever the data behind a per-process cache
    changes; a reader compares it (one row) with the token its cached answer was computed under. A random token,
    not a counter: a rolled-back write restores the previous token, never hands out one already used
    (``blackouts/active_set.py`` keeps the active blackout policies this way)."""

    name = models.CharField(max_length=100, primary_key=True)
    token = models.UUIDField(default=uuid.uuid4)

    def __str__(self) -> str:
        return f"{self.name}: {self.token}"

    @classmethod
    def current(cls, name: str):
        """The token, or None when there is no row (a flushed database): then nothing may be cached."""
        return cls.objects.filter(name=name).values_list("token", flat=True).first()

    @classmethod
    def replace(cls, name: str) -> None:
        """A new token (locked and replaced, or created)."""
        cls.objects.update_or_create(name=name, defaults={"token": uuid.uuid4()})
