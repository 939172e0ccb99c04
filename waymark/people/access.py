"""Need to know: the involvements that give an agency access to a young person, and break-glass.

An involvement is the unit of legitimate access. It links an agency (and optionally one named
worker) to a young person for a purpose, under a lawful basis, from a start until it is ended.
Anyone else reaches a young person's record only through a break-glass access: an explicit,
reasoned, time-limited and audited exception.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from waymark.core.models import TimeStampedModel


class LawfulBasis(models.TextChoices):
    PUBLIC_TASK = "art6_1_e", "UK GDPR Art 6(1)(e): public task"
    LEGAL_OBLIGATION = "art6_1_c", "UK GDPR Art 6(1)(c): legal obligation"
    VITAL_INTERESTS = "art6_1_d", "UK GDPR Art 6(1)(d): vital interests"
    SAFEGUARDING = (
        "sch1_para18",
        "DPA 2018 Schedule 1 paragraph 18: safeguarding of children and individuals at risk",
    )
    LAW_ENFORCEMENT = "dpa_part3", "DPA 2018 Part 3: law enforcement"
    CONSENT = "consent", "Consent"


class InvolvementSource(models.TextChoices):
    CONCERN = "concern", "Recorded a concern"
    ADDED = "added", "Added the young person"
    ALLOCATION = "allocation", "Worker allocated"
    MANAGER = "manager", "Added by a manager"
    REQUEST = "request", "Involvement request accepted"


class InvolvementQuerySet(models.QuerySet["Involvement"]):
    def active(self, on: datetime.date | None = None) -> "InvolvementQuerySet":
        day = on or timezone.localdate()
        return self.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day), started_on__lte=day)


class Involvement(TimeStampedModel):
    agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="involvements"
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="involvements",
    )
    young_person = models.ForeignKey(
        "people.YoungPerson", on_delete=models.CASCADE, related_name="involvements"
    )
    source = models.CharField(max_length=12, choices=InvolvementSource.choices)
    purpose = models.CharField(max_length=300)
    lawful_basis = models.CharField(max_length=12, choices=LawfulBasis.choices)
    started_on = models.DateField(default=timezone.localdate)
    ended_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = InvolvementQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "-id"]
        indexes = [models.Index(fields=["agency", "young_person"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="involvement_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency} with {self.young_person}"

    @property
    def is_active(self) -> bool:
        today = timezone.localdate()
        return self.started_on <= today and (self.ended_on is None or self.ended_on > today)


class BreakGlassQuerySet(models.QuerySet["BreakGlass"]):
    def current(self) -> "BreakGlassQuerySet":
        return self.filter(expires_at__gt=timezone.now())


class BreakGlass(models.Model):
    """A user opened a record they had no involvement with, saying why. It lapses by itself."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass"
    )
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    young_person = models.ForeignKey(
        "people.YoungPerson", on_delete=models.CASCADE, related_name="break_glass"
    )
    reason = models.TextField()
    opened_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    objects = BreakGlassQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = "break-glass access"
        verbose_name_plural = "break-glass accesses"

    def __str__(self) -> str:
        return f"{self.user} opened {self.young_person}"


class InvolvementRequestKind(models.TextChoices):
    # An agency not involved asks to become involved; a manager of an involved agency decides.
    REQUEST = "request", "Asked to become involved"
    # A manager of an involved agency proposes another agency; that agency's manager decides.
    OFFER = "offer", "Proposed by an involved agency"


class InvolvementRequestState(models.TextChoices):
    PENDING = "pending", "Awaiting a decision"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class InvolvementRequest(TimeStampedModel):
    """A proposed involvement, with its purpose and lawful basis, awaiting the other side.

    Nobody starts another agency's involvement alone: an agency asks and an involved agency's
    manager decides, or an involved agency proposes and the other agency's manager decides.
    Accepting starts the involvement.
    """

    kind = models.CharField(max_length=8, choices=InvolvementRequestKind.choices)
    agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="involvement_requests"
    )
    young_person = models.ForeignKey(
        "people.YoungPerson", on_delete=models.CASCADE, related_name="involvement_requests"
    )
    purpose = models.CharField(max_length=300)
    lawful_basis = models.CharField(max_length=12, choices=LawfulBasis.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_by_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        max_length=8,
        choices=InvolvementRequestState.choices,
        default=InvolvementRequestState.PENDING,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=300, blank=True)
    involvement = models.ForeignKey(
        Involvement, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        default_permissions = ("add", "change")

    def __str__(self) -> str:
        return f"{self.agency} with {self.young_person.reference} ({self.get_state_display()})"
