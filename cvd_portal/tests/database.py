"""Helpers for tests of the rules the database itself enforces (constraints, unique indexes)."""

import pytest
from django.db import IntegrityError, transaction


def rejected(create):
    """Assert that the database refuses ``create()``; its savepoint leaves the test's transaction usable."""
    with pytest.raises(IntegrityError), transaction.atomic():
        create()
