"""A password change revokes the user's API tokens, whatever path changed it.

The stored hash is compared before and after every save of a user, as Django's own session check does
(a session dies when the hash it was issued under changes): the admin's password form, ``changepassword``,
a password reset, ``set_password()`` followed by ``save()``, and marking the password unusable all go
through ``save()``.
"""

from django.conf import settings
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from .services import api_tokens_revoke_all


def _is_hash_upgrade(user, update_fields) -> bool:
    """Whether this save only re-hashes the same password with a stronger hasher.

    ``check_password`` does that at login: it calls ``set_password``, clears ``_password`` ("password hash
    upgrades shouldn't be considered password changes", Django says there) and saves ``password`` alone.
    """
    return update_fields is not None and set(update_fields) == {"password"} and getattr(user, "_password", None) is None


@receiver(pre_save, sender=settings.AUTH_USER_MODEL)
def note_a_password_change(sender, instance, raw, update_fields, **kwargs):
    instance._api_tokens_stale = False
    if raw or instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and "password" not in update_fields:
        return
    if _is_hash_upgrade(instance, update_fields):
        return
    stored = sender._default_manager.filter(pk=instance.pk).values_list("password", flat=True).first()
    instance._api_tokens_stale = stored is not None and stored != instance.password


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def revoke_api_tokens_after_a_password_change(sender, instance, **kwargs):
    if getattr(instance, "_api_tokens_stale", False):
        instance._api_tokens_stale = False
        api_tokens_revoke_all(user=instance)
