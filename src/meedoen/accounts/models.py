from datetime import datetime

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meedoen.accounts.roles import Role


class User(AbstractUser):
    """A person who signs in to meedoen. Each account has exactly one role."""

    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    #: The team of a case worker or team lead (e.g. ``wijkteam-noord``): a team lead opens and
    #: assigns cases for the case workers of the own team.
    team = models.CharField(_("team"), max_length=64, blank=True, default="", db_default="")

    REQUIRED_FIELDS = ["email", "role"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="accounts_user_role_valid"
            )
        ]

    def __str__(self) -> str:
        return self.username


class ApiToken(models.Model):
    """A personal API token: a script acts as its user with it (``MEEDOEN_TOKEN`` on the command
    line, ``Authorization: Token …`` on the JSON API). Only a hash of the token is stored; the
    token itself is shown once, when it is made."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    #: SHA-256 of the token (hex). The token is 32 random bytes: no salt or slow hash needed.
    digest = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)
    expires = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"token {self.pk} of {self.user_id}"

    def usable(self, at: datetime | None = None) -> bool:
        at = at or timezone.now()
        return self.revoked is None and (self.expires is None or self.expires > at)
