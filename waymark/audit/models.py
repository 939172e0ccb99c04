from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditAction(models.TextChoices):
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    DELETE = "delete", "Deleted"
    VIEW = "view", "Viewed"
    SEARCH = "search", "Searched"
    EXPORT = "export", "Exported"
    # Authentication and access control: who got in, who was kept out, and what was refused.
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    SIGN_OUT = "sign_out", "Signed out"
    TWO_FACTOR_FAILED = "2fa_failed", "Two-factor code refused"
    LOCKED_OUT = "locked_out", "Locked out"
    TOKEN_ISSUED = "token_issued", "API token issued"
    TOKEN_REVOKED = "token_revoked", "API token revoked"
    REFUSED = "refused", "Access refused"


class AuditEvent(models.Model):
    """One write or read of a record. Field names are kept, never field values.

    Events form a keyed hash chain (see `waymark.audit.chain`): each stores the hash of the
    event before it, and signed checkpoints kept outside the database fix its head from time to
    time (`waymark.audit.checkpoints`). Write them only through `waymark.audit.services`, which takes the chain lock. On
    PostgreSQL a trigger refuses UPDATE and DELETE of these rows (migration 0003).
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        "accounts.Agency", null=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40, blank=True)
    changed_fields = models.JSONField(default=list, blank=True)
    purpose = models.CharField(max_length=500, blank=True)
    request_id = models.CharField(max_length=32, blank=True)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)
    # The canonical form the hash uses (`waymark.audit.chain`): 2, keyed, for every new event;
    # 1, unkeyed, for events written before the audit key, which only a checkpoint vouches for.
    hash_version = models.PositiveSmallIntegerField(default=2, editable=False)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        constraints = [
            # A chain has one successor per event: two writers that both chained onto the same
            # predecessor (a fork) cannot both commit, whatever the lock did.
            models.UniqueConstraint(fields=["prev_hash"], name="audit_event_one_successor"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type} {self.object_id}"


class LawfulBasis(models.TextChoices):
    """The bases on which personal data is shared outside Waymark.

    The codes are those of `waymark.people.access.LawfulBasis` (involvements), so the two lists
    can become one.
    """

    PUBLIC_TASK = "art6_1_e", "UK GDPR Article 6(1)(e): public task"
    LEGAL_OBLIGATION = "art6_1_c", "UK GDPR Article 6(1)(c): legal obligation"
    VITAL_INTERESTS = "art6_1_d", "UK GDPR Article 6(1)(d): vital interests"
    SAFEGUARDING = (
        "sch1_para18",
        "UK GDPR Article 9(2)(g) with DPA 2018 Schedule 1 paragraph 18: safeguarding of "
        "children and of individuals at risk",
    )
    LAW_ENFORCEMENT = "dpa_part3", "DPA 2018 Part 3: law enforcement processing"
    CONSENT = "consent", "Consent"


class ShareRecord(models.Model):
    """Personal data shared outside Waymark: what, with whom, why, and on which lawful basis.

    The information-sharing advice's "record what you shared". Written by `share_record`, with an
    "export" audit event in the same transaction.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    # What was shared: references to records ("people.youngperson:12") and/or a description
    # such as "panel pack for the 3 March panel". No personal data in the description.
    shared_objects = models.JSONField(default=list, blank=True)
    description = models.CharField(max_length=500, blank=True)
    recipient_organisation = models.CharField(max_length=200)
    recipient_person = models.CharField(max_length=200, blank=True)
    purpose = models.CharField(max_length=500)
    lawful_basis = models.CharField(max_length=40, choices=LawfulBasis.choices)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} shared with {self.recipient_organisation}"
