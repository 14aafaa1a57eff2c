"""The driver's pages: my routes, a route's devices by urgency, and the pick list."""

from django.urls import path  # noqa: F401

app_name = "routes"

urlpatterns = []
