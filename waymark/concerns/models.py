from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from waymark.core.fields import EncryptedTextField
from waymark.core.models import RELIABILITY_IN_WORDS, Reliability, TimeStampedModel

from .taxonomy import INDICATOR_LABELS, RiskCategory

if TYPE_CHECKING:
    from waymark.people.models import YoungPerson


class SourceEvaluation(models.TextChoices):
    RELIABLE = "1", "1: Reliable"
    UNTESTED = "2", "2: Untested source"
    NOT_RELIABLE = "3", "3: Not reliable"


class InformationAssessment(models.TextChoices):
    A = "A", "A: Known directly to the source"
    B = "B", "B: Known indirectly to the source but corroborated"
    C = "C", "C: Known indirectly to the source"
    D = "D", "D: Not known"
    E = "E", "E: Suspected to be false"


class HandlingCode(models.TextChoices):
    P = "P", "P: Lawful sharing permitted"
    C = "C", "C: Lawful sharing permitted with conditions"


class InvolvementRole(models.TextChoices):
    AT_RISK = "at_risk", "At risk"
    CAUSING_HARM = "causing_harm", "Causing harm"
    WITNESS = "witness", "Witness"
    UNCLEAR = "unclear", "Unclear"


class Concern(TimeStampedModel):
    """What someone saw, heard or was told, graded for reliability and handling."""

    reference = models.CharField(max_length=12, unique=True, editable=False)
    occurred_on = models.DateField(db_index=True)
    occurred_time = models.TimeField(null=True, blank=True)
    occurred_approximate = models.BooleanField(default=False)
    recorded_at = models.DateTimeField(default=timezone.now, db_index=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="concerns_recorded"
    )
    recording_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="concerns_recorded"
    )
    place = models.ForeignKey(
        "contexts.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="concerns"
    )
    young_people: "models.ManyToManyField[YoungPerson, ConcernYoungPerson]" = (
        models.ManyToManyField(
            "people.YoungPerson", through="ConcernYoungPerson", related_name="concerns"
        )
    )
    persons_of_concern = models.ManyToManyField(
        "people.PersonOfConcern", blank=True, related_name="concerns"
    )
    narrative = EncryptedTextField()
    source_evaluation = models.CharField(max_length=1, choices=SourceEvaluation.choices)
    information_assessment = models.CharField(max_length=1, choices=InformationAssessment.choices)
    handling_code = models.CharField(max_length=1, choices=HandlingCode.choices)
    handling_conditions = EncryptedTextField(blank=True)
    handling_agencies = models.ManyToManyField(
        "accounts.Agency",
        blank=True,
        related_name="concerns_shared_with",
        help_text="With handling code C, the agencies the conditions allow to see this concern",
    )

    class Meta:
        ordering = ["-occurred_on", "-id"]
        default_permissions = ("add", "change", "delete")
        permissions = [
            (
                "view_assigned_concern",
                "View concerns about young people their agency is involved with",
            ),
            ("view_all_concern", "View every concern"),
            ("view_pseudonymised_concern", "View concerns without names or narrative"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(handling_code="C") | ~Q(handling_conditions=""),
                name="concern_handling_c_has_conditions",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def grading(self) -> str:
        return f"{self.source_evaluation}{self.information_assessment}{self.handling_code}"

    @property
    def categories(self) -> list[str]:
        return [r.category for r in self.risks.all()]


class ConcernYoungPerson(models.Model):
    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="involved")
    young_person = models.ForeignKey(
        "people.YoungPerson", on_delete=models.PROTECT, related_name="concern_links"
    )
    role = models.CharField(max_length=20, choices=InvolvementRole.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["concern", "young_person"], name="concern_young_person_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.concern} – {self.young_person} ({self.get_role_display()})"


class ConcernRisk(models.Model):
    """One risk category of a concern, with the indicators seen for it."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="risks")
    category = models.CharField(max_length=20, choices=RiskCategory.choices, db_index=True)
    indicators = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["category"]
        constraints = [
            models.UniqueConstraint(fields=["concern", "category"], name="concern_category_once")
        ]

    def __str__(self) -> str:
        return f"{self.concern} – {self.get_category_display()}"

    @property
    def indicator_labels(self) -> list[str]:
        labels = INDICATOR_LABELS.get(self.category, {})
        return [labels.get(i, i) for i in self.indicators]


class AssociationKind(models.TextChoices):
    FRIEND = "friend", "Friend"
    FAMILY = "family", "Sibling or family"
    ASSOCIATE = "associate", "Associate"
    ONLINE = "online", "Online contact"
    RELATIONSHIP = "relationship", "Relationship"
    EXPLOITING = "exploiting", "Exploiting or controlling"


class AssociationReview(models.TextChoices):
    """Whether a link takes effect.

    A link from a concern recorded by an agency not involved with a young person it names is
    held until an agency involved with that young person accepts it (ADR 0010): until then it
    is shown nowhere, used by no analysis and raises no early warning.
    """

    IN_EFFECT = "in_effect", "In effect"
    HELD = "held", "Held for review"
    REJECTED = "rejected", "Rejected on review"
    # Accepted, and added as evidence to the link already in effect for the same people.
    MERGED = "merged", "Accepted into an existing link"


class AssociationQuerySet(models.QuerySet["Association"]):
    def in_effect(self) -> "AssociationQuerySet":
        """Links that count: never held for review, or accepted. Every read that shows, analyses
        or alerts on links starts here."""
        return self.filter(review_state=AssociationReview.IN_EFFECT)

    def held_for_review(self) -> "AssociationQuerySet":
        return self.filter(review_state=AssociationReview.HELD)


class Association(TimeStampedModel):
    """A link between two young people, or a young person and a person of concern.

    Every link carries where it came from, how reliable it is, and when it must be reviewed.
    A link past its review-by date is not evidence and is left out of analysis. A link held for
    review (`review_state`) is not evidence either until an involved agency accepts it.
    """

    young_person = models.ForeignKey(
        "people.YoungPerson", on_delete=models.CASCADE, related_name="associations_from"
    )
    other_young_person = models.ForeignKey(
        "people.YoungPerson",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="associations_to",
    )
    person_of_concern = models.ForeignKey(
        "people.PersonOfConcern",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="associations",
    )
    kind = models.CharField(max_length=20, choices=AssociationKind.choices)
    reliability = models.CharField(max_length=12, choices=Reliability.choices)
    source_concerns = models.ManyToManyField(Concern, blank=True, related_name="associations")
    source_note = models.CharField(
        max_length=300, blank=True, help_text="Where the link came from, when not a concern"
    )
    first_seen = models.DateField()
    last_seen = models.DateField()
    review_by = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recording_agency = models.ForeignKey(
        "accounts.Agency", null=True, on_delete=models.PROTECT, related_name="+"
    )
    review_state = models.CharField(
        max_length=10,
        choices=AssociationReview.choices,
        default=AssociationReview.IN_EFFECT,
        db_index=True,
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(max_length=300, blank=True)
    # A link drawn by a handling-code C concern rests on that concern alone: it is kept apart
    # from the pair's other links, so that evidence anyone else adds (a manual link, a P
    # concern, another agency's C concern) never reveals it or what it says.
    handling_concern = models.ForeignKey(
        Concern, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    objects = AssociationQuerySet.as_manager()

    class Meta:
        default_permissions = ("add", "change", "delete")
        permissions = [
            (
                "view_assigned_association",
                "View links of young people their agency is involved with",
            ),
            ("view_all_association", "View every link"),
            ("review_association", "Accept or reject links held for review"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(other_young_person__isnull=False, person_of_concern__isnull=True)
                    | Q(other_young_person__isnull=True, person_of_concern__isnull=False)
                ),
                name="association_links_exactly_one_other",
            ),
            models.CheckConstraint(
                condition=Q(other_young_person__isnull=True)
                | Q(young_person__lt=F("other_young_person")),
                name="association_young_people_ordered",
            ),
            # One link in effect per pair that everyone may know of, and one per C concern; links
            # held for review stand apart until accepted.
            models.UniqueConstraint(
                fields=["young_person", "other_young_person"],
                condition=Q(
                    other_young_person__isnull=False,
                    review_state="in_effect",
                    handling_concern__isnull=True,
                ),
                name="association_young_people_once",
            ),
            models.UniqueConstraint(
                fields=["young_person", "person_of_concern"],
                condition=Q(
                    person_of_concern__isnull=False,
                    review_state="in_effect",
                    handling_concern__isnull=True,
                ),
                name="association_person_of_concern_once",
            ),
            models.UniqueConstraint(
                fields=["young_person", "other_young_person", "handling_concern"],
                condition=Q(
                    other_young_person__isnull=False,
                    review_state="in_effect",
                    handling_concern__isnull=False,
                ),
                name="association_young_people_once_per_c_concern",
            ),
            models.UniqueConstraint(
                fields=["young_person", "person_of_concern", "handling_concern"],
                condition=Q(
                    person_of_concern__isnull=False,
                    review_state="in_effect",
                    handling_concern__isnull=False,
                ),
                name="association_person_of_concern_once_per_c_concern",
            ),
            models.CheckConstraint(
                condition=Q(first_seen__lte=F("last_seen")), name="association_seen_in_order"
            ),
        ]

    def __str__(self) -> str:
        other = self.other_young_person or self.person_of_concern
        return f"{self.young_person} – {other} ({self.get_kind_display()})"

    @property
    def is_expired(self) -> bool:
        return self.review_by < timezone.localdate()

    @property
    def reliability_in_words(self) -> str:
        return RELIABILITY_IN_WORDS[Reliability(self.reliability)]


class ConcernNotice(models.Model):
    """New information about a young person, for an agency involved with them.

    Written when an agency records a concern about a young person it is not involved with: the
    agencies that hold the case hear of it (ADR 0010). The notice names the young person by
    reference only; its reader follows the link to the record their involvement lets them see.
    """

    agency = models.ForeignKey("accounts.Agency", on_delete=models.CASCADE, related_name="+")
    young_person = models.ForeignKey(
        "people.YoungPerson", on_delete=models.CASCADE, related_name="concern_notices"
    )
    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="notices")
    created_at = models.DateTimeField(default=timezone.now)
    dismissed_at = models.DateTimeField(null=True, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        default_permissions = ("view", "change")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "young_person", "concern"], name="concern_notice_once"
            )
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return (
            f"New information from {self.concern.recording_agency} "
            f"about {self.young_person.reference}"
        )


class ConcernDraft(models.Model):
    """The answers to the concern form while the recorder checks them, before the concern exists.

    Held here, encrypted like the concern's own narrative, rather than in the session: the
    session table is not encrypted. The session keeps only this row's number. A draft belongs to
    the user who wrote it, lapses with their session (`expires_at`, moved on at each save), and
    is deleted when the concern is recorded or the user signs out; `waymark maintenance` deletes
    any that lapsed.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The form's answers as JSON: {field name: [values]}.
    payload = EncryptedTextField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"Draft concern {self.pk} of user {self.user_id}"
