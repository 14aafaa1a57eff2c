"""Moving models from one app to another in data migrations, permissions included.

A model moved between apps keeps its table and rows (``SeparateDatabaseAndState``); what Django
keys by app label must follow it: its content type, and so every permission granted on it.
"""


def content_types_move(apps, *, from_app: str, to_app: str, models: tuple[str, ...]) -> None:
    """Give ``models``' content types (and their permissions, with every grant) to ``to_app``.

    Where a migration in between already created the new app's content type, the grants of the
    old permissions move to the new ones of the same action, and the old content type goes.
    """
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    for model in models:
        old = ContentType.objects.filter(app_label=from_app, model=model).first()
        if old is None:
            continue
        new = ContentType.objects.filter(app_label=to_app, model=model).first()
        if new is None:
            old.app_label = to_app
            old.save(update_fields=["app_label"])
            continue
        for permission in Permission.objects.filter(content_type=old):
            replacement, _ = Permission.objects.get_or_create(
                content_type=new, codename=permission.codename, defaults={"name": permission.name}
            )
            replacement.group_set.add(*permission.group_set.all())
            replacement.user_set.add(*permission.user_set.all())
        old.delete()
