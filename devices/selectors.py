"""Reads of the fleet, scoped to what the asking user may see."""

from django.db.models import QuerySet

from .models import Cabinet, Device, Location, Route

VIEW_ALL_ROUTES = "devices.view_all_routes"


def sees_all_routes(user) -> bool:
    """Staff roles see the whole fleet; a driver sees only the routes assigned to them."""
    return user.has_perm(VIEW_ALL_ROUTES)


def routes_visible_to(user) -> QuerySet[Route]:
    routes = Route.objects.all()
    return routes if sees_all_routes(user) else routes.filter(driver=user)


def devices_visible_to(user) -> QuerySet[Device]:
    """Active devices the user may see (soft-deleted devices are never part of the fleet)."""
    devices = Device.objects.all()
    return devices if sees_all_routes(user) else devices.filter(route__driver=user)


def cabinets_visible_to(user) -> QuerySet[Cabinet]:
    """Cabinets of the devices the user may see."""
    return Cabinet.objects.filter(device__in=devices_visible_to(user))


def locations_visible_to(user) -> QuerySet[Location]:
    """Every location for staff; for a driver, the locations of the devices they may see."""
    locations = Location.objects.all()
    if sees_all_routes(user):
        return locations
    return locations.filter(pk__in=devices_visible_to(user).values("location"))
