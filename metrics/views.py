"""The driver's pages: my routes, a route's devices by urgency with its pick list, and that list as a PDF.

Drivers reach only their own routes (another route answers 404); every role that may see a route
reads it. Only those who may request a metrics run refresh it, and only those who may record a
service visit mark a cabinet serviced (drivers and managers, not viewers).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.views.decorators.http import require_POST

from devices.models import Cabinet, Device
from devices.selectors import routes_visible_to, sees_all_routes
from metrics.exports import pick_list_pdf_bytes
from metrics.forms import DeviceSelectionForm
from metrics.services.runs import metrics_run_request
from planograms.choices import RestockMode
from planograms.models import PlanogramSlot
from planograms.services.inventory import restock

from .choices import MetricsRunScope, MetricsRunStatus, Urgency
from .models import UrgencyThresholds
from .selectors import (
    oldest_metrics_calculation,
    route_devices_with_metrics,
    route_pick_list,
    routes_with_urgency_counts,
)

REQUEST_METRICS_RUN = "metrics.add_metricsrun"
RECORD_SERVICE_VISIT = "planograms.add_servicevisit"
# The pick list loads each slot's units to par, which fill it to capacity (UTP = capacity − quantity);
# a cabinet serviced from it is recorded as filled to capacity, not to the lower par level.
SERVICED_FROM_PICK_LIST = RestockMode.CAPACITY


@login_required
def my_routes(request):
    """The routes the user may see, each with its devices counted by urgency."""
    thresholds = UrgencyThresholds.current()
    # Explicit order: Meta.ordering does not apply to the grouped query the urgency counts make.
    routes = routes_visible_to(request.user).select_related("driver").order_by("number")
    routes = routes_with_urgency_counts(routes, thresholds)
    context = {"routes": routes, "thresholds": thresholds, "sees_all_routes": sees_all_routes(request.user)}
    return render(request, "routes/my_routes.html", context)


def _visible_route(request, pk):
    return get_object_or_404(routes_visible_to(request.user), pk=pk)


def _pick_list(route, devices, form) -> dict:
    """What the pick list shows for the devices ``form`` selected among ``devices``."""
    selected = set(form.selected_device_ids())
    lines = route_pick_list(route, selected)
    return {
        "form": form,
        "selected_devices": [device for device in devices if device.pk in selected],
        "selection_query": urlencode({"devices": sorted(selected)}, doseq=True),
        "pick_list": lines,
        "pick_list_total": sum(line["units_to_par"] for line in lines),
    }


def _requested_pick_list(request, pk) -> dict:
    """The pick list of the devices the query names, for the views that show only the list."""
    route = _visible_route(request, pk)
    devices = list(Device.objects.filter(route=route).order_by("asset").only("pk", "asset"))
    return {"route": route, **_pick_list(route, devices, DeviceSelectionForm(request.GET, devices=devices))}


@login_required
def route_detail(request, pk):
    """A route's devices, most urgent first, down to their slots, and the pick list for the chosen ones.

    Critical devices are chosen until the driver chooses otherwise (any query string is a choice).
    """
    route = _visible_route(request, pk)
    thresholds = UrgencyThresholds.current()
    devices = list(route_devices_with_metrics(route, thresholds))
    critical = [device.pk for device in devices if device.urgency == Urgency.CRITICAL]
    form = DeviceSelectionForm(request.GET or None, devices=devices, preselected=critical)
    context = {
        "route": route,
        "thresholds": thresholds,
        "devices": devices,
        "calculated_at": oldest_metrics_calculation(devices),
        "may_refresh": request.user.has_perm(REQUEST_METRICS_RUN),
        "may_record_service": request.user.has_perm(RECORD_SERVICE_VISIT),
        "serviced_as": SERVICED_FROM_PICK_LIST.label,
        "urgency_choices": Urgency.choices,
        **_pick_list(route, devices, form),
    }
    return render(request, "routes/route_detail.html", context, status=400 if form.errors else 200)


@login_required
def pick_list(request, pk):
    """The pick list alone, as an HTML fragment: what the route page's script swaps in as devices are chosen."""
    context = _requested_pick_list(request, pk)
    return render(request, "routes/_pick_list.html", context, status=400 if context["form"].errors else 200)


@login_required
def pick_list_pdf(request, pk):
    """The pick list of the chosen devices as a PDF to print or keep on the phone."""
    chosen = _requested_pick_list(request, pk)
    if chosen["form"].errors:
        return HttpResponse(chosen["form"].errors.as_text(), status=400, content_type="text/plain; charset=utf-8")
    route, now = chosen["route"], timezone.localtime()
    pdf = pick_list_pdf_bytes(
        route, chosen["selected_devices"], chosen["pick_list"], chosen["pick_list_total"], printed_at=now
    )
    filename = f"pick-list_route-{route.number}_{now:%Y-%m-%d}.pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


@require_POST
@login_required
@permission_required(REQUEST_METRICS_RUN, raise_exception=True)
def refresh(request, pk):
    """Recalculate the metrics of the route's devices, then go back to the route."""
    route = _visible_route(request, pk)
    device_ids = list(Device.objects.filter(route=route).values_list("pk", flat=True))
    if not device_ids:
        messages.info(request, "This route has no devices to recalculate.")
        return redirect("routes:route", pk=route.pk)
    run, _ = metrics_run_request(scope=MetricsRunScope.DEVICES, device_ids=device_ids, user=request.user)
    if run.status == MetricsRunStatus.FAILED:
        messages.error(request, "The recalculation failed; the metrics shown are from before it.")
    elif run.status == MetricsRunStatus.SUCCEEDED:
        devices = run.devices_processed
        messages.success(request, f"Recalculated the metrics of {devices} device{pluralize(devices)}.")
    else:
        messages.info(request, "Recalculation started; reload the page in a minute for fresh metrics.")
    return redirect("routes:route", pk=route.pk)


@require_POST
@login_required
@permission_required(RECORD_SERVICE_VISIT, raise_exception=True)
def cabinet_serviced(request, pk, cabinet_pk):
    """Record that a cabinet of the route was loaded from the pick list, then go back to the route."""
    route = _visible_route(request, pk)
    on_route = Cabinet.objects.filter(device__route=route, device__deleted_at__isnull=True).select_related("device")
    cabinet = get_object_or_404(on_route, pk=cabinet_pk)
    try:
        restock(
            slots=PlanogramSlot.objects.filter(planogram__cabinet=cabinet),
            mode=SERVICED_FROM_PICK_LIST,
            user=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        done = f"Cabinet {cabinet.index} of {cabinet.device.asset} marked serviced"
        messages.success(request, f"{done} ({SERVICED_FROM_PICK_LIST.label.lower()}).")
    return redirect("routes:route", pk=route.pk)
