from django.contrib.auth.models import AbstractUser
from django.db import models

from waymark.core.models import TimeStampedModel


class Sector(models.TextChoices):
    CHILDRENS_SOCIAL_CARE = "childrens_social_care", "Children's social care"
    POLICE = "police", "Police"
    EDUCATION = "education", "Education"
    HEALTH = "health", "Health"
    YOUTH_SERVICE = "youth_service", "Youth service"
    COMMUNITY_SAFETY = "community_safety", "Community safety"
    HOUSING = "housing", "Housing"
    TRANSPORT = "transport", "Transport"
    VOLUNTARY = "voluntary", "Voluntary and community"
    BUSINESS = "business", "Business"


class Agency(TimeStampedModel):
    name = models.CharField(max_length=200, unique=True)
    sector = models.CharField(max_length=40, choices=Sector.choices)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    MANAGER = "manager", "Manager"
    ANALYST = "analyst", "Analyst"
    PANEL_CHAIR = "panel_chair", "Panel chair"
    ADMINISTRATOR = "administrator", "Administrator"


class User(AbstractUser):
    """A worker in one agency. What they may see follows from their role and their agency."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, related_name="users")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PRACTITIONER)
    job_title = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username
