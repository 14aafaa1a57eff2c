from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from sales.api.permissions import VIEW_SALES

from .celery import app, broker_configured


@login_required
def home(request):
    """Whoever may read sales lands on the asset sales dashboard; everyone else (drivers) on their routes."""
    if request.user.has_perm(VIEW_SALES):
        return redirect("analytics:dashboard")
    return redirect("routes:my_routes")


@never_cache
@require_GET
def healthz(request):
    """Liveness for load balancers: the database answers, and the broker when one is configured."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as error:  # any failure means unhealthy; report it instead of raising
        checks["database"] = f"error: {error.__class__.__name__}"
    if broker_configured():
        try:
            with app.connection_for_write(settings.CELERY_BROKER_URL) as broker:
                broker.ensure_connection(max_retries=1, timeout=2)
            checks["broker"] = "ok"
        except Exception as error:
            checks["broker"] = f"error: {error.__class__.__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)


@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico on every page that names no icon (the admin, the API docs)."""
    return redirect(static("favicon.svg"), permanent=True)


def not_found(request, exception):
    """Under /api/ the API's own JSON 404 (a client parsing JSON must not meet the HTML page); elsewhere
    the branded page. Reached when no URL matches, e.g. ``/api/products/abc/`` (ids are whole numbers)."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)
