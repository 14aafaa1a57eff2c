"""What every app's admin shares: links between related objects, CSV/XLSX import and export
that is all-or-nothing, read-only admins for computed data, list filters that are the apps' FilterSets.
"""

import datetime as dt
from urllib.parse import urlencode

import django_filters as filters
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html
from import_export.admin import ImportExportModelAdmin
from import_export.forms import ImportForm

LARGE_FILES_HINT = (
    "split a larger file, or send large batches through the API "
    "(POST /api/sales/ records up to 10,000 sales a request)."
)


def change_link(obj, label=None):
    """A link to ``obj``'s change page, or an empty cell when there is no object."""
    if obj is None:
        return None
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, obj if label is None else label)


def link_column(path: str, description: str, ordering: str | None = None):
    """An admin column linking to the object at ``path`` (dotted attributes, e.g. "planogram.cabinet.device")."""

    @admin.display(description=description, ordering=ordering)
    def column(self, obj):
        for attribute in path.split("."):
            obj = getattr(obj, attribute, None)
            if obj is None:
                return None
        return change_link(obj)

    return column


def changelist_link(model, label, **filters):
    """A link to ``model``'s changelist narrowed by ``filters`` (admin lookups or list filters, such as ``route``).

    ``model`` is a model class or an ``"app_label.model_name"`` string, for a model of an app above the caller's.
    """
    app_label, model_name = (
        model.lower().split(".") if isinstance(model, str) else (model._meta.app_label, model._meta.model_name)
    )
    url = reverse(f"admin:{app_label}_{model_name}_changelist")
    return format_html('<a href="{}?{}">{}</a>', url, urlencode(filters), label)


def filterset_list_filter(filterset_class, name: str):
    """An admin list filter that narrows the changelist through ``filterset_class``'s filter ``name``.

    The admin so applies the very rule the API, the pages and the reports apply (one FilterSet per
    model). Its choices come from the filter: yes and no for a boolean, the filter's choices, or the
    rows of its queryset as the requesting user may see them.
    """
    declared = filterset_class.base_filters[name]

    class FilterSetListFilter(admin.SimpleListFilter):
        parameter_name = name
        title = str(declared.label or name).lower()

        def lookups(self, request, model_admin):
            if isinstance(declared, filters.BooleanFilter):
                return [("true", "Yes"), ("false", "No")]
            if "choices" in declared.extra:
                return list(declared.extra["choices"])
            # .all(): a filter declared with a queryset holds one QuerySet for the life of the process;
            # iterating it itself would cache its rows, and later requests would list those stale rows
            # (an empty cache hides the filter altogether).
            return [(str(row.pk), str(row)) for row in declared.get_queryset(request).all()]

        def queryset(self, request, queryset):
            if self.value() is None:
                return queryset
            filterset = filterset_class({name: self.value()}, queryset=queryset, request=request)
            if not filterset.is_valid():
                raise IncorrectLookupParameters(filterset.errors)
            return filterset.qs

    return FilterSetListFilter


def metrics_column(name, description, **display):
    """A read-only admin column showing ``obj.metrics.<name>`` (slot, cabinet or device metrics).

    The rows must come with ``select_related("metrics")``; an object not calculated yet raises
    RelatedObjectDoesNotExist (an AttributeError), which the admin shows as its empty value.
    """

    @admin.display(description=description, **display)
    def column(self, obj):
        return getattr(obj.metrics, name)

    return column


class RolledUpMetricsColumns:
    """Read-only columns of a cabinet's or device's metrics: SO, DRI, PL, UTP and their age."""

    ROLLED_UP_COLUMNS = ("sold_out_count", "days_remaining", "product_level", "units_to_par", "metrics_calculated")

    sold_out_count = metrics_column("sold_out_count", "SO")
    days_remaining = metrics_column("days_remaining_inventory", "DRI", ordering="metrics__days_remaining_inventory")
    product_level = metrics_column("product_level_percent", "PL %")
    units_to_par = metrics_column("units_to_par", "UTP")
    metrics_calculated = metrics_column("last_calculated", "metrics calculated")


def import_failure_message(result):
    """One line naming every row an import refused and why."""
    problems = [f"row {row.number}: {error.error}" for row in result.error_rows for error in row.errors]
    for row in result.invalid_rows:
        messages_by_field = [f"{field}: {' '.join(errors)}" for field, errors in row.field_specific_errors.items()]
        problems.append(f"row {row.number}: {'; '.join(messages_by_field + row.non_field_specific_errors)}")
    problems += [str(error.error) for error in result.base_errors]
    return f"Nothing was imported. {' | '.join(problems)}"


class PortalImportForm(ImportForm):
    """The import form, refusing a file larger than ``max_bytes`` or longer than ``max_rows`` rows.

    The rows are counted by reading the file as the import will (the chosen format and ``encoding``);
    a file the format cannot read is left to the import, which says so.
    """

    def __init__(self, formats, resources, *, max_rows: int, max_bytes: int, encoding: str | None, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.formats, self.max_rows, self.max_bytes, self.encoding = formats, max_rows, max_bytes, encoding
        limits = f"At most {max_rows:,} rows and {filesizeformat(max_bytes)}"
        self.fields["import_file"].help_text = f"{limits}: {LARGE_FILES_HINT}"

    def clean(self):
        cleaned_data = super().clean()
        upload, file_format = cleaned_data.get("import_file"), cleaned_data.get("format")
        if upload is None or not file_format:
            return cleaned_data
        if upload.size > self.max_bytes:
            self.add_error(
                "import_file",
                f"This file is {filesizeformat(upload.size)}; the admin imports files of at most "
                f"{filesizeformat(self.max_bytes)}: {LARGE_FILES_HINT}",
            )
            return cleaned_data
        try:
            rows = self.formats[int(file_format)](encoding=self.encoding).create_dataset(b"".join(upload.chunks()))
        except Exception:  # the import reads the file again and reports what is wrong with it
            return cleaned_data
        if rows.height > self.max_rows:
            self.add_error(
                "import_file",
                f"This file has {rows.height:,} rows; the admin imports at most {self.max_rows:,} rows a file: "
                f"{LARGE_FILES_HINT}",
            )
        return cleaned_data


class PortalImportExportAdmin(ImportExportModelAdmin):
    """Import (with the preview step) and export as CSV or XLSX; a file with any bad row imports nothing.

    An import file holds at most ``settings.ADMIN_IMPORT_MAX_ROWS`` rows and ``ADMIN_IMPORT_MAX_BYTES``
    bytes, so it finishes within a request.
    """

    import_form_class = PortalImportForm

    def get_import_form_kwargs(self, request):
        return {
            **super().get_import_form_kwargs(request),
            "max_rows": settings.ADMIN_IMPORT_MAX_ROWS,
            "max_bytes": settings.ADMIN_IMPORT_MAX_BYTES,
            "encoding": self.from_encoding,
        }

    def has_import_permission(self, request):
        # An import both adds rows and updates existing ones.
        return super().has_import_permission(request) and self.has_change_permission(request)

    def get_import_data_kwargs(self, **kwargs):
        # The preview refuses a file with a bad row; this also rolls back a row that turned bad between
        # the preview and the confirmation (by default only exceptions roll the import back).
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            messages.error(request, import_failure_message(result))
            return HttpResponseRedirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import"))
        return super().process_result(result, request)


class ComputedDataAdmin(admin.ModelAdmin):
    """Rows the portal computes (metrics, rollups): listed and inspected, never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DeletesComputedDataMixin:
    """For admins whose deletions cascade to computed rows (metrics of a slot, cabinet or device).

    Computed rows go with what they were computed from; no role holds (or needs) the permission
    to delete them, so the admin must not ask for it before deleting a slot, planogram or cabinet.
    """

    def get_deleted_objects(self, objs, request):
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        computed = {
            str(model._meta.verbose_name)
            for model, model_admin in self.admin_site._registry.items()
            if isinstance(model_admin, ComputedDataAdmin)
        }
        return deleted, model_count, perms_needed - computed, protected


class CalendarChangeList(ChangeList):
    """A change list whose date hierarchy takes only the years it can bound: 2 to 9998.

    Django bounds ``?<field>__year=`` by that year's first local midnight and the next year's: 9999 has
    no next year, a year of twenty digits no date at all (both 500s), and year 1's local midnight is in
    year 0 in UTC east of Greenwich. Such a year is the admin's invalid lookup (the list again, ``?e=1``).
    """

    def get_filters(self, request):
        year = request.GET.get(f"{self.date_hierarchy}__year") if self.date_hierarchy else None
        if year is not None and not (year.isdigit() and dt.MINYEAR < int(year) < dt.MAXYEAR):
            raise IncorrectLookupParameters(f"No year {year[:20]} to browse.")
        try:
            return super().get_filters(request)
        except (ValueError, OverflowError) as error:
            raise IncorrectLookupParameters(error) from error


class CalendarDateHierarchyMixin:
    """Browse by date without a 500 for a year past the calendar (``CalendarChangeList``)."""

    def get_changelist(self, request, **kwargs):
        return CalendarChangeList


class SingleRowAdmin(admin.ModelAdmin):
    """The admin of a model kept as one row (settings): the list page opens that row, which the model's
    ``current()`` creates when first needed; nobody adds or deletes it by hand."""

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        # Checked before current(), so a user who may not see the row does not create it either.
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        row = self.model.current()
        opts = self.model._meta
        return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk]))
