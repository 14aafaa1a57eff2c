"""Spreadsheet import and export of the catalogue and of planogram slots.

Products are named by SKU; a slot by its device's asset, its cabinet index and its position,
e.g. ``device=A10001, cabinet=1, position=B4``.
"""

from import_export import fields, widgets

from devices.models import Device
from devices.resources import LookupWidget, PortalResource

from .models import Planogram, PlanogramSlot, Product


class PlanogramWidget(widgets.ForeignKeyWidget):
    """The planogram of a device's cabinet: the value is the asset, the row's ``cabinet`` column the index.

    A blank or missing cabinet means the first (parent) cabinet, which is all most machines have.
    """

    def __init__(self):
        super().__init__(Planogram, "cabinet__device__asset")

    def clean(self, value, row=None, **kwargs):
        asset = value.strip() if isinstance(value, str) else value
        if asset in (None, ""):
            return None
        raw_index = (row or {}).get("cabinet")
        try:
            index = widgets.IntegerWidget().clean(raw_index) or 1
        except (ValueError, ArithmeticError):
            raise ValueError(f"Cabinet “{raw_index}” is not a cabinet number.") from None
        try:
            return Planogram.objects.get(cabinet__device__in=Device.objects.filter(asset=asset), cabinet__index=index)
        except Planogram.DoesNotExist:
            if not Device.objects.filter(asset=asset).exists():
                raise ValueError(f"No device with asset “{asset}”.") from None
            raise ValueError(f"Device {asset} has no planogram for cabinet {index}.") from None


class ProductResource(PortalResource):
    class Meta:
        model = Product
        fields = ("sku", "name", "category", "price", "barcode", "case_pack")
        import_id_fields = ("sku",)
        clean_model_instances = True
        skip_unchanged = True


class PlanogramSlotResource(PortalResource):
    planogram = fields.Field(attribute="planogram", column_name="device", widget=PlanogramWidget())
    cabinet = fields.Field(
        attribute="planogram__cabinet__index", column_name="cabinet", readonly=True, widget=widgets.IntegerWidget()
    )
    product = fields.Field(attribute="product", column_name="product", widget=LookupWidget(Product, "sku"))

    class Meta:
        model = PlanogramSlot
        fields = ("planogram", "cabinet", "position", "product", "quantity", "capacity", "par_level", "price")
        import_id_fields = ("planogram", "position")
        clean_model_instances = True
        skip_unchanged = True
