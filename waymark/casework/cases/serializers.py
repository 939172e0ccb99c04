"""The shapes of context cases and online spaces over the API.

Young people appear by pseudonymous reference only, never by name; a viewer who may see none of
a case's linked young people gets their count alone, through the suppression rule. Text fields
of requests are passed to the services as given, so the messages for blank or missing text are
the services' own.
"""

from typing import Any

from rest_framework import serializers

from waymark.accounts.models import Agency, User
from waymark.casework.models import (
    CaseLink,
    CaseStatus,
    ContextCase,
    LeadTransfer,
    Review,
    Screening,
    ScreeningDecision,
    SourceReliability,
    SubjectKind,
    Threshold,
)
from waymark.casework.names import NameWarningSerializerMixin
from waymark.contexts.models import OnlineSpace, OnlineSpaceKind, Ward
from waymark.contexts.places.selectors import place_list_visible_to
from waymark.core.api import EnumChoiceField, VisibleIdField


def _text(help_text: str = "", *, max_length: int) -> serializers.CharField:
    return serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        trim_whitespace=False,
        max_length=max_length,
        help_text=help_text,
        error_messages={"max_length": f"This must be {max_length} characters or fewer"},
    )


def _user_label(user: User | None) -> str | None:
    return None if user is None else (user.get_full_name() or user.username)


class CaseSerializer(serializers.ModelSerializer):
    subject_kind = EnumChoiceField(SubjectKind, read_only=True)
    status = EnumChoiceField(CaseStatus, read_only=True)
    threshold = EnumChoiceField(Threshold, read_only=True, allow_blank=True)
    subject = serializers.SerializerMethodField()
    lead_agency: Any = serializers.SlugRelatedField(slug_field="name", read_only=True)
    lead_worker = serializers.SerializerMethodField()

    class Meta:
        model = ContextCase
        fields = [
            "reference",
            "subject_kind",
            "subject",
            "status",
            "threshold",
            "lead_agency",
            "lead_worker",
            "next_review_on",
            "closed_on",
            "created_at",
        ]

    def get_subject(self, case: ContextCase) -> dict[str, Any]:
        subject: Any = case.subject
        return {
            "name": case.subject_name,
            "id": subject.pk if case.subject_kind == SubjectKind.PLACE else None,
            "reference": getattr(subject, "reference", None),
        }

    def get_lead_worker(self, case: ContextCase) -> str | None:
        return _user_label(case.lead_worker)


class ScreeningSerializer(serializers.ModelSerializer):
    decision = EnumChoiceField(ScreeningDecision, read_only=True)
    decided_by = serializers.SerializerMethodField()

    class Meta:
        model = Screening
        fields = ["decision", "reason", "decided_on", "decided_by"]

    def get_decided_by(self, screening: Screening) -> str | None:
        return _user_label(screening.decided_by)


class ReviewSerializer(serializers.ModelSerializer):
    reviewed_by = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = ["id", "held_on", "summary", "next_review_on", "reviewed_by"]

    def get_reviewed_by(self, review: Review) -> str | None:
        return _user_label(review.reviewed_by)


class TransferSerializer(serializers.ModelSerializer):
    from_agency: Any = serializers.SlugRelatedField(slug_field="name", read_only=True)
    to_agency: Any = serializers.SlugRelatedField(slug_field="name", read_only=True)
    from_worker = serializers.SerializerMethodField()
    to_worker = serializers.SerializerMethodField()

    class Meta:
        model = LeadTransfer
        fields = [
            "transferred_on",
            "from_agency",
            "from_worker",
            "to_agency",
            "to_worker",
            "reason",
        ]

    def get_from_worker(self, transfer: LeadTransfer) -> str | None:
        return _user_label(transfer.from_worker)

    def get_to_worker(self, transfer: LeadTransfer) -> str | None:
        return _user_label(transfer.to_worker)


class LinkedYoungPersonSerializer(serializers.Serializer):
    reference = serializers.CharField()
    why = serializers.ListField(child=serializers.CharField())
    practitioner_reason = serializers.CharField(
        help_text="Given only where you may see the young person's record"
    )


class LinkedSerializer(serializers.Serializer):
    count = serializers.IntegerField(
        allow_null=True, help_text="Null for 1 to 4 where you may see none of them"
    )
    young_people = LinkedYoungPersonSerializer(
        many=True, help_text="Empty where you may see none of them"
    )


class CaseDetailSerializer(CaseSerializer):
    referral = serializers.SerializerMethodField()
    screening = ScreeningSerializer(read_only=True, allow_null=True)
    reviews = ReviewSerializer(many=True, read_only=True)
    transfers = TransferSerializer(many=True, read_only=True)
    linked = serializers.SerializerMethodField()

    class Meta(CaseSerializer.Meta):
        fields = [
            *CaseSerializer.Meta.fields,
            "referral",
            "screening",
            "reviews",
            "transfers",
            "linked",
            "closure_reason",
            "closure_outcome",
        ]

    def get_referral(self, case: ContextCase) -> dict[str, Any] | None:
        referral = getattr(case, "referral", None)
        if referral is None:
            return None
        evidence = self.context.get("evidence", ([], None))
        return {
            "referred_on": referral.referred_on,
            "referred_by": _user_label(referral.referred_by),
            "referring_agency": referral.referring_agency.name,
            "reason": referral.reason,
            "source": referral.source,
            "reliability": referral.reliability,
            "concerns": evidence[0],
            "concerns_not_shown": evidence[1],
            "area_evidence": referral.area_evidence,
            "peer_group": referral.peer_group.reference if referral.peer_group else None,
        }

    def get_linked(self, case: ContextCase) -> dict[str, Any]:
        linked = self.context["linked"]
        return {
            "count": linked.count,
            "young_people": [
                {
                    "reference": row.reference,
                    "why": list(row.why),
                    "practitioner_reason": row.practitioner_reason,
                }
                for row in linked.rows
            ],
        }


class ReferSerializer(NameWarningSerializerMixin, serializers.Serializer):
    name_warning_fields = ("reason", "neighbourhood_name")

    subject_kind = EnumChoiceField(
        SubjectKind,
        error_messages={"invalid_choice": "Choose what kind of context is referred"},
    )
    place = VisibleIdField(
        selector=place_list_visible_to, required=False, allow_null=True, default=None
    )
    peer_group = serializers.CharField(
        required=False, default="", allow_blank=True, help_text="A saved peer group's reference"
    )
    online_space = serializers.CharField(
        required=False, default="", allow_blank=True, help_text="An online space's reference"
    )
    ward = serializers.PrimaryKeyRelatedField(
        queryset=Ward.objects.all(), required=False, allow_null=True, default=None
    )
    cells = serializers.ListField(
        child=serializers.CharField(max_length=20), required=False, default=list, max_length=500
    )
    neighbourhood_name = _text("For a neighbourhood: its name", max_length=200)
    reason = _text("Why the context is referred", max_length=4000)
    source = _text("The source of the information", max_length=300)  # type: ignore[assignment]
    reliability = EnumChoiceField(
        SourceReliability,
        error_messages={"invalid_choice": "Choose how reliable the source is"},
    )
    concerns = serializers.ListField(
        child=serializers.CharField(max_length=20),
        required=False,
        default=list,
        max_length=200,
        help_text="References of concerns that are evidence",
    )
    area_evidence = serializers.DictField(required=False, default=dict)
    lead_agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(), required=False, allow_null=True, default=None
    )
    lead_worker = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        default=None,
    )


class ScreenSerializer(NameWarningSerializerMixin, serializers.Serializer):
    name_warning_fields = ("reason",)

    decision = EnumChoiceField(
        ScreeningDecision,
        error_messages={"invalid_choice": "Choose a threshold, or no further action"},
    )
    reason = _text(max_length=4000)
    decided_on = serializers.DateField(required=False, allow_null=True, default=None)


class TransferInSerializer(NameWarningSerializerMixin, serializers.Serializer):
    name_warning_fields = ("reason",)

    to_agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    to_worker = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        default=None,
    )
    reason = _text(max_length=4000)


class LinkInSerializer(NameWarningSerializerMixin, serializers.Serializer):
    name_warning_fields = ("reason",)

    young_person = serializers.CharField(max_length=20, help_text="A young person's reference")
    reason = _text(max_length=300)


class CaseLinkSerializer(serializers.ModelSerializer):
    young_person: Any = serializers.SlugRelatedField(slug_field="reference", read_only=True)

    class Meta:
        model = CaseLink
        fields = ["young_person", "reason", "linked_on"]


class ReviewInSerializer(NameWarningSerializerMixin, serializers.Serializer):
    name_warning_fields = ("summary",)

    held_on = serializers.DateField(error_messages={"required": "Enter the date of the review"})
    summary = _text(max_length=4000)
    next_review_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The next review; three months after this one when not given",
    )


class CloseSerializer(NameWarningSerializerMixin, serializers.Serializer):
    name_warning_fields = ("reason",)

    reason = _text("Why the case is closed", max_length=4000)


class OnlineSpaceSerializer(NameWarningSerializerMixin, serializers.ModelSerializer):
    name_warning_fields = ("how_children_meet", "moderation", "reporting_routes")

    platform = _text(max_length=80)
    name = _text("The space's name or handle", max_length=200)
    kind = EnumChoiceField(
        OnlineSpaceKind,
        error_messages={"invalid_choice": "Choose what kind of space it is"},
    )
    how_children_meet = _text(max_length=4000)
    moderation = _text(max_length=4000)
    reporting_routes = _text(max_length=4000)

    class Meta:
        model = OnlineSpace
        fields = [
            "reference",
            "platform",
            "name",
            "kind",
            "how_children_meet",
            "moderation",
            "reporting_routes",
            "created_at",
        ]
        read_only_fields = ["reference", "created_at"]
