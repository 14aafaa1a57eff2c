"""The FilterSets' common base and the filters it adds to django-filter's own."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models

YES_NO_VALUES = {"true": True, "false": False}


class YesNoWidget(forms.Select):
    """Yes / no / either, passing the raw value on so the field can refuse what is neither."""

    def __init__(self, attrs=None):
        super().__init__(attrs, choices=(("", "Either"), ("true", "Yes"), ("false", "No")))

    def format_value(self, value):
        return {True: ["true"], False: ["false"]}.get(value, [""])


class YesNoField(forms.NullBooleanField):
    """``true`` or ``false`` (any case); empty means either.

    django-filter's boolean filters read anything else ("1", "yes", "2") as "either" and return every row,
    so a client's typo silently widens its answer; here it is a 400 naming the parameter.
    """

    widget = YesNoWidget

    def to_python(self, value):
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return value
        try:
            return YES_NO_VALUES[str(value).lower()]
        except KeyError:
            raise ValidationError("Answer true or false.", code="invalid") from None

    def validate(self, value):
        pass


class YesNoFilter(django_filters.BooleanFilter):
    field_class = YesNoField


class WholeNumberField(forms.IntegerField):
    """Digits only: Django's IntegerField also reads "2.0" as 2."""

    def to_python(self, value):
        if isinstance(value, str) and "." in value:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class WholeNumberFilter(django_filters.NumberFilter):
    """A whole number: django-filter reads an integer column's filter as a decimal, so ``rows=1.5``
    matched nothing and answered an empty list instead of saying the value is wrong."""

    field_class = WholeNumberField


class PortalFilterSet(django_filters.FilterSet):
    """The base of every FilterSet: booleans and whole numbers refuse what they cannot read."""

    FILTER_DEFAULTS = {
        **django_filters.FilterSet.FILTER_DEFAULTS,
        models.BooleanField: {"filter_class": YesNoFilter},
        models.IntegerField: {"filter_class": WholeNumberFilter},
        models.SmallIntegerField: {"filter_class": WholeNumberFilter},
        models.BigIntegerField: {"filter_class": WholeNumberFilter},
        models.PositiveIntegerField: {"filter_class": WholeNumberFilter},
        models.PositiveSmallIntegerField: {"filter_class": WholeNumberFilter},
        models.PositiveBigIntegerField: {"filter_class": WholeNumberFilter},
    }
