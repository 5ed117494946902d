"""What every JSON API view shares: a service's refusals as REST framework's errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions

T = TypeVar("T")


def api_service(call: Callable[[], T]) -> T:
    """Run a service or selector; its exceptions become the API's JSON errors: 403 for a
    refusal, 404 for an unknown object, 400 with the messages for a validation error."""
    try:
        return call()
    except DjangoPermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc) or None) from exc
    except ObjectDoesNotExist as exc:
        raise exceptions.NotFound(str(exc)) from exc
    except DjangoValidationError as exc:
        raise exceptions.ValidationError({"non_field_errors": exc.messages}) from exc
