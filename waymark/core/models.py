"""Abstract bases shared by every Waymark record."""

from django.db import models
from django.utils import timezone


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Reliability(models.TextChoices):
    """How far a link or flag can be relied on. A name on a peer map is not a fact."""

    CONFIRMED = "confirmed", "Confirmed"
    TENTATIVE = "tentative", "Tentative"
    UNCONFIRMED = "unconfirmed", "Unconfirmed"


RELIABILITY_RANK = {
    Reliability.UNCONFIRMED: 0,
    Reliability.TENTATIVE: 1,
    Reliability.CONFIRMED: 2,
}

RELIABILITY_IN_WORDS = {
    Reliability.CONFIRMED: "Confirmed: seen or verified by a professional",
    Reliability.TENTATIVE: "Tentative: reported by more than one source, not verified",
    Reliability.UNCONFIRMED: "Unconfirmed: a single report, not verified",
}
