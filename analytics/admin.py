"""Sales in the admin, browsable by date, with CSV/XLSX import and export."""

from django.contrib import admin

from cvd_portal.admin import ComputedDataAdmin, PortalImportExportAdmin, link_column
from devices.admin import SoftDeletedDevicesMixin

from .models import DailyProductSales, DeviceDailySales, Sale
from .resources import SaleResource


@admin.register(Sale)
class SaleAdmin(SoftDeletedDevicesMixin, PortalImportExportAdmin):
    resource_classes = [SaleResource]
    list_display = ("sold_at", "device_link", "product_link", "slot", "units", "cash_amount")
    list_filter = ("device__route", "product__category")
    list_select_related = ("device", "product", "slot")
    search_fields = ("device__asset", "product__sku", "product__name")
    autocomplete_fields = ("device", "product", "slot")
    date_hierarchy = "sold_at"
    # The sales table is the biggest one; skip counting all of it on every filtered page.
    show_full_result_count = False

    device_link = link_column("device", "device", ordering="device__asset")

    product_link = link_column("product", "product", ordering="product__name")


@admin.register(DailyProductSales)
class DailyProductSalesAdmin(ComputedDataAdmin):
    """The daily rollup, kept from the raw sales; shown for checking, never edited."""

    list_display = ("date", "device_link", "product_link", "units", "revenue", "transactions")
    list_filter = ("device__route", "product__category")
    list_select_related = ("device", "product")
    search_fields = ("device__asset", "product__sku", "product__name")
    date_hierarchy = "date"
    show_full_result_count = False

    device_link = link_column("device", "device", ordering="device__asset")

    product_link = link_column("product", "product", ordering="product__name")


@admin.register(DeviceDailySales)
class DeviceDailySalesAdmin(ComputedDataAdmin):
    """The device-day rollup the fleet reports read, summed from the daily product rollup; never edited."""

    list_display = ("date", "device_link", "units", "revenue", "transactions")
    list_filter = ("device__route",)
    list_select_related = ("device",)
    search_fields = ("device__asset",)
    date_hierarchy = "date"
    show_full_result_count = False

    device_link = link_column("device", "device", ordering="device__asset")
