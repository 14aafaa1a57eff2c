import re
from collections.abc import Callable

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.relations import MANY_RELATION_KWARGS
from rest_framework.utils.formatting import lazy_format

from .exceptions import validation_error_detail

MAX_BIGINT = 2**63 - 1
_DIGITS = re.compile(r"\s*[0-9]{1,19}\s*")


class StringField(serializers.CharField):
    """A string, and only a string: DRF's CharField writes a number down as its digits, which hides a
    client sending the wrong value (a price into a name) behind a 2xx."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class ValidatedModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer that also runs the model's own validation (``full_clean``).

    The model holds its rules once (field validators, ``clean()``, constraints); running
    them here turns what the database would reject into 400s with field messages. Text fields take
    strings only (``StringField``).
    Only concrete model fields reach the model; nested or derived values (a planogram's
    ``slots``) are left to the serializer's ``create``/``update`` and the service it calls.
    """

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StringField,
        models.TextField: StringField,
    }

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
    With ``many=True`` (and optionally ``max_length``) it is a ``VisiblePrimaryKeysField``.
    """

    def __init__(self, *, visible_to: Callable[..., QuerySet], **kwargs):
        self.visible_to = visible_to
        super().__init__(**kwargs)

    @classmethod
    def many_init(cls, *args, max_length=None, **kwargs):
        child = cls(*args, **kwargs)
        many_kwargs = {key: value for key, value in kwargs.items() if key in MANY_RELATION_KWARGS}
        return VisiblePrimaryKeysField(child_relation=child, max_length=max_length, **many_kwargs)

    def get_queryset(self):
        return self.visible_to(self.context["request"].user)


class VisiblePrimaryKeysField(serializers.ManyRelatedField):
    """A list of related rows by (integer) primary key, looked up in one query (DRF's field makes one a row).

    Answers the rows in the order given. Each bad entry is named by its index, as ``ListField`` does:
    ``{"device_ids": {"3": ["Invalid pk \"99\" - object does not exist."]}}``.
    """

    default_error_messages = {
        "not_a_list": serializers.ManyRelatedField.default_error_messages["not_a_list"],
        "max_length": serializers.ListField.default_error_messages["max_length"],
    }

    def __init__(self, *, max_length=None, **kwargs):
        self.max_length = max_length
        super().__init__(**kwargs)
        if max_length is not None:
            # Checked again (cheaply) in to_internal_value, before the query; this one documents maxItems.
            message = lazy_format(self.error_messages["max_length"], max_length=max_length)
            self.validators.append(MaxLengthValidator(max_length, message=message))

    def to_internal_value(self, data):
        if not isinstance(data, list | tuple):
            self.fail("not_a_list", input_type=type(data).__name__)
        if not self.allow_empty and not data:
            self.fail("empty")
        if self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        child = self.child_relation
        pks, errors = {}, {}
        for index, item in enumerate(data):
            # An id is a whole number, or its digits as a string; never a bool, a float or a container.
            if isinstance(item, int) and not isinstance(item, bool):
                pks[index] = item
            elif isinstance(item, str) and _DIGITS.fullmatch(item):
                pks[index] = int(item)
            else:
                errors[index] = [child.error_messages["incorrect_type"].format(data_type=type(item).__name__)]
        # Ids beyond the column's range name no row (and PostgreSQL would refuse them as parameters).
        found = child.get_queryset().in_bulk([pk for pk in pks.values() if 0 < pk <= MAX_BIGINT])
        for index, pk in pks.items():
            if pk not in found:
                errors[index] = [child.error_messages["does_not_exist"].format(pk_value=pk)]
        if errors:
            raise serializers.ValidationError(dict(sorted(errors.items())))
        return [found[pk] for pk in pks.values()]


def money_field(**kwargs) -> serializers.DecimalField:
    """Money as the API shows it: a decimal string with two places."""
    return serializers.DecimalField(max_digits=14, decimal_places=2, **kwargs)


@extend_schema_field(
    {"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$", "example": "14:15:00"}
)
class LocalTimeField(serializers.TimeField):
    """A wall-clock time in the operator's time zone, ``HH:MM:SS``.

    Documented as a pattern: OpenAPI's ``format: time`` is RFC 3339's full-time, which requires an offset,
    and a time of day in a zone has none (the offset depends on the date).
    """
