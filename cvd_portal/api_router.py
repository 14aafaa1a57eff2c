"""Every API resource under /api/, registered in one router."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from accounts.api.views import LogoutAllView, LogoutView, ObtainTokenView
from analytics.api.asset_sales import AssetSalesView
from analytics.api.comparisons import LocationPerformanceView, TopPerformersView, WeeklySalesView
from analytics.api.device_analysis import DeviceAnalysisView
from analytics.api.exports import AssetSalesExportView
from devices.api.views import (
    CabinetTypeViewSet,
    CabinetViewSet,
    DeviceTypeViewSet,
    DeviceViewSet,
    LocationViewSet,
)
from metrics.api.views import MetricsCalculateView, MetricsRunViewSet, RouteDevicesView, RouteViewSet
from planning.api.alerts import MachineAlertsView
from planning.api.views import RoutePlanView
from planograms.api.inventory_views import InventoryMovementViewSet, RestockView
from planograms.api.views import PlanogramSlotViewSet, PlanogramViewSet, ProductViewSet
from sales.api.dex import DexImportView
from sales.api.views import SaleViewSet

router = DefaultRouter()
router.register("locations", LocationViewSet, basename="locations")
router.register("routes", RouteViewSet, basename="routes")
router.register("device-types", DeviceTypeViewSet, basename="device-types")
router.register("cabinet-types", CabinetTypeViewSet, basename="cabinet-types")
router.register("devices", DeviceViewSet, basename="devices")
router.register("cabinets", CabinetViewSet, basename="cabinets")
router.register("products", ProductViewSet, basename="products")
router.register("planograms", PlanogramViewSet, basename="planograms")
router.register("planogram-slots", PlanogramSlotViewSet, basename="planogram-slots")
router.register("sales", SaleViewSet, basename="sales")
router.register("metrics/runs", MetricsRunViewSet, basename="metrics-runs")
router.register("inventory-movements", InventoryMovementViewSet, basename="inventory-movements")

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="auth-token"),
    path("auth/logout/", LogoutView.as_view(), name="auth-logout"),
    path("auth/logout-all/", LogoutAllView.as_view(), name="auth-logout-all"),
    path("metrics/calculate", MetricsCalculateView.as_view(), name="metrics-calculate"),
    path("restocks", RestockView.as_view(), name="restocks"),
    path("routes/<int:pk>/devices", RouteDevicesView.as_view(), name="route-devices"),
    path("routes/<int:pk>/plan", RoutePlanView.as_view(), name="route-plan"),
    path("planning/alerts", MachineAlertsView.as_view(), name="machine-alerts"),
    path("analytics/asset-sales", AssetSalesView.as_view(), name="asset-sales"),
    path("analytics/asset-sales/export", AssetSalesExportView.as_view(), name="asset-sales-export"),
    path("analytics/locations", LocationPerformanceView.as_view(), name="analytics-locations"),
    path("analytics/top-performers", TopPerformersView.as_view(), name="analytics-top-performers"),
    path("analytics/weekly", WeeklySalesView.as_view(), name="analytics-weekly"),
    path("analytics/devices/<int:pk>/analysis", DeviceAnalysisView.as_view(), name="device-analysis"),
    path("dex", DexImportView.as_view(), name="dex-import"),
    *router.urls,
]
