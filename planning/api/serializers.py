"""Serializers of the planning API: the day a plan is asked for, and a route's plan for that day.

``RoutePlanParamsSerializer`` holds the rule of which days may be planned; the plan pages read their
``?date=`` through it too, so the API and the pages refuse and default alike.
"""

import datetime as dt

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cvd_portal.api.serializers import money_field
from metrics.api.serializers import RouteSummarySerializer
from planning.exports import NOT_SELLING, SILENT, attention_status
from planning.selectors import FORECAST_DAYS

# As far ahead as the forecast reaches: a plan further out would load from a repeated last day.
PLAN_DAYS_AHEAD = FORECAST_DAYS


def default_plan_day(route, today: dt.date) -> dt.date:
    """The route's next service day on or after ``today`` (today itself when the route is driven today);
    today for a route not driven at present."""
    return route.next_service_day(today - dt.timedelta(days=1)) or today


class RoutePlanParamsSerializer(serializers.Serializer):
    """The day to plan: from today to ``PLAN_DAYS_AHEAD`` days ahead, by default ``default_plan_day``.

    Needs ``route`` and ``today`` (the operator's local date) in its context.
    """

    date = serializers.DateField(
        required=False,
        help_text=(
            f"The day to plan (YYYY-MM-DD), from today to {PLAN_DAYS_AHEAD} days ahead; by default the route's "
            "next service day on or after today."
        ),
    )

    def validate_date(self, value: dt.date) -> dt.date:
        today = self.context["today"]
        if value < today:
            raise serializers.ValidationError(
                f"Give today ({today.isoformat()}) or a later day: past days are not planned."
            )
        last = today + dt.timedelta(days=PLAN_DAYS_AHEAD)
        if value > last:
            raise serializers.ValidationError(
                f"Plans reach {PLAN_DAYS_AHEAD} days ahead: give a day up to {last.isoformat()}."
            )
        return value

    def validate(self, attrs):
        return {"date": attrs.get("date") or default_plan_day(self.context["route"], self.context["today"])}


class PlanSlotSerializer(serializers.Serializer):
    """One slot of a stop: what it holds now, what it should hold at arrival, and what to load."""

    position = serializers.CharField(source="slot.position")
    cabinet = serializers.IntegerField(
        source="slot.cabinet_index", help_text="The cabinet's index on the machine (1: the main one)."
    )
    product = serializers.IntegerField(source="slot.product_id")
    product_name = serializers.CharField(source="slot.product_name")
    quantity = serializers.IntegerField(source="slot.quantity", help_text="Units in the slot now.")
    capacity = serializers.IntegerField(source="slot.capacity")
    expected_at_arrival = serializers.SerializerMethodField(
        help_text="Units the slot is expected to hold at the planned arrival (midday of the day), one decimal."
    )
    load = serializers.IntegerField(
        help_text="Units to bring: capacity less the stock expected at arrival, in whole cases where a case fits."
    )
    units_to_par = serializers.IntegerField(
        help_text="The spec's UTP, capacity − quantity now, for comparison with the load."
    )
    case_pack = serializers.IntegerField(source="slot.case_pack", allow_null=True, help_text="Units per case.")
    sell_out_probability = serializers.SerializerMethodField(
        help_text="Probability that the slot sells out before the next service day if the machine is not visited."
    )

    def get_expected_at_arrival(self, load) -> float:
        return round(load.expected_at_arrival, 1)

    def get_sell_out_probability(self, load) -> float:
        return round(load.sell_out_probability, 3)


class PlanStopSerializer(serializers.Serializer):
    """A stop in driving order, with why it is a stop and what to load into each slot."""

    number = serializers.IntegerField(help_text="The stop's place in driving order, from 1.")
    device = serializers.IntegerField(source="machine.device_id")
    asset = serializers.CharField(source="machine.asset")
    location = serializers.CharField(source="machine.location_name", help_text="The location's name; empty: none.")
    latitude = serializers.FloatField(source="machine.point.latitude", allow_null=True)
    longitude = serializers.FloatField(source="machine.point.longitude", allow_null=True)
    geo_uri = serializers.CharField(
        allow_null=True, help_text="A geo: URI that opens the maps app at the machine; null without coordinates."
    )
    value = money_field(
        source="decision.value", help_text="Revenue the visit saves against waiting for the next service day."
    )
    lost_units_if_waiting = serializers.SerializerMethodField(
        help_text="Units the machine is expected to fail to sell by the next service day if it waits, one decimal."
    )
    sold_out_slots = serializers.IntegerField(source="decision.sold_out_slots")
    must_visit = serializers.BooleanField(
        source="decision.must_visit", help_text="Enough sold-out slots to be visited whatever its value."
    )
    reason = serializers.CharField(help_text="Why the machine is a stop, in words.")
    load_units = serializers.IntegerField(source="decision.load_units")
    slots = PlanSlotSerializer(source="decision.loads", many=True)

    def get_lost_units_if_waiting(self, stop) -> float:
        return round(stop.decision.lost_units_if_waiting, 1)


class PlanSkippedMachineSerializer(serializers.Serializer):
    """A machine left for a later day: what visiting it on this day would have saved."""

    device = serializers.IntegerField(source="machine.device_id")
    asset = serializers.CharField(source="machine.asset")
    value = money_field()


class PlanAttentionMachineSerializer(serializers.Serializer):
    """A machine the office must look at before anyone loads it; never a stop."""

    device = serializers.IntegerField(source="device_id")
    asset = serializers.CharField()
    location = serializers.CharField(source="location_name")
    status = serializers.SerializerMethodField(
        help_text="silent: no sale and no DEX read for too long; not selling: data arrives, sales do not."
    )
    last_sale_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(serializers.ChoiceField(choices=[NOT_SELLING, SILENT]))
    def get_status(self, machine) -> str:
        return attention_status(machine)


class PlanWarehouseLineSerializer(serializers.Serializer):
    """What the warehouse picks of one product for the whole day."""

    product = serializers.IntegerField(source="product_id")
    name = serializers.CharField()
    units = serializers.IntegerField()


class RoutePlanSerializer(serializers.Serializer):
    """A route's plan for a day: its stops in driving order with their loads, the machines left for a
    later day, those the office must look at, and the warehouse's totals."""

    route = RouteSummarySerializer()
    day = serializers.DateField(source="plan.day")
    next_service_day = serializers.DateField(
        source="plan.next_service_day", help_text="The route's next service day after this one: what waiting means."
    )
    generated_at = serializers.DateTimeField(help_text="When the plan was made (the stock and forecast as of then).")
    distance_km = serializers.SerializerMethodField(
        help_text="The drive through the stops by great-circle distance (from the depot and back when it has one)."
    )
    stops = PlanStopSerializer(many=True)
    skipped = PlanSkippedMachineSerializer(source="plan.skipped", many=True)
    attention = PlanAttentionMachineSerializer(source="plan.attention", many=True)
    warehouse = PlanWarehouseLineSerializer(many=True, help_text="Units to pick by product, by product name.")

    def get_distance_km(self, payload) -> float:
        return round(payload["plan"].distance_m / 1000, 1)
