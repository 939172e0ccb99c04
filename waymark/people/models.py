import datetime
import re
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from waymark.core.crypto import blind_index, normalise, words
from waymark.core.fields import EncryptedCharField, EncryptedDateField, EncryptedTextField
from waymark.core.models import EncryptedModel, EncryptedQuerySet, Reliability, TimeStampedModel
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


def BlindIndexField() -> Any:  # noqa: N802 (reads as a field class where it is used)
    """An HMAC-SHA256 hex digest, or '' when the value it indexes is blank."""
    return models.CharField(max_length=64, blank=True, default="", editable=False, db_index=True)


# Each index has its own purpose string, so equal words in different fields do not match.
GIVEN_NAME = "young-person-given-name"
FAMILY_NAME = "young-person-family-name"
KNOWN_AS = "young-person-known-as"
NAME_DOB = "young-person-name-dob"
NHS_NUMBER = "young-person-nhs-number"
PERSON_OF_CONCERN_NAME = "person-of-concern-name-word"
VEHICLE_REGISTRATION = "vehicle-registration"
YOUNG_PERSON_INDEXES = (
    "nhs_number_index",
    "name_dob_index",
    "given_name_index",
    "family_name_index",
    "known_as_index",
)


def name_index(value: str, purpose: str) -> str:
    return blind_index(normalise(value), purpose=purpose)


def nhs_number_index(value: str) -> str:
    return blind_index(re.sub(r"\D", "", value), purpose=NHS_NUMBER)


def name_dob_index(given_name: str, family_name: str, date_of_birth: Any) -> str:
    if not (given_name and family_name and date_of_birth):
        return ""
    dob = date_of_birth.isoformat() if hasattr(date_of_birth, "isoformat") else date_of_birth
    value = f"{normalise(given_name)}|{normalise(family_name)}|{dob}"
    return blind_index(value, purpose=NAME_DOB)


def registration_index(value: str) -> str:
    return blind_index("".join(normalise(value).split()), purpose=VEHICLE_REGISTRATION)


def young_person_set_blind_indexes(person: "YoungPerson") -> None:
    """Fill a young person's blind indexes from their plaintext. save() calls this; so must any
    writer that bypasses save(), such as bulk_create in the demo loader."""
    person.nhs_number_index = nhs_number_index(person.nhs_number or "")
    person.name_dob_index = name_dob_index(
        person.given_name, person.family_name, person.date_of_birth
    )
    person.given_name_index = name_index(person.given_name or "", GIVEN_NAME)
    person.family_name_index = name_index(person.family_name or "", FAMILY_NAME)
    person.known_as_index = name_index(person.known_as or "", KNOWN_AS)


class YoungPerson(EncryptedModel, TimeStampedModel):
    """A child or young person. Lists and analytics use `reference`, never the name."""

    reference = models.CharField(max_length=12, unique=True, editable=False)
    given_name = EncryptedCharField(max_length=100)
    family_name = EncryptedCharField(max_length=100)
    known_as = EncryptedCharField(max_length=100, blank=True)
    date_of_birth = EncryptedDateField()
    date_of_birth_estimated = models.BooleanField(default=False)
    gender = models.CharField(max_length=20, choices=Gender.choices, default=Gender.NOT_KNOWN)
    ethnicity = models.CharField(
        max_length=40, choices=Ethnicity.choices, default=Ethnicity.NOT_STATED
    )
    nhs_number = EncryptedCharField(
        "NHS number", max_length=10, blank=True, validators=[validate_nhs_number]
    )
    upn = EncryptedCharField(
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
    strengths = EncryptedTextField(
        blank=True, help_text="What the young person is good at, cares about, and who they trust"
    )
    own_words = EncryptedTextField(
        "In their own words", blank=True, help_text="What the young person says, as they said it"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by_agency = models.ForeignKey(
        "accounts.Agency", null=True, on_delete=models.PROTECT, related_name="+"
    )
    # Blind indexes (ADR 0006): keyed hashes of normalised values, for exact-match search.
    nhs_number_index = BlindIndexField()
    name_dob_index = BlindIndexField()
    given_name_index = BlindIndexField()
    family_name_index = BlindIndexField()
    known_as_index = BlindIndexField()

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

    def save(self, *args: Any, **kwargs: Any) -> None:
        young_person_set_blind_indexes(self)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, *YOUNG_PERSON_INDEXES}
        super().save(*args, **kwargs)

    @classmethod
    def blind_indexes_rebuild(cls, pks: list[int]) -> None:
        """Recompute the blind indexes of these rows (`waymark keys rotate`)."""
        people = list(cls.objects.filter(pk__in=pks))
        for person in people:
            young_person_set_blind_indexes(person)
        cls.objects.bulk_update(people, YOUNG_PERSON_INDEXES)

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


class PersonOfConcern(EncryptedModel, TimeStampedModel):
    """An adult or peer thought to pose a risk to children. Keep names to what is needed."""

    reference = models.CharField(max_length=12, unique=True, editable=False)
    names = EncryptedCharField(max_length=200, blank=True, help_text="Names as known, if any")
    nicknames = EncryptedCharField(max_length=200, blank=True, help_text="Street names, aliases")
    description = EncryptedTextField(
        blank=True, help_text="Appearance and other identifying detail"
    )
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

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if update_fields is None or {"names", "nicknames"} & set(update_fields):
            self.name_words.all().delete()
            PersonOfConcernNameWord.objects.bulk_create(person_of_concern_name_words(self))

    @classmethod
    def blind_indexes_rebuild(cls, pks: list[int]) -> None:
        """Recompute the name words of these rows (`waymark keys rotate`)."""
        people = list(cls.objects.filter(pk__in=pks))
        PersonOfConcernNameWord.objects.filter(person__in=pks).delete()
        PersonOfConcernNameWord.objects.bulk_create(
            [w for person in people for w in person_of_concern_name_words(person)]
        )

    @property
    def label(self) -> str:
        return self.names or (f'"{self.nicknames}"' if self.nicknames else self.reference)


def person_of_concern_name_words(person: PersonOfConcern) -> list["PersonOfConcernNameWord"]:
    """One blind-indexed row per distinct word of the names and nicknames. save() writes them;
    a writer that bypasses save() (the demo loader's bulk_create) must write them itself."""
    found = set(words(person.names or "")) | set(words(person.nicknames or ""))
    return [
        PersonOfConcernNameWord(
            person=person, word_index=blind_index(w, purpose=PERSON_OF_CONCERN_NAME)
        )
        for w in sorted(found)
    ]


class PersonOfConcernNameWord(models.Model):
    """A blind index of one word of a person of concern's names or nicknames (ADR 0006).

    Names are encrypted, so search matches whole words exactly (after normalising), not parts.
    """

    person = models.ForeignKey(PersonOfConcern, on_delete=models.CASCADE, related_name="name_words")
    word_index = models.CharField(max_length=64, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "word_index"], name="person_of_concern_name_word_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} name word"


class Vehicle(EncryptedModel, TimeStampedModel):
    person = models.ForeignKey(PersonOfConcern, on_delete=models.CASCADE, related_name="vehicles")
    make = models.CharField(max_length=60, blank=True)
    colour = models.CharField(max_length=40, blank=True)
    registration = EncryptedCharField(max_length=10, blank=True)
    registration_index = BlindIndexField()

    def __str__(self) -> str:
        return " ".join(p for p in (self.colour, self.make, self.registration) if p)

    def save(self, *args: Any, **kwargs: Any) -> None:
        vehicle_set_blind_indexes(self)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "registration_index"}
        super().save(*args, **kwargs)

    @classmethod
    def blind_indexes_rebuild(cls, pks: list[int]) -> None:
        """Recompute the blind index of these rows (`waymark keys rotate`)."""
        vehicles = list(cls.objects.filter(pk__in=pks))
        for vehicle in vehicles:
            vehicle_set_blind_indexes(vehicle)
        cls.objects.bulk_update(vehicles, ["registration_index"])


def vehicle_set_blind_indexes(vehicle: Vehicle) -> None:
    """save() calls this; a writer that bypasses save() must call it too."""
    vehicle.registration_index = registration_index(vehicle.registration or "")


class PersonFlagQuerySet(EncryptedQuerySet):
    def current(self, on: datetime.date | None = None) -> "PersonFlagQuerySet":
        return self.filter(review_by__gte=on or timezone.localdate())


class PersonFlag(EncryptedModel, TimeStampedModel):
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
    detail = EncryptedCharField(max_length=300, blank=True)
    source = models.CharField(max_length=200, help_text="Where this came from")
    reliability = models.CharField(max_length=12, choices=Reliability.choices)
    review_by = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    objects: ClassVar = PersonFlagQuerySet.as_manager()

    class Meta:
        ordering = ["-review_by"]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def is_expired(self) -> bool:
        return self.review_by < timezone.localdate()


from .access import BreakGlass, Involvement, InvolvementRequest  # noqa: E402,F401  (registered with this app)
