"""The analytics pages: the asset sales dashboard and the device detail page."""

from django.urls import path  # noqa: F401

app_name = "analytics"

urlpatterns = []
