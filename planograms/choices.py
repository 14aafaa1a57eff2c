from django.db import models


class InventoryMovementReason(models.TextChoices):
    """Why a slot's quantity changed."""

    SALE = "sale", "Sale"
    RESTOCK = "restock", "Restock"
    COUNT = "count", "Count"
    CORRECTION = "correction", "Correction"


class RestockMode(models.TextChoices):
    """How a service visit sets each slot's quantity."""

    PAR = "par", "Fill to par"
    CAPACITY = "capacity", "Fill to capacity"
    COUNT = "count", "Counted quantity"
