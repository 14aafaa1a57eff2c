"""The analytics pages' controls: a range of local days, and the dashboard table's sort and page.

The range follows ``DateRange``'s rules and the page ``cvd_portal.api.pagination``'s, as the API's
do; the dashboard's device filters are ``DeviceFilterSet``'s own form, not fields of these.
"""

from django import forms
from django.core.exceptions import ValidationError

from analytics.asset_sales import ORDERABLE_FIELDS
from analytics.date_range import DateRange
from cvd_portal.api.pagination import MAX_PAGE

SORT_CHOICES = [(field, field) for field in ORDERABLE_FIELDS] + [
    (f"-{field}", f"-{field}") for field in ORDERABLE_FIELDS
]


class DateRangeForm(forms.Form):
    """A range of local days: the two dates parsed here, the range resolved by ``DateRange.from_dates``."""

    start_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            dates = DateRange.from_dates(cleaned.get("start_date"), cleaned.get("end_date"))
        except ValidationError as error:
            self.add_error(None, error)
            return cleaned
        # The inputs show the range the page reports, defaults included, not the blanks that asked for them.
        self.data = self.data.copy()
        self.data["start_date"], self.data["end_date"] = dates.start.isoformat(), dates.end.isoformat()
        return {**cleaned, "start_date": dates.start, "end_date": dates.end, "dates": dates}


class AssetSalesDashboardForm(DateRangeForm):
    """The dashboard's range, and its device table's sort and page."""

    sort = forms.ChoiceField(choices=SORT_CHOICES, required=False)
    page = forms.IntegerField(min_value=1, max_value=MAX_PAGE, required=False)

    def clean(self):
        cleaned = super().clean()
        cleaned["sort"] = cleaned.get("sort") or "fleet_rank"
        cleaned["page"] = cleaned.get("page") or 1
        return cleaned
