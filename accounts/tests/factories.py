import factory
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from knox.models import get_token_model

from accounts.roles import STAFF_ROLES, sync_role_groups


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("portal-pass-123")

    @factory.post_generation
    def role(user, create, extracted, **kwargs):
        """``UserFactory(role="Manager")`` puts the user in that role's group (staff for staff roles)."""
        if not create or not extracted:
            return
        if not Group.objects.filter(name=extracted).exists():
            # A transactional test (live server, real commits) flushes what the migrations wrote.
            sync_role_groups(apps)
        user.groups.add(Group.objects.get(name=extracted))
        if extracted in STAFF_ROLES:
            user.is_staff = True
            user.save(update_fields=["is_staff"])


def api_token(user) -> str:
    """A new API token for ``user``, as ``POST /api/auth/token/`` makes one (``Authorization: Token <it>``)."""
    _, token = get_token_model().objects.create(user=user)
    return token
