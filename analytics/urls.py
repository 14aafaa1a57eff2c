"""The analytics pages: the asset sales dashboard and the device detail page."""

from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("devices/<int:pk>/", views.device_detail, name="device"),
]
