from drf_spectacular.utils import OpenApiResponse, extend_schema
from knox import views as knox_views
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.throttling import ScopedRateThrottle

from cvd_portal.api.parsers import PortalJSONParser

from .serializers import TokenRequestSerializer, TokenSerializer


class ObtainTokenView(knox_views.LoginView):
    """Exchange a username and password for a new API token, valid for ``API_TOKEN_TTL_DAYS``.

    The portal keeps only the token's hash; send it as ``Authorization: Token <token>``. Repeated wrong
    passwords lock the username out from the client's address (429), as on the login pages.
    """

    # The credentials are the body; a browser's session cookie must not make this a CSRF-checked request.
    authentication_classes = ()
    permission_classes = (AllowAny,)
    # Password guessing is slowed down per client address, on top of the lockout per username and address.
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"
    parser_classes = [PortalJSONParser, FormParser, MultiPartParser]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(description="Wrong username or password."),
            429: OpenApiResponse(description="Too many attempts: locked out or throttled; see Retry-After."),
        },
    )
    def post(self, request, format=None):
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        request.user = serializer.validated_data["user"]
        return super().post(request, format=format)


class LogoutView(knox_views.LogoutView):
    """Revoke the token this request is sent with."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request, format=None):
        return super().post(request, format=format)


class LogoutAllView(knox_views.LogoutAllView):
    """Revoke every token of the user this request's token belongs to."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request, format=None):
        return super().post(request, format=format)
