"""The plan pages, beside the route pages under /routes/: a route's plan for a day and its pre-kit."""

from django.urls import path

from . import views

app_name = "planning"

urlpatterns = [
    path("<int:pk>/plan/", views.route_plan_page, name="plan"),
    path("<int:pk>/plan/prekit/", views.prekit_page, name="prekit"),
    path("<int:pk>/plan/prekit.csv", views.prekit_csv, name="prekit_csv"),
    path("<int:pk>/plan/prekit.pdf", views.prekit_pdf, name="prekit_pdf"),
]
