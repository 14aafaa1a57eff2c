"""Admin list filters for the fleet."""

from django.contrib import admin


class DeviceStatusFilter(admin.SimpleListFilter):
    """Active devices unless asked otherwise; soft-deleted ones only behind the filter."""

    title = "status"
    parameter_name = "status"
    ACTIVE, DELETED, ANY = "active", "deleted", "any"

    def lookups(self, request, model_admin):
        return [(self.ACTIVE, "Active"), (self.DELETED, "Deleted"), (self.ANY, "All")]

    def value(self):
        return super().value() or self.ACTIVE

    def choices(self, changelist):
        # No stock "All" entry: the unfiltered list is the active fleet, and "All" is one of the lookups.
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() == self.DELETED:
            return queryset.deleted()
        if self.value() == self.ANY:
            return queryset
        return queryset.active()
