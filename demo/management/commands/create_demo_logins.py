"""Give the demo fleet one login per role, with fresh random passwords printed once."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from accounts import roles

DEMO_LOGINS = (
    ("demo", None),
    ("manager", roles.MANAGER),
    ("viewer", roles.VIEWER),
)


class Command(BaseCommand):
    help = "Create (or reset) demo logins for each role and print their one-time passwords. Never for production."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo logins are for local demos only (DEBUG is off).")
        User = get_user_model()
        lines = []
        for username, role in DEMO_LOGINS:
            user, _ = User.objects.get_or_create(username=username)
            user.is_staff = True
            user.is_superuser = role is None
            user.set_password(password := secrets.token_urlsafe(9))
            user.save()
            if role:
                user.groups.set([Group.objects.get(name=role)])
            lines.append((username, role or "superuser", password))
        driver = User.objects.filter(groups__name=roles.DRIVER, routes__isnull=False).order_by("username").first()
        if driver:
            driver.set_password(password := secrets.token_urlsafe(9))
            driver.save(update_fields=["password"])
            lines.append((driver.username, roles.DRIVER, password))
        self.stdout.write(self.style.SUCCESS("Demo logins (passwords change on every run):"))
        for username, role, password in lines:
            self.stdout.write(f"  {username:<10} {role:<10} {password}")
