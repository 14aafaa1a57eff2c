"""Writes of the accounts app: API tokens."""

from django.contrib.auth.base_user import AbstractBaseUser
from knox.models import get_token_model


def api_tokens_revoke_all(*, user: AbstractBaseUser) -> int:
    """Revoke every API token of ``user`` (each client must exchange the password again); answers how many."""
    revoked, _ = get_token_model().objects.filter(user=user).delete()
    return revoked
