import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from waymark.core.models import Reliability, TimeStampedModel
from waymark.core.validators import validate_nhs_number, validate_upn


class Gender(models.TextChoices):
    GIRL = "female", "Female"
    BOY = "male", "Male"
    NON_BINARY = "non_binary", "Non-binary"
    OTHER = "other", "Described another way"
    NOT_KNOWN = "not_known", "Not known"


class Ethnicity(models.TextChoices):
    """ONS 2021 census ethnic groups for England and Wales."""

    ASIAN_BANGLADESHI = "asian_bangladeshi", "Asian or Asian British: Bangladeshi"
    ASIAN_CHINESE = "asian_chinese", "Asian or Asian British: Chinese"
    ASIAN_INDIAN = "asian_indian", "Asian or Asian British: Indian"
    ASIAN_PAKISTANI = "asian_pakistani", "Asian or Asian British: Pakistani"
    ASIAN_OTHER = "asian_other", "Asian or Asian British: any other Asian background"
    BLACK_AFRICAN = "black_african", "Black, Black British, Caribbean or African: African"
    BLACK_CARIBBEAN = "black_caribbean", "Black, Black British, Caribbean or African: Caribbean"
    BLACK_OTHER = "black_other", "Black, Black British, Caribbean or African: any other background"
    MIXED_WHITE_ASIAN = "mixed_white_asian", "Mixed or multiple: White and Asian"
    MIXED_WHITE_BLACK_AFRICAN = (
        "mixed_white_black_african",
        "Mixed or multiple: White and Black African",
    )
    MIXED_WHITE_BLACK_CARIBBEAN = (
        "mixed_white_black_caribbean",
        "Mixed or multiple: White and Black Caribbean",
    )
    MIXED_OTHER = "mixed_other", "Mixed or multiple: any other background"
    WHITE_BRITISH = "white_british", "White: English, Welsh, Scottish, Northern Irish or British"
    WHITE_IRISH = "white_irish", "White: Irish"
    WHITE_GYPSY = "white_gypsy", "White: Gypsy or Irish Traveller"
    WHITE_ROMA = "white_roma", "White: Roma"
    WHITE_OTHER = "white_other", "White: any other White background"
    OTHER_ARAB = "other_arab", "Other ethnic group: Arab"
    OTHER_ANY = "other_any", "Other ethnic group: any other ethnic group"
    NOT_STATED = "not_stated", "Not stated"


class YoungPerson(TimeStampedModel):
    """A child or young person. Lists and analytics use `reference`, never the name."""

    reference = models.CharField(max_length=12, unique=True, editable=False)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    known_as = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    date_of_birth_estimated = models.BooleanField(default=False)
    gender = models.CharField(max_length=20, choices=Gender.choices, default=Gender.NOT_KNOWN)
    ethnicity = models.CharField(
        max_length=40, choices=Ethnicity.choices, default=Ethnicity.NOT_STATED
    )
    nhs_number = models.CharField(
        "NHS number", max_length=10, blank=True, validators=[validate_nhs_number]
    )
    upn = models.CharField(
        "Unique Pupil Number", max_length=13, blank=True, validators=[validate_upn]
    )
    school = models.ForeignKey(
        "contexts.Place",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pupils",
        limit_choices_to={"kind": "school"},
    )
    home_ward = models.ForeignKey(
        "contexts.Ward", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    strengths = models.TextField(
        blank=True, help_text="What the young person is good at, cares about, and who they trust"
    )
    own_words = models.TextField(
        "In their own words", blank=True, help_text="What the young person says, as they said it"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by_agency = models.ForeignKey(
        "accounts.Agency", null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["reference"]
        verbose_name = "young person"
        verbose_name_plural = "young people"
        default_permissions = ("add", "change", "delete")
        permissions = [
            ("view_assigned_youngperson", "View young people their agency is involved with"),
            ("view_all_youngperson", "View every young person"),
            ("change_assigned_youngperson", "Change young people their agency is involved with"),
            ("view_pseudonymised_youngperson", "View young people by reference only"),
            ("breakglass_youngperson", "Open a young person's record without involvement"),
            ("view_accesslog_youngperson", "See who has seen a young person's record"),
            ("manage_involvement", "Start and end agencies' involvement with young people"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def display_name(self) -> str:
        if self.known_as and self.known_as != self.given_name:
            return f"{self.given_name} ({self.known_as}) {self.family_name}"
        return self.full_name

    def age_on(self, day: datetime.date) -> int:
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))

    @property
    def age(self) -> int:
        return self.age_on(timezone.localdate())


class AgeBand(models.TextChoices):
    UNDER_18 = "under_18", "Under 18"
    AGE_18_24 = "18_24", "18 to 24"
    AGE_25_34 = "25_34", "25 to 34"
    AGE_35_44 = "35_44", "35 to 44"
    AGE_45_PLUS = "45_plus", "45 or over"
    NOT_KNOWN = "not_known", "Not known"


class PersonOfConcern(TimeStampedModel):
    """An adult or peer thought to pose a risk to children. Keep names to what is needed."""

    reference = models.CharField(max_length=12, unique=True, editable=False)
    names = models.CharField(max_length=200, blank=True, help_text="Names as known, if any")
    nicknames = models.CharField(max_length=200, blank=True, help_text="Street names, aliases")
    description = models.TextField(blank=True, help_text="Appearance and other identifying detail")
    age_band = models.CharField(max_length=12, choices=AgeBand.choices, default=AgeBand.NOT_KNOWN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by_agency = models.ForeignKey(
        "accounts.Agency", null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["reference"]
        verbose_name = "person of concern"
        verbose_name_plural = "persons of concern"

    def __str__(self) -> str:
        return self.reference

    @property
    def label(self) -> str:
        return self.names or (f'"{self.nicknames}"' if self.nicknames else self.reference)


class Vehicle(TimeStampedModel):
    person = models.ForeignKey(PersonOfConcern, on_delete=models.CASCADE, related_name="vehicles")
    make = models.CharField(max_length=60, blank=True)
    colour = models.CharField(max_length=40, blank=True)
    registration = models.CharField(max_length=10, blank=True)

    def __str__(self) -> str:
        return " ".join(p for p in (self.colour, self.make, self.registration) if p)


class PersonFlagQuerySet(models.QuerySet["PersonFlag"]):
    def current(self, on: datetime.date | None = None) -> "PersonFlagQuerySet":
        return self.filter(review_by__gte=on or timezone.localdate())


class PersonFlag(TimeStampedModel):
    """A warning about a person of concern. It carries its source and expires at review-by."""

    class Kind(models.TextChoices):
        EXPLOITATION = "exploitation", "Suspected exploitation of children"
        SEXUAL_HARM = "sexual_harm", "Risk of sexual harm"
        VIOLENCE = "violence", "Violence"
        WEAPONS = "weapons", "Weapons"
        DRUG_SUPPLY = "drug_supply", "Drug supply"
        RADICALISATION = "radicalisation", "Radicalising influence"
        OTHER = "other", "Other"

    person = models.ForeignKey(PersonOfConcern, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    detail = models.CharField(max_length=300, blank=True)
    source = models.CharField(max_length=200, help_text="Where this came from")
    reliability = models.CharField(max_length=12, choices=Reliability.choices)
    review_by = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = PersonFlagQuerySet.as_manager()

    class Meta:
        ordering = ["-review_by"]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def is_expired(self) -> bool:
        return self.review_by < timezone.localdate()


from .access import BreakGlass, Involvement  # noqa: E402,F401  (registered with this app)
