"""The plan tests' fleet fixtures (the fleets themselves are ``plan_fleet``'s)."""

import pytest

from .plan_fleet import daily_route, plan_products, three_stops_a_full_and_a_silent


@pytest.fixture
def products():
    return plan_products()


@pytest.fixture
def route(driver):
    return daily_route(driver)


@pytest.fixture
def day_plan(route, products):
    return three_stops_a_full_and_a_silent(route, products)
