"""The driver's pages: my routes, a route's devices by urgency, and the pick list."""

from django.urls import path

from . import views

app_name = "routes"

urlpatterns = [
    path("", views.my_routes, name="my_routes"),
    path("<int:pk>/", views.route_detail, name="route"),
    path("<int:pk>/pick-list/", views.pick_list, name="pick_list"),
    path("<int:pk>/pick-list.pdf", views.pick_list_pdf, name="pick_list_pdf"),
    path("<int:pk>/refresh/", views.refresh, name="refresh"),
    path("<int:pk>/cabinets/<int:cabinet_pk>/serviced/", views.cabinet_serviced, name="cabinet_serviced"),
]
