from django.conf import settings
from django.contrib.auth import authenticate
from rest_framework import exceptions, serializers, status


class LoginLockedOut(exceptions.APIException):
    """Too many failed logins for this username from this address (django-axes): 429 with Retry-After."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked_out"

    def __init__(self):
        super().__init__(detail=settings.AXES_COOLOFF_MESSAGE)
        # DRF's exception handler answers ``wait`` as the Retry-After header.
        self.wait = settings.AXES_COOLOFF_TIME.total_seconds()


class TokenRequestSerializer(serializers.Serializer):
    """A username and password, checked by the authentication backends (the lockout first)."""

    username = serializers.CharField(write_only=True)
    password = serializers.CharField(write_only=True, trim_whitespace=False, style={"input_type": "password"})

    def validate(self, attrs):
        request = self.context["request"]
        user = authenticate(request=request, username=attrs["username"], password=attrs["password"])
        if user is None:
            # Axes flags the request when this failure, or an earlier run of them, locked the username out here.
            if getattr(request, "axes_locked_out", False):
                raise LoginLockedOut()
            raise serializers.ValidationError("Unable to log in with provided credentials.", code="authorization")
        return {"user": user}


class TokenSerializer(serializers.Serializer):
    """A new API token (shown this once: the portal keeps only its hash) and when it expires."""

    token = serializers.CharField(read_only=True)
    expiry = serializers.DateTimeField(read_only=True)
