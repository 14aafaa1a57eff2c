from rest_framework.permissions import BasePermission

VIEW_SALES = "sales.view_sale"


class CanViewSales(BasePermission):
    """Roles that may read sales (``sales.view_sale``); a driver may not, an anonymous caller must log in."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.has_perm(VIEW_SALES))
