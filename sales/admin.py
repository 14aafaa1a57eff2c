"""Sales in the admin, browsable by date, with CSV/XLSX import and export; DEX audits uploaded and voided."""

import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import content_disposition_header

from cvd_portal.admin import CalendarDateHierarchyMixin, ComputedDataAdmin, PortalImportExportAdmin, link_column
from cvd_portal.moments import validate_event_moment
from devices.admin import SoftDeletedDevicesMixin

from .choices import DexImportStatus
from .dex.services import dex_file_size_validate, dex_import, dex_import_issues, dex_import_void
from .models import DailyProductSales, DeviceDailySales, DexImport, DexReading, Sale
from .resources import SaleResource


@admin.register(Sale)
class SaleAdmin(CalendarDateHierarchyMixin, SoftDeletedDevicesMixin, PortalImportExportAdmin):
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

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "sold_at":
            # When a sale can have happened: the rule the API and the import hold sales to.
            field.validators.append(validate_event_moment)
        return field


@admin.register(DailyProductSales)
class DailyProductSalesAdmin(CalendarDateHierarchyMixin, ComputedDataAdmin):
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
class DeviceDailySalesAdmin(CalendarDateHierarchyMixin, ComputedDataAdmin):
    """The device-day rollup the fleet reports read, summed from the daily product rollup; never edited."""

    list_display = ("date", "device_link", "units", "revenue", "transactions")
    list_filter = ("device__route",)
    list_select_related = ("device",)
    search_fields = ("device__asset",)
    date_hierarchy = "date"
    show_full_result_count = False

    device_link = link_column("device", "device", ordering="device__asset")


class DexUploadForm(forms.Form):
    file = forms.FileField(label="DEX audit file", help_text="An EVA-DTS audit as read from the machine.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        dex_file_size_validate(upload.size)
        return upload


class DexVoidActionForm(helpers.ActionForm):
    reason = forms.CharField(
        required=False, max_length=500, label="Reason", help_text="Why the selected imports are voided."
    )


@admin.register(DexImport)
class DexImportAdmin(CalendarDateHierarchyMixin, admin.ModelAdmin):
    """Uploaded DEX audits: adding one is uploading a file (``dex_import``); each is read, never edited.

    The one change an import takes is being voided (``dex_import_void``), by the "Void" action, for a
    user with ``sales.change_deximport``.
    """

    list_display = ("uploaded_at", "file_name", "status", "device_link", "read_at", "sales_recorded", "uploaded_by")
    list_filter = ("status",)
    list_select_related = ("device", "uploaded_by")
    search_fields = ("file_name", "machine_serial", "machine_asset", "device__asset", "sha256")
    date_hierarchy = "uploaded_at"
    fields = (
        "file_name",
        "raw_file_link",
        "status",
        "device_link",
        "machine_serial",
        "machine_asset",
        "read_at",
        "sales_recorded",
        "uploaded_by",
        "uploaded_at",
        "sha256",
        "voided_at",
        "voided_by",
        "void_reason",
        "parse_record_display",
    )
    readonly_fields = fields
    actions = ["void_selected"]
    action_form = DexVoidActionForm

    device_link = link_column("device", "device", ordering="device__asset")

    def has_change_permission(self, request, obj=None):
        return False

    def has_void_permission(self, request):
        return request.user.has_perm(f"{self.opts.app_label}.change_{self.opts.model_name}")

    @admin.action(description="Void the selected DEX imports (take back their sales)", permissions=["void"])
    def void_selected(self, request, queryset):
        """``dex_import_void`` for each, the newest read first (each read was counted from the one before)."""
        reason = request.POST.get("reason", "").strip()
        if not reason:
            self.message_user(request, "Say why the imports are voided: give a reason.", messages.ERROR)
            return
        voided = 0
        for record in queryset.order_by(F("read_at").desc(nulls_last=True), "-pk"):
            try:
                if dex_import_void(dex_import=record, user=request.user, reason=reason):
                    voided += 1
                    self.log_change(request, record, f"Voided: {reason}")
            except ValidationError as error:
                self.message_user(request, f"{record}: {' '.join(error.messages)}", messages.ERROR)
        if voided:
            self.message_user(request, f"Voided {voided} DEX import{'s' * (voided != 1)}; their sales were taken back.")

    def has_delete_permission(self, request, obj=None):
        # A reading is the base of the machine's next one; deleting it would count sales twice.
        return False

    def get_urls(self):
        raw_file = path(
            "<int:pk>/raw/", self.admin_site.admin_view(self.raw_file_view), name="sales_deximport_raw_file"
        )
        return [raw_file, *super().get_urls()]

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = DexUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            record, imported_now = dex_import(file_name=upload.name, data=upload.read(), user=request.user)
            if record.status != DexImportStatus.REJECTED:
                if imported_now:
                    self.message_user(
                        request, f"Imported: {record.get_status_display()}; {record.sales_recorded} sales."
                    )
                else:
                    self.message_user(request, "This file was imported before; nothing was recorded again.")
                return HttpResponseRedirect(reverse("admin:sales_deximport_change", args=[record.pk]))
            for error in dex_import_issues(record, "errors"):
                form.add_error("file", error)
        admin_form = helpers.AdminForm(form, [(None, {"fields": ["file"]})], {}, model_admin=self)
        context = {
            **self.admin_site.each_context(request),
            "title": "Import a DEX audit",
            "adminform": admin_form,
            "errors": helpers.AdminErrorList(form, []),
            "media": self.media + admin_form.media,
            "inline_admin_formsets": [],
            "object_id": None,
            "original": None,
            "is_popup": False,
            "to_field": None,
            "show_save_and_add_another": False,
            "show_save_and_continue": False,
            **(extra_context or {}),
        }
        return self.render_change_form(request, context, add=True, form_url=form_url)

    def raw_file_view(self, request, pk):
        record = get_object_or_404(DexImport, pk=pk)
        if not self.has_view_permission(request, record):
            raise PermissionDenied
        return HttpResponse(
            bytes(record.raw_file),
            content_type="application/octet-stream",
            headers={"Content-Disposition": content_disposition_header(True, record.file_name)},
        )

    @admin.display(description="raw file")
    def raw_file_link(self, record):
        url = reverse("admin:sales_deximport_raw_file", args=[record.pk])
        return format_html('<a href="{}">download {}</a>', url, record.file_name)

    @admin.display(description="parse record")
    def parse_record_display(self, record):
        return format_html("<pre>{}</pre>", json.dumps(record.parse_record, indent=2, ensure_ascii=False))


@admin.register(DexReading)
class DexReadingAdmin(CalendarDateHierarchyMixin, ComputedDataAdmin):
    """Each read of a machine's counters, the base its next read's sales are counted from; never edited."""

    list_display = ("read_at", "device_link", "chain", "needs_review", "import_link")
    list_filter = ("needs_review",)
    list_select_related = ("device", "dex_import")
    search_fields = ("device__asset",)
    date_hierarchy = "read_at"

    device_link = link_column("device", "device", ordering="device__asset")

    import_link = link_column("dex_import", "DEX import")
