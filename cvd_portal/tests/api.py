"""Helpers for every app's API tests: a router resource's URLs and the ids on a page of results."""

from django.urls import reverse


def list_url(resource):
    """``list_url("devices")``: the URL of a router resource's list."""
    return reverse(f"{resource}-list")


def detail_url(resource, pk):
    """``detail_url("devices", device.pk)``: the URL of one row of a router resource."""
    return reverse(f"{resource}-detail", args=[pk])


def ids(response):
    """The ids of the rows on a list response's page, in order."""
    return [row["id"] for row in response.json()["results"]]
