"""The portal's front door: where ``/`` sends each role."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from analytics.api.permissions import VIEW_SALES


@login_required
def home(request):
    """Whoever may read sales lands on the asset sales dashboard; everyone else (drivers) on their routes."""
    if request.user.has_perm(VIEW_SALES):
        return redirect("analytics:dashboard")
    return redirect("routes:my_routes")
