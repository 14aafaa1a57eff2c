"""Helpers for every app's API tests: the fleet's router resources, their URLs, the ids on a page of results."""

from django.urls import reverse

# The router's fleet resources (list, retrieve, create, update, delete).
FLEET_RESOURCES = [
    "locations",
    "routes",
    "device-types",
    "cabinet-types",
    "devices",
    "cabinets",
    "products",
    "planograms",
    "planogram-slots",
    "sales",
]


def list_url(resource):
    """``list_url("devices")``: the URL of a router resource's list."""
    return reverse(f"{resource}-list")


def detail_url(resource, pk):
    """``detail_url("devices", device.pk)``: the URL of one row of a router resource."""
    return reverse(f"{resource}-detail", args=[pk])


def ids(response):
    """The ids of the rows on a list response's page, in order."""
    return [row["id"] for row in response.json()["results"]]
