"""Who is asking: the client's address, read the way DRF's throttles read it (``NUM_PROXIES``).

Both the login lockout (axes, ``AXES_CLIENT_IP_CALLABLE``) and the API throttles (``NUM_PROXIES``) follow
``TRUSTED_PROXY_COUNT``, so a client that writes its own X-Forwarded-For changes neither.
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or with ``TRUSTED_PROXY_COUNT`` proxies in front of the portal, the
    entry of X-Forwarded-For the outermost of them appended (the rightmost entries are the proxies' own).

    An entry that is not an address (a misconfigured proxy) gives REMOTE_ADDR rather than junk.
    """
    remote_addr = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded_for = request.META.get("HTTP_X_FORWARDED_FOR")
    if not proxies or not forwarded_for:
        return remote_addr
    addresses = forwarded_for.split(",")
    candidate = addresses[-min(proxies, len(addresses))].strip()
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote_addr
