"""The OpenAPI schema's error answers, documented once for every operation from what the operation can meet.

drf-spectacular documents the success answer only; a client (and Schemathesis's status-code check) then
meets 400s, 404s and 409s the schema never promised. Each error answer here is one the portal really gives
(``cvd_portal.api.exceptions`` shapes them): a JSON object of field messages, or ``{"detail": "..."}``.
"""

from drf_spectacular.openapi import AutoSchema
from rest_framework.permissions import AllowAny

ERROR_BODY = {
    "application/json": {
        "schema": {
            "type": "object",
            "description": "Field name → list of messages (nested for rows and filters), or `detail` for the "
            "request as a whole.",
            "additionalProperties": True,
        }
    }
}
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def _error(description: str) -> dict:
    return {"description": description, "content": ERROR_BODY}


class PortalAutoSchema(AutoSchema):
    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is not None:
            for status, response in self._error_responses(operation).items():
                operation["responses"].setdefault(status, response)
            for parameter in operation.get("parameters", []):
                # DRF and django-filter read an empty optional query value as the parameter left out
                # (what an HTML form with a blank field sends): say so, rather than promise a refusal.
                if parameter["in"] == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True
        return operation

    def _error_responses(self, operation: dict) -> dict[str, dict]:
        errors = {}
        takes_input = bool(operation.get("parameters")) or "requestBody" in operation
        if takes_input:
            errors["400"] = _error(
                "The input is invalid: a field names what is wrong (unknown ids, ranges, pages past the end included)."
            )
        if not any(isinstance(permission, AllowAny) for permission in self.view.get_permissions()):
            errors["401"] = _error("No valid token or session.")
            errors["403"] = _error("The user's role may not do this, or the object is outside their routes.")
        if "{" in self.path:
            errors["404"] = _error("No such object, or none the user may see.")
        if self.method in WRITE_METHODS:
            errors["409"] = _error("The change conflicts with data in use or saved meanwhile.")
        if self.method in BODY_METHODS:
            errors["413"] = _error("The body is larger than DATA_UPLOAD_MAX_MEMORY_SIZE.")
            errors["415"] = _error("The body's media type is not one the operation reads.")
        if self.view.get_throttles():
            errors["429"] = _error("Too many requests; the Retry-After header says when to retry.")
        errors["503"] = _error("The database is unavailable for a moment; retry after Retry-After seconds.")
        return errors
