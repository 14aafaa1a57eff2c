"""Bases for the API viewsets: declarative CRUD over a queryset, narrowed to the rows the user may see."""

from collections.abc import Callable

from django.db.models import QuerySet
from rest_framework import viewsets


class VisibleRowsMixin:
    """Narrows the declared ``queryset`` to the rows the selector ``visible_to(user)`` returns.

    The declared queryset carries the ``select_related``/``prefetch_related`` for the serializer and
    names the model for permissions and the schema; the selector holds the rule (a driver's own routes).
    """

    visible_to: Callable[..., QuerySet] | None = None

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.visible_to is None:
            return queryset
        # ``&`` adds the selector's filters to the declared queryset and keeps its joins and prefetches.
        return queryset & self.visible_to(self.request.user)


class PortalModelViewSet(VisibleRowsMixin, viewsets.ModelViewSet):
    """List, retrieve, create, update and delete, over the rows the user may see."""


class PortalReadOnlyModelViewSet(VisibleRowsMixin, viewsets.ReadOnlyModelViewSet):
    """List and retrieve, over the rows the user may see."""
