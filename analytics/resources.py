"""Spreadsheet import and export of sales: device asset, product SKU, slot position (optional), units, cash, time.

A sale is identified by its device, product and moment, so re-importing a sales file updates it
instead of counting the sales twice.
"""

from import_export import fields, widgets

from devices.models import Device
from devices.resources import LookupWidget, PortalResource
from planograms.models import PlanogramSlot, Product

from .models import Sale


class SlotPositionWidget(widgets.ForeignKeyWidget):
    """A slot named by its position among the slots of the row's device (the ``device`` column)."""

    def __init__(self):
        super().__init__(PlanogramSlot, "position")

    def get_queryset(self, value, row, *args, **kwargs):
        return PlanogramSlot.objects.filter(
            planogram__cabinet__device__in=Device.objects.filter(asset=row.get("device"))
        )

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value.strip() if isinstance(value, str) else value, row, **kwargs)
        except PlanogramSlot.DoesNotExist:
            raise ValueError(f"Device {row.get('device')} has no slot {value}.") from None
        except PlanogramSlot.MultipleObjectsReturned:
            raise ValueError(f"Device {row.get('device')} has a slot {value} in more than one cabinet.") from None


class SoldAtWidget(widgets.DateTimeWidget):
    """A date and time, read in the operator's time zone (``TIME_ZONE``)."""

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except ValueError:
            raise ValueError(f"“{value}” is not a date and time; write it as YYYY-MM-DD HH:MM:SS.") from None


class SaleResource(PortalResource):
    device = fields.Field(attribute="device", column_name="device", widget=LookupWidget(Device, "asset"))
    product = fields.Field(attribute="product", column_name="product", widget=LookupWidget(Product, "sku"))
    slot = fields.Field(attribute="slot", column_name="slot", widget=SlotPositionWidget())
    sold_at = fields.Field(attribute="sold_at", column_name="sold_at", widget=SoldAtWidget())

    class Meta:
        model = Sale
        fields = ("device", "product", "slot", "units", "cash_amount", "sold_at")
        import_id_fields = ("device", "product", "sold_at")
        clean_model_instances = True
        skip_unchanged = True
