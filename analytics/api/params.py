"""Query parameters the analytics endpoints share: an inclusive range of local days; and validating them."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from analytics.date_range import DateRange


def validated(serializer_class, data, request) -> dict:
    """``data`` validated by ``serializer_class``; a 400 naming each wrong field otherwise."""
    params = serializer_class(data=data, context={"request": request})
    params.is_valid(raise_exception=True)
    return params.validated_data


class DateRangeSerializer(serializers.Serializer):
    """``start_date`` and ``end_date``, both inclusive, in the operator's time zone: ``DateRange``'s rules.

    Defaults to the last 30 days ending yesterday (today is not over yet); at most 366 days.
    """

    start_date = serializers.DateField(required=False, help_text="First day, inclusive (YYYY-MM-DD).")
    end_date = serializers.DateField(required=False, help_text="Last day, inclusive (YYYY-MM-DD).")

    def validate(self, attrs):
        try:
            dates = DateRange.from_dates(attrs.get("start_date"), attrs.get("end_date"))
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from None
        return {**attrs, "start_date": dates.start, "end_date": dates.end}
