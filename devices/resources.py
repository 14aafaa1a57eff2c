"""Spreadsheet import and export of the fleet, keyed by what people have in their sheets.

Devices are named by asset number, routes by route number, locations and device types by name,
drivers by username. ``PortalResource`` and ``LookupWidget`` are shared by every app's resources.
"""

import tablib
from django.contrib.auth import get_user_model
from django.core.exceptions import MultipleObjectsReturned, ValidationError
from import_export import fields, resources, widgets

from cvd_portal.spreadsheets import formula_restored, spreadsheet_text

from .models import Device, DeviceType, Location, Route


class LookupWidget(widgets.ForeignKeyWidget):
    """A foreign key given by a natural key; a value that names nothing is an error of that field."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, str):
            value = value.strip()
        try:
            return super().clean(value, row, **kwargs)
        except self.model.DoesNotExist:
            raise ValueError(f"No {self.noun} with {self.key} “{value}”.") from None
        except self.model.MultipleObjectsReturned:
            raise ValueError(f"More than one {self.noun} has {self.key} “{value}”.") from None

    @property
    def noun(self):
        return self.model._meta.verbose_name

    @property
    def key(self):
        return self.model._meta.get_field(self.field).verbose_name


# Their cells are numbers, dates or yes/no, rendered as the import reads them back: "-87.5" is no formula.
NOT_TEXT_WIDGETS = (
    widgets.NumberWidget,
    widgets.BooleanWidget,
    widgets.DateWidget,
    widgets.DateTimeWidget,
    widgets.TimeWidget,
    widgets.DurationWidget,
)


class PortalResource(resources.ModelResource):
    """A model resource whose bad rows all become row errors that name the field, never exceptions.

    Subclasses set ``clean_model_instances = True`` so that field validators, ``clean()`` and the
    model's constraints judge every row before it is saved. Exported text is written as every
    export writes it (``cvd_portal.spreadsheets``): a name like ``=HYPERLINK(...)`` never becomes a
    live formula (it is written ``'=HYPERLINK(...)``, and imported back as it was), and a control
    character XLSX cannot hold does not fail the export.
    """

    def import_data(self, dataset, *args, **kwargs):
        # A file the portal exported holds neutralised text ("'=..."): it imports as the text it was.
        restored = tablib.Dataset(headers=dataset.headers)
        for row in dataset:
            restored.append([formula_restored(value) if isinstance(value, str) else value for value in row])
        return super().import_data(restored, *args, **kwargs)

    def export_field(self, field, instance, **kwargs):
        value = super().export_field(field, instance, **kwargs)
        if isinstance(value, str) and not isinstance(field.widget, NOT_TEXT_WIDGETS):
            return spreadsheet_text(value)
        return value

    def get_instance(self, instance_loader, row):
        try:
            return super().get_instance(instance_loader, row)
        except ValueError:
            # An identifying column that names nothing or does not parse: treat the row as new, and
            # import_instance() reports the column at fault.
            return None
        except MultipleObjectsReturned:
            columns = ", ".join(self.fields[name].column_name for name in self.get_import_id_fields())
            raise ValidationError(
                f"More than one {self._meta.model._meta.verbose_name} matches this row's {columns}; "
                "make them distinct before importing."
            ) from None

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        try:
            super().import_field(field, instance, row, is_m2m, **kwargs)
        except ArithmeticError:
            # decimal.InvalidOperation from the number widgets; a ValueError makes it a field error.
            raise ValueError(f"“{row[field.column_name]}” is not a number.") from None

    def skip_row(self, instance, original, row, import_validation_errors=None):
        # Spreadsheets often end in empty lines; they are not rows to validate.
        if all(value in (None, "") for value in row.values()):
            return True
        return super().skip_row(instance, original, row, import_validation_errors)


class LocationResource(PortalResource):
    class Meta:
        model = Location
        fields = ("name", "address", "venue_type", "latitude", "longitude")
        import_id_fields = ("name",)
        clean_model_instances = True
        skip_unchanged = True


class RouteResource(PortalResource):
    driver = fields.Field(attribute="driver", column_name="driver", widget=LookupWidget(get_user_model(), "username"))

    class Meta:
        model = Route
        fields = ("number", "name", "driver")
        import_id_fields = ("number",)
        clean_model_instances = True
        skip_unchanged = True


class DeviceResource(PortalResource):
    device_type = fields.Field(
        attribute="device_type", column_name="device_type", widget=LookupWidget(DeviceType, "name")
    )
    location = fields.Field(attribute="location", column_name="location", widget=LookupWidget(Location, "name"))
    route = fields.Field(attribute="route", column_name="route", widget=LookupWidget(Route, "number"))

    class Meta:
        model = Device
        fields = ("asset", "cooler", "model", "serial_number", "device_type", "location", "route")
        import_id_fields = ("asset",)
        clean_model_instances = True
        skip_unchanged = True

    def get_queryset(self):
        # A soft-deleted device keeps its (unique) asset number, so a row naming it must find it.
        return Device.all_objects.all()

    def after_init_instance(self, instance, new, row, **kwargs):
        if not new and instance.is_deleted:
            raise ValidationError({"asset": f"Device {instance.asset} is deleted; restore it before importing it."})
