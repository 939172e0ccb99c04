"""Shapes of context plans in the API. Payloads are checked for type here and for meaning in
the services, whose messages come back under the same field names."""

from rest_framework import serializers

from ..models import ActionStatus, OwnerKind
from ..names import NameWarningSerializerMixin

MAX_ID = 2**31 - 1  # ids are 32-bit integers in the database


class MeasureSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    goal = serializers.IntegerField(source="goal_id")
    measured_on = serializers.DateField()
    value = serializers.FloatField()
    note = serializers.CharField()


class MeasureCreateSerializer(NameWarningSerializerMixin, serializers.Serializer):
    name_warning_fields = ("note",)

    goal = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    measured_on = serializers.DateField(required=False, allow_null=True, default=None)
    value = serializers.FloatField(required=False, allow_null=True, default=None)
    note = serializers.CharField(allow_blank=True, required=False, default="")


class ActionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    goal = serializers.IntegerField(source="goal_id")
    description = serializers.CharField()
    owner_kind = serializers.ChoiceField(choices=OwnerKind.choices)
    owner_agency = serializers.IntegerField(source="owner_agency_id", allow_null=True)
    owner_worker = serializers.IntegerField(source="owner_worker_id", allow_null=True)
    owner_partner = serializers.IntegerField(source="owner_partner_id", allow_null=True)
    owner = serializers.CharField(help_text="Who owns it, in words")
    due_on = serializers.DateField()
    status = serializers.ChoiceField(choices=ActionStatus.choices)
    completed_on = serializers.DateField(allow_null=True)
    evidence = serializers.CharField()
    relevant_to_children = serializers.BooleanField()
    overdue = serializers.BooleanField()


class ActionCreateSerializer(NameWarningSerializerMixin, serializers.Serializer):
    name_warning_fields = ("description",)

    goal = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    description = serializers.CharField(allow_blank=True, required=False, default="")
    owner_kind = serializers.CharField(allow_blank=True, required=False, default="")
    owner_agency = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=MAX_ID
    )
    owner_worker = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=MAX_ID
    )
    owner_partner = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=MAX_ID
    )
    due_on = serializers.DateField(required=False, allow_null=True, default=None)
    relevant_to_children = serializers.BooleanField(required=False, default=True)


class ActionUpdateSerializer(NameWarningSerializerMixin, serializers.Serializer):
    name_warning_fields = ("evidence",)

    status = serializers.CharField(allow_blank=True, required=False, default="")
    evidence = serializers.CharField(allow_blank=True, required=False, default="")
    completed_on = serializers.DateField(required=False, allow_null=True, default=None)


class IndicatorPointSerializer(serializers.Serializer):
    on = serializers.DateField()
    origin = serializers.CharField(help_text='"Assessment 2 rating" or "Measure"')
    value = serializers.CharField()
    note = serializers.CharField()


class GoalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    outcome = serializers.CharField()
    finding = serializers.IntegerField(help_text="Id of the assessment area it comes from")
    finding_title = serializers.CharField()
    indicator = serializers.CharField()
    indicators = IndicatorPointSerializer(many=True, help_text="Ratings and measures over time")
    actions = ActionSerializer(many=True)


class GoalCreateSerializer(NameWarningSerializerMixin, serializers.Serializer):
    name_warning_fields = ("outcome", "indicator")

    outcome = serializers.CharField(allow_blank=True, required=False, default="")
    finding = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=MAX_ID
    )
    indicator = serializers.CharField(allow_blank=True, required=False, default="")


class PlanSerializer(serializers.Serializer):
    case = serializers.CharField()
    started_on = serializers.DateField()
    summary = serializers.CharField()
    next_review_on = serializers.DateField(allow_null=True)
    goals = GoalSerializer(many=True)


class PlanCreateSerializer(NameWarningSerializerMixin, serializers.Serializer):
    name_warning_fields = ("summary",)

    started_on = serializers.DateField(required=False, allow_null=True, default=None)
    summary = serializers.CharField(allow_blank=True, required=False, default="")
