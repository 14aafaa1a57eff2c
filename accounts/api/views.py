from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.throttling import ScopedRateThrottle


class ObtainTokenView(ObtainAuthToken):
    """Exchange a username and password for the user's API token, made on the first exchange."""

    # The credentials are the body; a browser's session cookie must not make this a CSRF-checked request.
    authentication_classes = ()
    # Password guessing is slowed down per client address.
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"
