"""Every admin action, the portal's and the third-party apps' (Celery beat, tokens, login lockouts), asks for a
permission, and a manager, who may only read the Celery schedules, can neither switch nor run them."""

import json

import pytest
from celery.app.task import Task
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import RequestFactory
from django.urls import reverse
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

pytestmark = pytest.mark.django_db

BEAT_ACTIONS = ("enable_tasks", "disable_tasks", "toggle_tasks", "run_tasks")
CHANGELIST = "admin:django_celery_beat_periodictask_changelist"


@pytest.fixture
def schedules():
    """One enabled and one disabled schedule of a real task."""
    every = IntervalSchedule.objects.create(every=15, period=IntervalSchedule.MINUTES)
    return [
        PeriodicTask.objects.create(
            name=f"schedule {enabled}",
            task="metrics.tasks.request_metrics_recalculation",
            interval=every,
            enabled=enabled,
        )
        for enabled in (True, False)
    ]


@pytest.fixture
def sent_tasks(monkeypatch):
    """What "Run selected tasks" would send to the workers, recorded instead of sent."""
    sent = []
    monkeypatch.setattr(Task, "apply_async", lambda task, *args, **kwargs: sent.append(task.name))
    return sent


def enabled(schedules):
    return {task.name: task.enabled for task in PeriodicTask.objects.filter(pk__in=[task.pk for task in schedules])}


def offered_actions(client):
    action_form = client.get(reverse(CHANGELIST)).context["action_form"]
    return set() if action_form is None else set(dict(action_form.fields["action"].choices)) - {""}


def run_action(client, action, tasks):
    return client.post(
        reverse(CHANGELIST), {"action": action, ACTION_CHECKBOX_NAME: [task.pk for task in tasks]}, follow=True
    )


def test_a_manager_reads_the_schedules_but_is_offered_no_action(client, manager, schedules):
    client.force_login(manager)

    assert client.get(reverse(CHANGELIST)).status_code == 200
    assert offered_actions(client) == set()


@pytest.mark.parametrize("action", BEAT_ACTIONS)
def test_a_manager_cannot_switch_or_run_a_schedule(client, manager, schedules, sent_tasks, action):
    client.force_login(manager)

    run_action(client, action, schedules)

    assert enabled(schedules) == {"schedule True": True, "schedule False": False}
    assert sent_tasks == []


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("enable_tasks", {"schedule True": True, "schedule False": True}),
        ("disable_tasks", {"schedule True": False, "schedule False": False}),
        ("toggle_tasks", {"schedule True": False, "schedule False": True}),
    ],
)
def test_the_admin_role_switches_schedules(client, portal_admin, schedules, action, expected):
    client.force_login(portal_admin)

    assert set(BEAT_ACTIONS) <= offered_actions(client)
    run_action(client, action, schedules)

    assert enabled(schedules) == expected


def test_the_admin_role_runs_a_schedule(client, portal_admin, schedules, sent_tasks):
    client.force_login(portal_admin)

    run_action(client, "run_tasks", schedules[:1])

    assert sent_tasks == ["metrics.tasks.request_metrics_recalculation"]


def test_a_manager_cannot_delete_schedules_through_an_action(client, manager):
    crontab = CrontabSchedule.objects.create(minute="10", hour="0")
    client.force_login(manager)

    response = client.post(
        reverse("admin:django_celery_beat_crontabschedule_changelist"),
        {"action": "delete_selected", ACTION_CHECKBOX_NAME: [crontab.pk], "post": "yes"},
    )

    assert response.status_code in (200, 302, 403)
    assert CrontabSchedule.objects.filter(pk=crontab.pk).exists()


def test_the_schedule_form_keeps_its_readable_crontabs_without_inline_script(client, portal_admin, schedules):
    crontab = CrontabSchedule.objects.create(minute="10", hour="0")
    client.force_login(portal_admin)

    page = client.get(reverse("admin:django_celery_beat_periodictask_change", args=[schedules[0].pk])).content.decode()

    assert '<script id="readable-crontabs" type="application/json">' in page
    assert json.loads(page.split('<script id="readable-crontabs" type="application/json">')[1].split("</script>")[0])[
        str(crontab.pk)
    ]
    assert "<script>" not in page
    assert '<script id="periodic-task-overrides">' not in page


def superuser_request(admin_user):
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    return request


def test_every_admin_action_asks_for_a_permission(admin_user):
    """Django runs an action without ``allowed_permissions`` for anyone who can open the changelist (view);
    only ``delete_selected`` checks its own (delete). Every other action must name what it needs."""
    request = superuser_request(admin_user)
    unguarded = [
        f"{model._meta.label}.{name}"
        for model, model_admin in admin.site._registry.items()
        for name, (function, *_) in model_admin.get_actions(request).items()
        if name != "delete_selected" and not getattr(function, "allowed_permissions", ())
    ]

    assert unguarded == []


@pytest.mark.parametrize(
    ("model_label", "action", "permission"),
    [
        ("django_celery_beat.PeriodicTask", "enable_tasks", "change"),
        ("django_celery_beat.PeriodicTask", "disable_tasks", "change"),
        ("django_celery_beat.PeriodicTask", "toggle_tasks", "change"),
        ("django_celery_beat.PeriodicTask", "run_tasks", "change"),
        ("axes.AccessAttempt", "cleanup_expired_attempts", "delete"),
    ],
)
def test_third_party_actions_need_the_permission_the_report_lists(admin_user, model_label, action, permission):
    from django.apps import apps

    model_admin = admin.site._registry[apps.get_model(model_label)]
    function = model_admin.get_actions(superuser_request(admin_user))[action][0]

    assert tuple(function.allowed_permissions) == (permission,)
