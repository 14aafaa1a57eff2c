from django.db import models


class VenueType(models.TextChoices):
    OFFICE = "office", "Office"
    SCHOOL = "school", "School"
    HOSPITAL = "hospital", "Hospital"
    GYM = "gym", "Gym"
    FACTORY = "factory", "Factory"
    TRANSIT = "transit", "Transit"
    RETAIL = "retail", "Retail"
    OTHER = "other", "Other"
