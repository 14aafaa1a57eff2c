"""The driver's plan pages: a route's day as stops in driving order, and the pre-kit for the van (page,
CSV and PDF).

Drivers reach only their own routes (another route answers 404); every role that may see a route reads
its plan. The day comes from ``?date=`` by the API's rule (``RoutePlanParamsSerializer``): by default
the route's next service day on or after today; a day in the past or beyond the forecast answers 400.
"""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.http import content_disposition_header

from devices.selectors import routes_visible_to
from planograms.models import ServiceVisit
from sales.services import local_midnight

from .api.serializers import PLAN_DAYS_AHEAD, RoutePlanParamsSerializer
from .exports import (
    CSV_CONTENT_TYPE,
    attention_status,
    plan_stops,
    prekit_csv_bytes,
    prekit_filename,
    prekit_pdf_bytes,
    warehouse_lines,
)
from .selectors import route_plan


def _serviced_device_ids(device_ids, day: dt.date) -> set[int]:
    """The devices among ``device_ids`` with a service visit on ``day`` (local), in one query."""
    visits = ServiceVisit.objects.filter(
        device_id__in=device_ids,
        performed_at__gte=local_midnight(day),
        performed_at__lt=local_midnight(day + dt.timedelta(days=1)),
    )
    return set(visits.values_list("device_id", flat=True).distinct())


def _machines(plan):
    """Every machine of the plan's route: its stops, those left for later and those the office must see."""
    yield from (decision.machine for decision in (*plan.stops, *plan.skipped))
    yield from plan.attention


def _requested_plan(request, pk) -> dict:
    """The visible route and, for the day ``?date=`` asks for, its plan; or the day's field errors."""
    route = get_object_or_404(routes_visible_to(request.user), pk=pk)
    now = timezone.now()
    today = timezone.localdate(now)
    params = RoutePlanParamsSerializer(data=request.GET, context={"route": route, "today": today})
    context = {
        "route": route,
        "today": today,
        "last_day": today + dt.timedelta(days=PLAN_DAYS_AHEAD),
        "generated_at": now,
        "date_errors": [],
        "plan": None,
    }
    if not params.is_valid():
        context["date_errors"] = params.errors["date"]
        context["requested_date"] = request.GET.get("date", "")
        return context
    plan = route_plan(route, day=params.validated_data["date"], now=now)
    context["plan"] = plan
    context["requested_date"] = plan.day.isoformat()
    return context


def _date_refused(request, context) -> HttpResponse:
    return render(request, "planning/plan_day_refused.html", context, status=400)


# Compressed here until the portal compresses every answer (GZipMiddleware): a phone on a weak signal
# loads the plan of a long route in a few seconds.
@login_required
def route_plan_page(request, pk):
    """The driver's page is the plan: the day's stops in driving order, each with its directions, why it is
    a stop and (folded) what to load into each slot; how many are serviced so far; and for the office the
    machines left for later and those to look at."""
    context = _requested_plan(request, pk)
    plan = context["plan"]
    if plan is None:
        return _date_refused(request, context)
    stops = plan_stops(plan)
    machines = {machine.device_id: machine for machine in _machines(plan)}
    serviced = _serviced_device_ids(list(machines), plan.day)
    # The plan is made afresh from the stock now, so a stop refilled today no longer needs a visit and
    # leaves it; it was on the day's round all the same, so it still counts, listed apart.
    on_plan = {stop.machine.device_id for stop in stops}
    serviced_off_plan = sorted((machines[device] for device in serviced - on_plan), key=lambda machine: machine.asset)
    context |= {
        "stops": stops,
        "serviced": serviced,
        "serviced_off_plan": serviced_off_plan,
        "round_size": len(stops) + len(serviced_off_plan),
        "distance_km": plan.distance_m / 1000,
        "attention": [(machine, attention_status(machine)) for machine in plan.attention],
    }
    return render(request, "planning/plan.html", context)


@login_required
def prekit_page(request, pk):
    """The pre-kit: a bag a stop (labelled with its number, asset and location) and the warehouse's totals."""
    context = _requested_plan(request, pk)
    plan = context["plan"]
    if plan is None:
        return _date_refused(request, context)
    warehouse = warehouse_lines(plan)
    context |= {
        "stops": plan_stops(plan),
        "warehouse": warehouse,
        "warehouse_units": sum(line.units for line in warehouse),
    }
    return render(request, "planning/prekit.html", context)


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def _refused_as_text(context) -> HttpResponse:
    return HttpResponse(" ".join(context["date_errors"]), status=400, content_type="text/plain; charset=utf-8")


@login_required
def prekit_csv(request, pk):
    """The pre-kit as CSV: stop, asset, location, position, product and load of every slot that gets units."""
    context = _requested_plan(request, pk)
    plan = context["plan"]
    if plan is None:
        return _refused_as_text(context)
    return _download(prekit_csv_bytes(plan), CSV_CONTENT_TYPE, prekit_filename(context["route"], plan, "csv"))


@login_required
def prekit_pdf(request, pk):
    """The pre-kit as a PDF to print for the warehouse: a section a machine, then the totals."""
    context = _requested_plan(request, pk)
    plan = context["plan"]
    if plan is None:
        return _refused_as_text(context)
    pdf = prekit_pdf_bytes(context["route"], plan, printed_at=timezone.localtime(context["generated_at"]))
    return _download(pdf, "application/pdf", prekit_filename(context["route"], plan, "pdf"))
