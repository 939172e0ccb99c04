"""What the peer-groups API answers, and how OpenAPI describes it.

Young people appear by pseudonymous reference only; every link carries its kind, reliability,
source, dates and review-by date.
"""

from typing import Any

from django.db.models import TextChoices
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from waymark.concerns.models import AssociationKind
from waymark.concerns.taxonomy import RiskCategory
from waymark.contexts.models import (
    DetectedGroup,
    PeerAlert,
    PeerAlertKind,
    PeerGroup,
    Vulnerability,
)
from waymark.core.api import EnumChoiceField
from waymark.core.models import Reliability

from .peer_map import CO_INVOLVEMENT, CO_INVOLVEMENT_LABEL
from .selectors import GroupProfile, detected_group_list_visible_to
from .services import DESCRIPTION_MAX_LENGTH, NAME_MAX_LENGTH


class PeerNodeKind(TextChoices):
    YOUNG_PERSON = "young_person", "Young person"
    PERSON_OF_CONCERN = "person_of_concern", "Person of concern"


# The kinds of link on a peer map: every kind of association, and co-involvement.
PeerLinkKind = TextChoices(  # type: ignore[call-overload]
    "PeerLinkKind",
    [(k.name, (k.value, k.label)) for k in AssociationKind]
    + [("CO_INVOLVEMENT", (CO_INVOLVEMENT, CO_INVOLVEMENT_LABEL))],
)


class LineStyle(TextChoices):
    SOLID = "solid", "Solid: confirmed"
    DASHED = "dashed", "Dashed: tentative"
    DOTTED = "dotted", "Dotted: unconfirmed"


class GroupSummarySerializer(serializers.Serializer):
    number = serializers.IntegerField(source="group.number")
    vulnerability = EnumChoiceField(Vulnerability, source="group.vulnerability")
    reasons = serializers.ListField(
        child=serializers.CharField(), source="group.reasons", help_text="The facts behind it"
    )
    size = serializers.IntegerField(help_text="Members")
    age_min = serializers.IntegerField(allow_null=True)
    age_max = serializers.IntegerField(allow_null=True)
    open_exploitation = serializers.IntegerField(
        help_text="Members with a concern about exploitation in the last six months"
    )
    schools = serializers.IntegerField(help_text="Schools the members attend")
    persons_of_concern = serializers.IntegerField(help_text="Linked to members now")
    flagged_persons_of_concern = serializers.IntegerField(help_text="Of them, with current flags")
    first_detected = serializers.DateTimeField(source="group.first_detected.computed_at")
    last_detected = serializers.DateTimeField(source="group.last_detected.computed_at")


class SchoolCountSerializer(serializers.Serializer):
    name = serializers.CharField()
    members = serializers.IntegerField()

    def to_representation(self, instance: Any) -> dict[str, Any]:
        name, members = instance
        return {"name": name, "members": members}


class CategoryCountSerializer(serializers.Serializer):
    category = EnumChoiceField(RiskCategory)
    # Declared fields are lifted off the class by the serializer's metaclass: no clash with
    # Field.label or Field.source at run time.
    label = serializers.CharField()  # type: ignore[assignment]
    concerns = serializers.IntegerField(help_text="Distinct concerns about members")
    members = serializers.IntegerField(help_text="Members with at least one")


class PlaceCountSerializer(serializers.Serializer):
    place = serializers.IntegerField(source="place_id")
    name = serializers.CharField()
    concerns = serializers.IntegerField()


class LinkedPersonOfConcernSerializer(serializers.Serializer):
    reference = serializers.CharField()
    flags = serializers.ListField(child=serializers.CharField(), help_text="Current flags")
    members = serializers.IntegerField(help_text="Members with a current link to them")


class MemberStrengthsSerializer(serializers.Serializer):
    reference = serializers.CharField(source="person.reference")
    strengths = serializers.CharField()
    own_words = serializers.CharField()


class GroupProfileSerializer(serializers.Serializer):
    size = serializers.IntegerField()
    members = serializers.SerializerMethodField(help_text="References of the members")
    age_min = serializers.IntegerField(allow_null=True)
    age_max = serializers.IntegerField(allow_null=True)
    schools = SchoolCountSerializer(many=True)
    school_not_recorded = serializers.IntegerField()
    concerns_by_category = CategoryCountSerializer(many=True, source="categories")
    open_exploitation = serializers.IntegerField()
    open_exploitation_share = serializers.FloatField()
    places = PlaceCountSerializer(many=True)
    persons_of_concern = LinkedPersonOfConcernSerializer(many=True)
    vulnerability = EnumChoiceField(Vulnerability)
    reasons = serializers.ListField(child=serializers.CharField())
    strengths = MemberStrengthsSerializer(many=True, help_text="Only for members the user may see")
    strengths_not_shown = serializers.IntegerField(
        help_text="Members whose strengths stay with the agencies involved with them"
    )
    concerns_since = serializers.DateField(source="window_start")

    def get_members(self, profile: GroupProfile) -> list[str]:
        return sorted(m.reference for m in profile.members)


class NodeSerializer(serializers.Serializer):
    id = serializers.CharField()
    reference = serializers.CharField()
    kind = EnumChoiceField(PeerNodeKind)
    group = serializers.IntegerField(allow_null=True, help_text="Detected group now")
    flags = serializers.ListField(child=serializers.CharField())
    focus = serializers.BooleanField(help_text="The young person whose network this is")
    steps = serializers.IntegerField(allow_null=True)


class LinkSourceSerializer(serializers.Serializer):
    concern = serializers.CharField(
        allow_null=True, help_text="A concern's reference, when the user may see it"
    )
    description = serializers.CharField(source="label")

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["concern"] = data["concern"] or None
        return data


class LinkSerializer(serializers.Serializer):
    """A link as the user may see it. Outside their need to know, only that it exists: `details`
    is false and kind, reliability, line style, sources and dates are empty."""

    id = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]
    target = serializers.CharField()
    details = serializers.BooleanField(
        help_text="The user may read the link's kind, reliability, sources and dates"
    )
    kind = EnumChoiceField(PeerLinkKind, allow_null=True)
    reliability = EnumChoiceField(Reliability, allow_null=True)
    line_style = EnumChoiceField(LineStyle, allow_null=True)
    sources = LinkSourceSerializer(many=True)
    first_seen = serializers.DateField(allow_null=True)
    last_seen = serializers.DateField(allow_null=True)
    review_by = serializers.DateField(allow_null=True)

    def to_representation(self, instance: Any) -> dict[str, Any]:
        if not instance.details:
            return {
                "id": instance.id,
                "source": instance.source,
                "target": instance.target,
                "details": False,
                **dict.fromkeys(["kind", "reliability", "line_style"]),
                "sources": [],
                **dict.fromkeys(["first_seen", "last_seen", "review_by"]),
            }
        return super().to_representation(instance)


class NetworkSerializer(serializers.Serializer):
    nodes = NodeSerializer(many=True)
    links = LinkSerializer(many=True)
    not_shown = serializers.IntegerField(help_text="People two steps away left out")


class GroupDetailSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    active = serializers.BooleanField(help_text="Found by the latest detection")
    profile = GroupProfileSerializer()
    nodes = NodeSerializer(many=True)
    links = LinkSerializer(many=True)


class BridgeSerializer(serializers.Serializer):
    reference = serializers.CharField(source="person.reference")
    group = serializers.IntegerField(allow_null=True)
    linked_groups = serializers.ListField(child=serializers.IntegerField())
    betweenness = serializers.FloatField()


class PersonOfConcernBridgeSerializer(serializers.Serializer):
    reference = serializers.CharField()
    flags = serializers.ListField(child=serializers.CharField())
    groups = serializers.ListField(child=serializers.IntegerField())
    young_people = serializers.IntegerField()


class KeyConnectionsSerializer(serializers.Serializer):
    young_people = BridgeSerializer(many=True)
    persons_of_concern = PersonOfConcernBridgeSerializer(many=True)


class SavedPeerGroupSerializer(serializers.ModelSerializer):
    detected_group = serializers.IntegerField(
        source="detected_group.number", allow_null=True, default=None
    )
    members = serializers.SerializerMethodField()
    created_by = serializers.CharField(source="created_by.username", default=None)
    created_by_agency = serializers.CharField(source="created_by_agency.name", default=None)

    class Meta:
        model = PeerGroup
        fields = [
            "reference",
            "name",
            "description",
            "detected_group",
            "members",
            "created_at",
            "created_by",
            "created_by_agency",
        ]
        read_only_fields = fields

    def get_members(self, group: PeerGroup) -> list[str]:
        return sorted(m.young_person.reference for m in group.memberships.all())


class SavedPeerGroupDetailSerializer(SavedPeerGroupSerializer):
    profile = serializers.SerializerMethodField()

    class Meta(SavedPeerGroupSerializer.Meta):
        fields = [*SavedPeerGroupSerializer.Meta.fields, "profile"]
        read_only_fields = fields

    @extend_schema_field(GroupProfileSerializer)
    def get_profile(self, group: PeerGroup) -> dict[str, Any]:
        # Worked out by the view, for the user asking: strengths only for members they may see.
        return dict(GroupProfileSerializer(self.context["profile"]).data)


class SavedPeerGroupCreateSerializer(serializers.Serializer):
    detected_group = serializers.IntegerField(help_text="The number of a current detected group")
    name = serializers.CharField(
        max_length=NAME_MAX_LENGTH,
        help_text="Name it by where or how the group meets, never after a child",
        error_messages={
            "required": "Enter a name for the peer group",
            "blank": "Enter a name for the peer group",
            "max_length": f"The name must be {NAME_MAX_LENGTH} characters or fewer",
        },
    )
    description = serializers.CharField(
        max_length=DESCRIPTION_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        error_messages={
            "max_length": f"The description must be {DESCRIPTION_MAX_LENGTH} characters or fewer"
        },
    )

    def validate_detected_group(self, number: int) -> DetectedGroup:
        user = self.context["request"].user
        found = detected_group_list_visible_to(user=user).filter(number=number).first()
        if found is None:
            raise serializers.ValidationError(f"No current detected group has the number {number}")
        return found


class PeerAlertSerializer(serializers.ModelSerializer):
    young_person = serializers.CharField(source="young_person.reference")
    kind = EnumChoiceField(PeerAlertKind)
    detected_group = serializers.IntegerField(
        source="detected_group.number", allow_null=True, default=None
    )
    person_of_concern = serializers.CharField(
        source="person_of_concern.reference", allow_null=True, default=None
    )

    class Meta:
        model = PeerAlert
        fields = [
            "id",
            "young_person",
            "kind",
            "reason",
            "detected_group",
            "person_of_concern",
            "created_at",
            "acknowledged_at",
            "acknowledged_note",
        ]
        read_only_fields = fields


class AcknowledgeSerializer(serializers.Serializer):
    note = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default="", help_text="What you did"
    )


class GroupFilterSerializer(serializers.Serializer):
    vulnerability = EnumChoiceField(Vulnerability, required=False)
