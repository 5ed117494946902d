from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from meedoen.accounts.roles import Role


class User(AbstractUser):
    """A person who signs in to meedoen. Each account has exactly one role."""

    role = models.CharField(_("role"), max_length=32, choices=Role.choices)

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
