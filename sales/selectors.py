"""Reads of sales, scoped to what the asking user may see."""

from django.db.models import QuerySet

from devices.selectors import devices_visible_to

from .models import Sale


def sales_visible_to(user) -> QuerySet[Sale]:
    """Sales of the devices the user may see; a retired device's sales are kept but leave the fleet's reads."""
    return Sale.objects.filter(device__in=devices_visible_to(user))
