from collections.abc import Callable

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from rest_framework import serializers

from .exceptions import validation_error_detail


class ValidatedModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer that also runs the model's own validation (``full_clean``).

    The model holds its rules once (field validators, ``clean()``, constraints); running
    them here turns what the database would reject into 400s with field messages.
    Only concrete model fields reach the model; nested or derived values (a planogram's
    ``slots``) are left to the serializer's ``create``/``update`` and the service it calls.
    """

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        concrete = {f.name for f in model._meta.concrete_fields}
        model_attrs = {k: v for k, v in attrs.items() if k in concrete}
        if self.instance is None:
            candidate = model(**model_attrs)
        else:
            candidate = model(**{f.attname: getattr(self.instance, f.attname) for f in model._meta.concrete_fields})
            candidate._state.adding = False
            for name, value in model_attrs.items():
                setattr(candidate, name, value)
        try:
            candidate.full_clean(exclude=self.full_clean_exclude())
        except DjangoValidationError as error:
            raise serializers.ValidationError(validation_error_detail(error)) from error
        return attrs

    def full_clean_exclude(self):
        """Fields the serializer sets itself (nested or derived); their rules run elsewhere."""
        return getattr(self.Meta, "full_clean_exclude", ())


class VisiblePrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related row by primary key, chosen among the rows the requesting user may see.

    ``visible_to`` is the selector the target's own viewset is narrowed with, so a write
    can point only at rows the same user could read (never at a retired device's cabinet).
    """

    def __init__(self, *, visible_to: Callable[..., QuerySet], **kwargs):
        self.visible_to = visible_to
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.visible_to(self.context["request"].user)


def money_field(**kwargs) -> serializers.DecimalField:
    """Money as the API shows it: a decimal string with two places."""
    return serializers.DecimalField(max_digits=14, decimal_places=2, **kwargs)
