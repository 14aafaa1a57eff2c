"""One place that turns domain errors into API answers, so no input reaches a 500."""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, InterfaceError, OperationalError
from django.db.models import ProtectedError, RestrictedError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

logger = logging.getLogger(__name__)

# Seconds a client waits before retrying a request the database could not serve (down, restarting, failing over).
DATABASE_RETRY_AFTER_SECONDS = 5


def validation_error_detail(error: DjangoValidationError):
    """The field-keyed messages of a Django ValidationError, DRF's shape (``__all__`` as non_field_errors)."""
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): messages
            for field, messages in error.message_dict.items()
        }
    return {"non_field_errors": error.messages}


class RequestTooLarge(exceptions.APIException):
    """A body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (Django's own answer would be an HTML 400)."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"

    def __init__(self):
        super().__init__(
            f"The request body is larger than the {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes "
            "the API accepts; send the rows in smaller batches."
        )


class DatabaseUnavailable(exceptions.APIException):
    """The database is down, restarting or failing over: nothing the client sent is wrong, and the same
    request may succeed in a moment (DRF's handler turns ``wait`` into the Retry-After header)."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The database is unavailable for a moment; retry the request shortly."
    default_code = "database_unavailable"
    wait = DATABASE_RETRY_AFTER_SECONDS


def portal_exception_handler(exc, context):
    """DRF's handler, plus: services' ValidationError as 400, integrity conflicts as 409, a body over
    ``DATA_UPLOAD_MAX_MEMORY_SIZE`` as 413 (too many form fields as 400), and a database that cannot be
    reached as a retryable 503; each with a JSON ``detail`` where Django would answer an HTML page or a 500."""
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
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        exc = exceptions.ParseError(str(exc))
    elif isinstance(exc, OperationalError | InterfaceError):
        # Django discards the broken connection at the end of the request; the next one connects anew.
        logger.warning("The database is unavailable; answered 503.", exc_info=exc)
        exc = DatabaseUnavailable()
    return exception_handler(exc, context)
