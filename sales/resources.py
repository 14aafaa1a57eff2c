"""Spreadsheet import and export of sales: device asset, product SKU, slot position, units, cash, time, transaction id.

An import takes the path every sale takes: the file's rows are resolved together by
``sales_rows_resolve`` (the API's rules and messages, a fixed number of queries for the whole
file) and recorded together by ``sales_record`` (stock lowered, movements, rollups, metrics).
A row is skipped as a duplicate by the rule the API and DEX audits follow
(``sale_entries_already_recorded``): its device already recorded its ``transaction_id``, or an
earlier row has the same device and id. A row without a ``transaction_id`` is never a duplicate,
so a file imported twice records its rows without one twice; give them ids to import it again safely.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from import_export import fields, widgets

from devices.models import Device
from devices.resources import PortalResource
from planograms.models import PlanogramSlot, Product

from .models import Sale
from .services import SaleEntry, SaleRowsInvalid, sale_entries_already_recorded, sales_record, sales_rows_resolve

# A spreadsheet names devices and products (as the export writes them), never by id.
NAMED_COLUMNS = ("device", "product", "slot", "transaction_id")


class SaleResource(PortalResource):
    device = fields.Field(attribute="device", column_name="device", widget=widgets.ForeignKeyWidget(Device, "asset"))
    product = fields.Field(attribute="product", column_name="product", widget=widgets.ForeignKeyWidget(Product, "sku"))
    slot = fields.Field(
        attribute="slot", column_name="slot", widget=widgets.ForeignKeyWidget(PlanogramSlot, "position")
    )

    class Meta:
        model = Sale
        fields = ("device", "product", "slot", "units", "cash_amount", "sold_at", "transaction_id")
        # Every row is a new sale (no per-row lookup); sales_record writes them all at the end.
        force_init_instance = True
        use_bulk = True
        batch_size = None

    def before_import(self, dataset, **kwargs):
        """Resolve every row at once; remember each row's sale, its errors, or that it is already recorded."""
        self.user = kwargs.get("user")
        rows = {number: dict(zip(dataset.headers, values, strict=True)) for number, values in enumerate(dataset, 1)}
        # Spreadsheets often end in empty lines; they are not rows to resolve (skip_row skips them).
        rows = {number: row for number, row in rows.items() if any(value not in (None, "") for value in row.values())}
        raw = [
            {name: _spreadsheet_value(name, value) for name, value in row.items() if name is not None}
            for row in rows.values()
        ]
        numbers = list(rows)
        self.entries, self.row_errors, self.already_recorded = {}, {}, set()
        try:
            entries = sales_rows_resolve(raw)
        except SaleRowsInvalid as invalid:
            self.row_errors = {numbers[index]: errors for index, errors in invalid.row_errors.items()}
        else:
            self.entries = dict(zip(numbers, entries, strict=True))
            # Shown as skipped in the preview; sales_record applies the same rule again under the devices' lock.
            self.already_recorded = {numbers[index] for index in sale_entries_already_recorded(entries)}

    def import_instance(self, instance, row, **kwargs):
        number = kwargs["row_number"]
        if number in self.row_errors:
            raise ValidationError(
                {
                    (NON_FIELD_ERRORS if field == "non_field_errors" else field): messages
                    for field, messages in self.row_errors[number].items()
                }
            )
        self.row_number = number
        entry = self.entries.get(number)
        if entry is not None:
            for name, value in entry.__dict__.items():
                setattr(instance, name, value)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if not import_validation_errors and self.row_number in self.already_recorded:
            return True
        return super().skip_row(instance, original, row, import_validation_errors)

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        """Record the file's new sales through ``sales_record``, in the import's transaction.

        A file with a bad row records nothing (its other rows were not resolved).
        """
        if not self.create_instances or self.row_errors:
            self.create_instances.clear()
            return
        entries = [
            SaleEntry(**{name: getattr(sale, name) for name in SaleEntry.__dataclass_fields__})
            for sale in self.create_instances
        ]
        try:
            sales_record(entries=entries, user=self.user)
        except Exception as error:  # reported as the import's error; the whole file is rolled back
            self.handle_import_error(result, error, raise_errors)
        finally:
            self.create_instances.clear()


def _spreadsheet_value(column: str, value):
    """A cell as ``sales_rows_resolve`` reads it: names as strings, even when a spreadsheet typed them as numbers."""
    if column in NAMED_COLUMNS and isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else str(value)
    return value
