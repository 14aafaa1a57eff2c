from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from .exceptions import validation_error_detail


class ValidatedModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer that also runs the model's own validation (``full_clean``).

    The model holds its rules once (field validators, ``clean()``, constraints); running
    them here turns what the database would reject into 400s with field messages.
    """

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        many_to_many = {f.name for f in model._meta.many_to_many}
        plain_attrs = {k: v for k, v in attrs.items() if k not in many_to_many}
        if self.instance is None:
            candidate = model(**plain_attrs)
        else:
            candidate = model(**{f.attname: getattr(self.instance, f.attname) for f in model._meta.concrete_fields})
            candidate._state.adding = False
            for name, value in plain_attrs.items():
                setattr(candidate, name, value)
        try:
            candidate.full_clean(exclude=self.full_clean_exclude())
        except DjangoValidationError as error:
            raise serializers.ValidationError(validation_error_detail(error)) from error
        return attrs

    def full_clean_exclude(self):
        """Fields the serializer sets itself (nested or derived); their rules run elsewhere."""
        return getattr(self.Meta, "full_clean_exclude", ())
