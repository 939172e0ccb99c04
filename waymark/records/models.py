"""Records of record-keeping: legal holds, what retention erased, and de-identified tallies.

None of these tables holds a name, a narrative or any other value of an erased record. A legal
hold's reason is written by a manager and must not name anyone (the service says so).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class LegalHoldQuerySet(models.QuerySet["LegalHold"]):
    def active(self) -> "LegalHoldQuerySet":
        return self.filter(lifted_at__isnull=True)


class LegalHold(models.Model):
    """A young person's record must not be erased, whatever its retention date says.

    A hold on a young person protects their concerns and associations too (see
    `waymark.records.selectors`). A lifted hold is kept as history; PROTECT means the database
    itself refuses to delete a young person who has any hold, so erasure removes lifted holds
    explicitly, with an audit event each.
    """

    young_person = models.ForeignKey(
        "people.YoungPerson", on_delete=models.PROTECT, related_name="legal_holds"
    )
    reason = models.CharField(max_length=500, help_text="Why, e.g. a claim or inquiry reference")
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(default=timezone.now)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_reason = models.CharField(max_length=500, blank=True)

    objects = LegalHoldQuerySet.as_manager()

    class Meta:
        ordering = ["-placed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(lifted_at__isnull=True) | Q(lifted_at__gte=models.F("placed_at")),
                name="legal_hold_lifted_after_placed",
            ),
        ]

    def __str__(self) -> str:
        state = "lifted" if self.lifted_at else "active"
        return f"Legal hold on {self.young_person} ({state})"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


class Erasure(models.Model):
    """One record whose personal data retention erased: which record, under which rule, when.

    For records that are deleted this is history; for concerns, which are kept de-identified,
    it is also how review knows not to list them again (the narrative cannot be filtered on:
    it is encrypted at rest).
    """

    record_type = models.CharField(max_length=60)  # e.g. "concerns.concern"
    object_id = models.CharField(max_length=40)
    rule = models.CharField(max_length=40)
    erased_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-erased_at", "-id"]
        constraints = [
            # Only a kept (de-identified) record can be listed twice by mistake; a deleted
            # row's id may be reused by SQLite, so deleted types are not constrained.
            models.UniqueConstraint(
                fields=["record_type", "object_id"],
                condition=Q(record_type="concerns.concern"),
                name="erasure_once_per_kept_record",
            )
        ]

    def __str__(self) -> str:
        return f"{self.record_type}:{self.object_id} erased under {self.rule}"


class ErasedRecordTally(models.Model):
    """De-identified counts of erased records, so analytics over time survive erasure.

    One row per record type, rule, month, ward and category. `month` is the first day of the
    month of the record's own event (when a young person came to notice, when a concern
    happened, when a link was first seen, when a flag was due for review). `category` is a
    non-identifying code (an association's kind, a flag's kind), or blank. Publish these only
    with small counts suppressed, as every aggregate.
    """

    record_type = models.CharField(max_length=60)
    rule = models.CharField(max_length=40)
    month = models.DateField()
    ward = models.ForeignKey(
        "contexts.Ward", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    category = models.CharField(max_length=40, blank=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["record_type", "month"]
        # One row per key is kept by the service, which updates it under the audit chain lock
        # (a unique constraint cannot treat a null ward as one value on every engine).
        indexes = [models.Index(fields=["record_type", "rule", "month"])]

    def __str__(self) -> str:
        return f"{self.count} {self.record_type} erased under {self.rule} ({self.month:%Y-%m})"
