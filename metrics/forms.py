"""Forms of the route pages."""

from django import forms


class DeviceSelectionForm(forms.Form):
    """The devices of one route a driver picks for the pick list; any other id is refused."""

    devices = forms.TypedMultipleChoiceField(coerce=int, required=False)

    def __init__(self, data=None, *, devices, preselected=()):
        super().__init__(data, initial={"devices": list(preselected)})
        self.fields["devices"].choices = [(device.pk, device.asset) for device in devices]

    def selected_device_ids(self) -> list[int]:
        """The devices submitted, or the preselected ones when nothing was; none when the submission is invalid."""
        if not self.is_bound:
            return self.initial["devices"]
        return self.cleaned_data["devices"] if self.is_valid() else []
