"""What the partners API answers, and what it takes. The services validate the writes."""

from rest_framework import serializers

from waymark.casework.models import (
    Action,
    ActionStatus,
    Guardianship,
    Partner,
    PartnerContact,
    PartnerKind,
    TrainingRecord,
)
from waymark.casework.names import NameWarningSerializerMixin
from waymark.contexts.places.selectors import place_list_visible_to
from waymark.core.api import EnumChoiceField, VisibleIdField

from .services import (
    CONTACT_NAME_MAX_LENGTH,
    CONTACT_ROLE_MAX_LENGTH,
    COURSE_MAX_LENGTH,
    EMAIL_MAX_LENGTH,
    HOURS_MAX_LENGTH,
    NAME_MAX_LENGTH,
    NOTES_MAX_LENGTH,
    PHONE_MAX_LENGTH,
)


class PartnerSerializer(serializers.ModelSerializer):
    kind = EnumChoiceField(PartnerKind, read_only=True)
    agency_name = serializers.CharField(source="agency.name", read_only=True)

    class Meta:
        model = Partner
        fields = ["id", "name", "kind", "agency", "agency_name", "notes", "created_at"]
        read_only_fields = fields


class PartnerWriteSerializer(NameWarningSerializerMixin, serializers.Serializer):
    """What `partner_create` and `partner_update` take. The partner's agency is the writer's.
    A contact's name is meant to be a name, of an adult: only the notes are checked."""

    name_warning_fields = ("notes",)

    name = serializers.CharField(max_length=NAME_MAX_LENGTH)
    kind = EnumChoiceField(PartnerKind)
    notes = serializers.CharField(max_length=NOTES_MAX_LENGTH, required=False, allow_blank=True)


class PartnerContactSerializer(serializers.ModelSerializer):
    name = serializers.CharField(max_length=CONTACT_NAME_MAX_LENGTH)
    role = serializers.CharField(
        max_length=CONTACT_ROLE_MAX_LENGTH, required=False, allow_blank=True
    )
    phone = serializers.CharField(max_length=PHONE_MAX_LENGTH, required=False, allow_blank=True)
    email = serializers.CharField(max_length=EMAIL_MAX_LENGTH, required=False, allow_blank=True)

    class Meta:
        model = PartnerContact
        fields = ["id", "name", "role", "phone", "email"]
        read_only_fields = ["id"]


class GuardianshipSerializer(serializers.ModelSerializer):
    place = VisibleIdField(selector=place_list_visible_to)
    place_name = serializers.CharField(source="place.name", read_only=True)
    hours = serializers.CharField(
        max_length=HOURS_MAX_LENGTH, help_text="For example Mon-Sat 07:00-22:00"
    )

    class Meta:
        model = Guardianship
        fields = ["id", "place", "place_name", "hours"]
        read_only_fields = ["id", "place_name"]


class TrainingRecordSerializer(serializers.ModelSerializer):
    course = serializers.CharField(max_length=COURSE_MAX_LENGTH)
    number_trained = serializers.IntegerField(
        min_value=1,
        error_messages={"min_value": "The number of staff trained must be 1 or more"},
    )

    class Meta:
        model = TrainingRecord
        fields = ["id", "course", "delivered_on", "number_trained", "refresh_due"]
        read_only_fields = ["id"]
        # The service checks the dates against each other, with a clearer message than the
        # model's check constraint would give.
        validators: list[object] = []


class PartnerActionSerializer(serializers.ModelSerializer):
    case = serializers.CharField(source="goal.plan.case.reference", read_only=True)
    subject = serializers.CharField(
        source="goal.plan.case.subject_name", read_only=True, help_text="The case's context"
    )
    goal = serializers.CharField(source="goal.outcome", read_only=True)
    status = EnumChoiceField(ActionStatus, read_only=True)

    class Meta:
        model = Action
        fields = ["id", "case", "subject", "goal", "description", "due_on", "status"]
        read_only_fields = fields
