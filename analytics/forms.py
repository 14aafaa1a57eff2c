"""The query parameters of the analytics pages, validated as the API validates them."""

from django import forms

from analytics.api.params import DateRangeSerializer
from analytics.asset_sales import ORDERABLE_FIELDS
from devices.choices import VenueType
from devices.models import DeviceType, Location
from devices.selectors import routes_visible_to

SORT_CHOICES = [(field, field) for field in ORDERABLE_FIELDS] + [
    (f"-{field}", f"-{field}") for field in ORDERABLE_FIELDS
]


class DateRangeForm(forms.Form):
    """A range of local days; the defaults and limits are the API's (``DateRangeSerializer``)."""

    start_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        given = {name: cleaned[name] for name in ("start_date", "end_date") if cleaned.get(name)}
        if self.errors:
            return cleaned
        dates = DateRangeSerializer(data={name: value.isoformat() for name, value in given.items()})
        if not dates.is_valid():
            for name, messages in dates.errors.items():
                self.add_error(name if name in self.fields else None, messages)
            return cleaned
        # The inputs show the range the page reports, defaults included, not the blanks that asked for them.
        self.data = self.data.copy()
        for name in ("start_date", "end_date"):
            self.data[name] = dates.validated_data[name].isoformat()
        return {**cleaned, **dates.validated_data}


class AssetSalesDashboardForm(DateRangeForm):
    """The dashboard's controls: range, filters, asset search, table sort and page."""

    location = forms.ModelChoiceField(Location.objects.all(), required=False, empty_label="All locations")
    venue_type = forms.ChoiceField(choices=[("", "All venue types"), *VenueType.choices], required=False)
    device_type = forms.ModelChoiceField(DeviceType.objects.all(), required=False, empty_label="All device types")
    route = forms.ModelChoiceField(None, required=False, empty_label="All routes")
    asset = forms.CharField(required=False, max_length=50, widget=forms.TextInput(attrs={"type": "search"}))
    sort = forms.ChoiceField(choices=SORT_CHOICES, required=False)
    page = forms.IntegerField(min_value=1, max_value=2**31 - 1, required=False)

    FILTERS = ("location", "venue_type", "device_type", "route", "asset")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["route"].queryset = routes_visible_to(user)

    def clean(self):
        cleaned = super().clean()
        cleaned["sort"] = cleaned.get("sort") or "fleet_rank"
        cleaned["page"] = cleaned.get("page") or 1
        return cleaned

    def filter_query(self) -> dict:
        """The range and filters as query parameters (the API's names), for export links and sort links."""
        params = {"start_date": self.cleaned_data["start_date"].isoformat()}
        params["end_date"] = self.cleaned_data["end_date"].isoformat()
        for name in self.FILTERS:
            value = self.cleaned_data.get(name)
            if value:
                params[name] = value.pk if hasattr(value, "pk") else value
        return params
