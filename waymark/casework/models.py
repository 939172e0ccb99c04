"""Context cases ("Level 2"): a place, a peer group, an online space or a neighbourhood as the
subject of a case with its own referral, screening, assessments, plan, reviews and outcome; and
the partner organisations who carry out the plan.

Context records are about the context. Named individuals appear on them as little as possible:
children are linked to a case (`CaseLink`) and shown through the naming primitive, never typed
into its text.
"""

from django.conf import settings
from django.db import models

from waymark.core.fields import EncryptedCharField
from waymark.core.models import EncryptedModel, TimeStampedModel


class SubjectKind(models.TextChoices):
    PLACE = "place", "Place"
    PEER_GROUP = "peer_group", "Peer group"
    ONLINE_SPACE = "online_space", "Online space"
    NEIGHBOURHOOD = "neighbourhood", "Neighbourhood"


class Threshold(models.TextChoices):
    """The context thresholds, mirroring the child wellbeing levels."""

    UNIVERSAL = "universal", "Universal"
    PARTNERSHIP_PLUS = "partnership_plus", "Universal Plus / Partnership Plus"
    COMPLEX = "complex", "Complex / High risk"


class ScreeningDecision(models.TextChoices):
    UNIVERSAL = Threshold.UNIVERSAL.value, Threshold.UNIVERSAL.label
    PARTNERSHIP_PLUS = Threshold.PARTNERSHIP_PLUS.value, Threshold.PARTNERSHIP_PLUS.label
    COMPLEX = Threshold.COMPLEX.value, Threshold.COMPLEX.label
    NO_FURTHER_ACTION = "no_further_action", "No further action"


class CaseStatus(models.TextChoices):
    REFERRED = "referred", "Referred"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"
    NO_FURTHER_ACTION = "no_further_action", "No further action"


class SourceReliability(models.TextChoices):
    RELIABLE = "reliable", "Reliable"
    MOSTLY_RELIABLE = "mostly_reliable", "Mostly reliable"
    UNTESTED = "untested", "Untested"
    UNRELIABLE = "unreliable", "Not reliable"


class ContextCase(TimeStampedModel):
    """A context as a case. Its subject is exactly one place (a school is a place of kind
    school), peer group, online space or neighbourhood."""

    reference = models.CharField(max_length=12, unique=True, editable=False)
    subject_kind = models.CharField(max_length=20, choices=SubjectKind.choices)
    place = models.ForeignKey(
        "contexts.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    peer_group = models.ForeignKey(
        "contexts.PeerGroup", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    online_space = models.ForeignKey(
        "contexts.OnlineSpace",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    neighbourhood = models.ForeignKey(
        "contexts.Neighbourhood",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    status = models.CharField(
        max_length=20, choices=CaseStatus.choices, default=CaseStatus.REFERRED, db_index=True
    )
    threshold = models.CharField(max_length=20, choices=Threshold.choices, blank=True)
    lead_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="context_cases"
    )
    lead_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="context_cases",
    )
    # Kept by the services from the plan and the reviews, so that lists and dashboards can find
    # overdue cases with one indexed comparison.
    next_review_on = models.DateField(null=True, blank=True, db_index=True)
    closed_on = models.DateField(null=True, blank=True)
    closure_reason = models.TextField(blank=True)
    # The outcome reading at the date of closure, as it was shown then.
    closure_outcome = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_review_on"])]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        subject_kind=SubjectKind.PLACE,
                        place__isnull=False,
                        peer_group__isnull=True,
                        online_space__isnull=True,
                        neighbourhood__isnull=True,
                    )
                    | models.Q(
                        subject_kind=SubjectKind.PEER_GROUP,
                        place__isnull=True,
                        peer_group__isnull=False,
                        online_space__isnull=True,
                        neighbourhood__isnull=True,
                    )
                    | models.Q(
                        subject_kind=SubjectKind.ONLINE_SPACE,
                        place__isnull=True,
                        peer_group__isnull=True,
                        online_space__isnull=False,
                        neighbourhood__isnull=True,
                    )
                    | models.Q(
                        subject_kind=SubjectKind.NEIGHBOURHOOD,
                        place__isnull=True,
                        peer_group__isnull=True,
                        online_space__isnull=True,
                        neighbourhood__isnull=False,
                    )
                ),
                name="context_case_one_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject_name} ({self.reference})"

    @property
    def subject(self) -> models.Model:
        subject: models.Model | None = {
            SubjectKind.PLACE: self.place,
            SubjectKind.PEER_GROUP: self.peer_group,
            SubjectKind.ONLINE_SPACE: self.online_space,
            SubjectKind.NEIGHBOURHOOD: self.neighbourhood,
        }[SubjectKind(self.subject_kind)]
        if subject is None:  # the check constraint holds exactly one
            raise ValueError(f"Context case {self.pk} has no {self.subject_kind}")
        return subject

    @property
    def subject_name(self) -> str:
        subject = self.subject
        return str(getattr(subject, "name", subject))

    @property
    def is_school(self) -> bool:
        return self.place is not None and self.place.kind == "school"


class Referral(TimeStampedModel):
    """Why the context was referred, by whom, and on what evidence."""

    case = models.OneToOneField(ContextCase, on_delete=models.CASCADE, related_name="referral")
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    referring_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="+"
    )
    referred_on = models.DateField()
    reason = models.TextField()
    source = models.CharField(max_length=300)
    reliability = models.CharField(max_length=20, choices=SourceReliability.choices)
    concerns = models.ManyToManyField(
        "concerns.Concern", blank=True, related_name="context_referrals"
    )
    # The analysis the referral came from, as it read when it was made: the cells, the period,
    # Gi* z, the emerging category and the concern count (published, so already suppressed).
    area_evidence = models.JSONField(default=dict, blank=True)
    peer_group = models.ForeignKey(
        "contexts.PeerGroup", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"Referral of {self.case_id}"


class Screening(TimeStampedModel):
    """The screening decision: a threshold, or no further action. One per case."""

    case = models.OneToOneField(ContextCase, on_delete=models.CASCADE, related_name="screening")
    decision = models.CharField(max_length=20, choices=ScreeningDecision.choices)
    reason = models.TextField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField()

    def __str__(self) -> str:
        return f"Screening of {self.case_id}: {self.decision}"


class AssessmentKind(models.TextChoices):
    LOCATION = "location", "Location or neighbourhood assessment"
    PEER_GROUP = "peer_group", "Peer group assessment"
    SCHOOL = "school", "School assessment"
    ONLINE_SPACE = "online_space", "Online space assessment"


class AssessmentMethod(models.TextChoices):
    OBSERVATION = "observation", "Observation visit"
    BUSINESS_SURVEY = "business_survey", "Business survey"
    YOUTH_PANEL = "youth_panel", "Youth panel"
    FOCUS_GROUP = "focus_group", "Focus group"
    SAFETY_MAPPING = "safety_mapping", "Safety mapping"
    STUDENT_SURVEY = "student_survey", "Student, parent or staff survey"


class Assessment(TimeStampedModel):
    """One assessment of the context. A later one of the same case is a re-assessment, and is
    compared side by side with the one before it."""

    case = models.ForeignKey(ContextCase, on_delete=models.CASCADE, related_name="assessments")
    kind = models.CharField(max_length=20, choices=AssessmentKind.choices)
    number = models.PositiveSmallIntegerField()
    started_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True)
    methods = models.JSONField(default=list, blank=True)  # AssessmentMethod values
    summary = models.TextField(blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    concerns = models.ManyToManyField(
        "concerns.Concern", blank=True, related_name="context_assessments"
    )

    class Meta:
        ordering = ["case", "number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="assessment_number_once")
        ]

    def __str__(self) -> str:
        return f"Assessment {self.number} of {self.case_id}"


class AssessmentArea(models.Model):
    """One side of the triangle, or one area of a school's or a group's assessment, with its
    findings and its rating on the scale its instrument states (`instruments.py`)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="areas")
    area = models.CharField(max_length=30)
    findings = models.TextField(blank=True)
    strengths = models.TextField(blank=True)
    concerns = models.TextField(blank=True)
    rating = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["assessment", "id"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["assessment", "area"], name="assessment_area_once")
        ]

    def __str__(self) -> str:
        return f"{self.area} of assessment {self.assessment_id}"


class YoungVoice(models.Model):
    """What young people said, in their words. No names by default: `attributed_to` describes,
    for example "a girl in Year 9", and is blank unless the young person chose otherwise."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="voices")
    quote = models.TextField()
    attributed_to = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["assessment", "id"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"Voice in assessment {self.assessment_id}"


class ContextPlan(TimeStampedModel):
    case = models.OneToOneField(ContextCase, on_delete=models.CASCADE, related_name="plan")
    started_on = models.DateField()
    summary = models.TextField(blank=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"Plan for {self.case_id}"


class Goal(TimeStampedModel):
    """An outcome: a change in the context, derived from an assessment finding."""

    plan = models.ForeignKey(ContextPlan, on_delete=models.CASCADE, related_name="goals")
    outcome = models.TextField()
    finding = models.ForeignKey(AssessmentArea, on_delete=models.PROTECT, related_name="goals")
    indicator = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["plan", "id"]

    def __str__(self) -> str:
        return self.outcome[:60]


class GoalMeasure(models.Model):
    """A measure a worker enters for a goal's indicator: a survey score, a count of trained
    staff. Read over time beside the re-assessment ratings."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="measures")
    measured_on = models.DateField()
    value = models.FloatField()
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["goal", "measured_on", "id"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.value} on {self.measured_on}"


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class OwnerKind(models.TextChoices):
    AGENCY = "agency", "An agency"
    WORKER = "worker", "A named worker"
    PARTNER = "partner", "A partner organisation"


class Action(TimeStampedModel):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    owner_kind = models.CharField(max_length=10, choices=OwnerKind.choices)
    owner_agency = models.ForeignKey(
        "accounts.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner_partner = models.ForeignKey(
        "Partner", null=True, blank=True, on_delete=models.PROTECT, related_name="actions"
    )
    due_on = models.DateField(db_index=True)
    status = models.CharField(
        max_length=12, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    completed_on = models.DateField(null=True, blank=True)
    evidence = models.TextField(blank=True)
    # Shown on the page of each young person linked to the case.
    relevant_to_children = models.BooleanField(default=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        owner_kind=OwnerKind.AGENCY,
                        owner_agency__isnull=False,
                        owner_worker__isnull=True,
                        owner_partner__isnull=True,
                    )
                    | models.Q(
                        owner_kind=OwnerKind.WORKER,
                        owner_worker__isnull=False,
                        owner_partner__isnull=True,
                    )
                    | models.Q(
                        owner_kind=OwnerKind.PARTNER,
                        owner_partner__isnull=False,
                        owner_worker__isnull=True,
                    )
                ),
                name="action_has_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.description[:60]


class Review(TimeStampedModel):
    case = models.ForeignKey(ContextCase, on_delete=models.CASCADE, related_name="reviews")
    held_on = models.DateField()
    summary = models.TextField()
    next_review_on = models.DateField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["case", "held_on", "id"]

    def __str__(self) -> str:
        return f"Review of {self.case_id} on {self.held_on}"


class LeadTransfer(models.Model):
    """A change of lead agency or lead worker, kept so the case's ownership has a history."""

    case = models.ForeignKey(ContextCase, on_delete=models.CASCADE, related_name="transfers")
    from_agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    from_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    to_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField()
    transferred_on = models.DateField()
    transferred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["case", "transferred_on", "id"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"Transfer of {self.case_id} on {self.transferred_on}"


class CaseLink(models.Model):
    """A practitioner's link between a young person and a context case, with its reason.

    Children linked through concerns at the place, membership of the peer group or being a pupil
    of the school are found by the selectors and need no row here.
    """

    case = models.ForeignKey(ContextCase, on_delete=models.CASCADE, related_name="links")
    young_person = models.ForeignKey(
        "people.YoungPerson", on_delete=models.CASCADE, related_name="context_case_links"
    )
    reason = models.CharField(max_length=300)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    linked_on = models.DateField()

    class Meta:
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["case", "young_person"], name="case_link_once")
        ]

    def __str__(self) -> str:
        return f"{self.young_person_id} linked to {self.case_id}"


class PartnerKind(models.TextChoices):
    BUSINESS = "business", "Business or retail"
    TAKEAWAY = "takeaway", "Takeaway"
    LICENSED = "licensed", "Licensed premises"
    HOTEL = "hotel", "Hotel or B&B"
    TAXI = "taxi", "Taxi or private-hire firm"
    TRANSPORT = "transport", "Transport operator"
    FAITH_COMMUNITY = "faith_community", "Faith or community group"
    HOUSING = "housing", "Housing provider"
    LEISURE = "leisure", "Leisure"
    OTHER = "other", "Other"


class Partner(TimeStampedModel):
    """An organisation that shapes a context and carries out actions in context plans. The
    agency that owns the relationship hands the partner its actions and keeps its training
    records up to date."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=PartnerKind.choices)
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="partners")
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["name", "kind"], name="partner_once")]

    def __str__(self) -> str:
        return self.name


class PartnerContact(EncryptedModel, TimeStampedModel):
    """A person at a partner organisation. Their personal fields are encrypted."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="contacts")
    name = EncryptedCharField(max_length=200)
    role = models.CharField(max_length=120, blank=True)
    phone = EncryptedCharField(max_length=40, blank=True)
    email = EncryptedCharField(max_length=254, blank=True)

    class Meta:
        ordering = ["partner", "id"]

    def __str__(self) -> str:
        return f"Contact {self.pk} at {self.partner_id}"


class Guardianship(models.Model):
    """A partner is a guardian of a place: adults with caring intent, present at these hours."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="guardianships")
    place = models.ForeignKey(
        "contexts.Place", on_delete=models.PROTECT, related_name="guardianships"
    )
    hours = models.CharField(max_length=200)

    class Meta:
        ordering = ["partner", "id"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["partner", "place"], name="guardianship_once")
        ]

    def __str__(self) -> str:
        return f"{self.partner_id} at {self.place_id}"


class TrainingRecord(models.Model):
    """Training a partner's staff received, for example exploitation awareness for hotel or
    taxi staff, and when it is due to be refreshed."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="training")
    course = models.CharField(max_length=200)
    delivered_on = models.DateField()
    number_trained = models.PositiveIntegerField()
    refresh_due = models.DateField(db_index=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["partner", "-delivered_on", "id"]
        default_permissions = ()
        constraints = [
            models.CheckConstraint(
                condition=models.Q(refresh_due__gt=models.F("delivered_on")),
                name="training_refresh_after_delivery",
            )
        ]

    def __str__(self) -> str:
        return f"{self.course} on {self.delivered_on}"
