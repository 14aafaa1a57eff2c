"""The sales app's fixed sets of values."""

from django.db import models


class DexImportStatus(models.TextChoices):
    PARSED = "parsed", "Parsed: first read of the machine, the base of the next"
    RECORDED = "recorded", "Recorded: sales since the previous read"
    NEEDS_REVIEW = "needs_review", "Needs review: counters re-initialised, nothing recorded"
    REJECTED = "rejected", "Rejected: nothing recorded"
    VOIDED = "voided", "Voided by a manager: its sales reversed, its read out of the chain"
