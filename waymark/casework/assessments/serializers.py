"""Shapes of assessments in the API. Payloads are checked for type here and for meaning in the
services, whose messages come back under the same field names."""

from rest_framework import serializers

from ..models import AssessmentMethod
from ..names import NameWarningSerializerMixin


class AreaSerializer(serializers.Serializer):
    area = serializers.CharField()
    title = serializers.CharField()
    findings = serializers.CharField()
    strengths = serializers.CharField()
    concerns = serializers.CharField()
    rating = serializers.IntegerField()
    rating_label = serializers.CharField()


class VoiceSerializer(serializers.Serializer):
    quote = serializers.CharField(allow_blank=True, required=False, default="")
    attributed_to = serializers.CharField(allow_blank=True, required=False, default="")


class ComparisonSerializer(serializers.Serializer):
    area = serializers.CharField(source="key")
    title = serializers.CharField()
    previous_rating = serializers.CharField()
    previous_findings = serializers.CharField()
    rating = serializers.CharField()
    findings = serializers.CharField()
    change = serializers.CharField()


class AssessmentSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    kind = serializers.CharField()
    started_on = serializers.DateField()
    completed_on = serializers.DateField(allow_null=True)
    methods = serializers.ListField(child=serializers.CharField())
    summary = serializers.CharField()
    areas = AreaSerializer(many=True)
    voices = VoiceSerializer(many=True)
    concerns = serializers.ListField(
        child=serializers.CharField(), help_text="References of the evidence concerns you may see"
    )
    concerns_not_shown = serializers.IntegerField(
        allow_null=True,
        help_text="Evidence concerns you may not see: null when there are 1 to 4 (not shown)",
    )


class AssessmentDetailSerializer(AssessmentSerializer):
    previous = serializers.IntegerField(allow_null=True, help_text="Number of the one before")
    comparison = ComparisonSerializer(many=True)


class AreaInputSerializer(serializers.Serializer):
    findings = serializers.CharField(allow_blank=True, required=False, default="")
    strengths = serializers.CharField(allow_blank=True, required=False, default="")
    concerns = serializers.CharField(allow_blank=True, required=False, default="")
    rating = serializers.IntegerField(required=False, allow_null=True, default=None)


class AssessmentCreateSerializer(NameWarningSerializerMixin, serializers.Serializer):
    name_warning_fields = ("summary", "areas", "voices")

    started_on = serializers.DateField(required=False, allow_null=True, default=None)
    completed_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Give it to record a complete assessment: every area must then be rated",
    )
    methods = serializers.ListField(
        child=serializers.ChoiceField(choices=AssessmentMethod.choices),
        required=False,
        default=list,
    )
    summary = serializers.CharField(allow_blank=True, required=False, default="")
    areas = serializers.DictField(
        child=AreaInputSerializer(), required=False, default=dict, help_text="By area key"
    )
    voices = VoiceSerializer(many=True, required=False, default=list)
    concerns = serializers.ListField(
        child=serializers.CharField(), required=False, default=list, help_text="References"
    )
