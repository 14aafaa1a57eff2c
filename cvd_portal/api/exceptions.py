"""One place that turns domain errors into API answers, so no input reaches a 500."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


def validation_error_detail(error: DjangoValidationError):
    """The field-keyed messages of a Django ValidationError, DRF's shape (``__all__`` as non_field_errors)."""
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): messages
            for field, messages in error.message_dict.items()
        }
    return {"non_field_errors": error.messages}


def portal_exception_handler(exc, context):
    """DRF's handler, plus services' ValidationError as 400 and integrity conflicts as 409."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_error_detail(exc))
    elif isinstance(exc, ProtectedError | RestrictedError):
        blocking = sorted({str(obj._meta.verbose_name_plural) for obj in exc.protected_objects})
        return Response(
            {"detail": f"Cannot delete: it is still used by {', '.join(blocking)}."},
            status=status.HTTP_409_CONFLICT,
        )
    elif isinstance(exc, IntegrityError):
        # Validation catches these first; a concurrent write can still win the race.
        return Response(
            {"detail": "The change conflicts with data saved meanwhile; reload and try again."},
            status=status.HTTP_409_CONFLICT,
        )
    return exception_handler(exc, context)
