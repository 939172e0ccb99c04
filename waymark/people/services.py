import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from waymark.audit.services import audit_record
from waymark.core.references import reference_assign_and_save
from waymark.core.validators import nhs_number_normalise

from .models import PersonFlag, PersonOfConcern, Vehicle, YoungPerson

PERSONAL_FIELDS = (
    "given_name",
    "family_name",
    "known_as",
    "date_of_birth",
    "date_of_birth_estimated",
    "gender",
    "ethnicity",
    "nhs_number",
    "upn",
    "school",
    "home_ward",
    "strengths",
    "own_words",
)


def _young_person_clean(person: YoungPerson, fields: dict[str, Any]) -> None:
    """Normalise identifiers and check every field; one ValidationError names all problems."""
    unknown = set(fields) - set(PERSONAL_FIELDS)
    if unknown:
        raise TypeError(f"Unknown young person fields: {', '.join(sorted(unknown))}")
    if fields.get("nhs_number"):
        fields["nhs_number"] = nhs_number_normalise(fields["nhs_number"])
    if fields.get("upn"):
        fields["upn"] = fields["upn"].strip().upper()
    for k, v in fields.items():
        setattr(person, k, v)
    errors: dict[str, list[str]] = {}
    dob = person.date_of_birth
    if isinstance(dob, datetime.date) and dob > timezone.localdate():
        errors["date_of_birth"] = ["Date of birth must be in the past"]
    try:
        person.full_clean(exclude=["reference", "created_by", "created_by_agency"])
    except ValidationError as exc:
        for k, v in exc.message_dict.items():
            errors.setdefault(k, []).extend(v)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def young_person_create(*, actor: Any, **fields: Any) -> YoungPerson:
    person = YoungPerson(created_by=actor, created_by_agency=getattr(actor, "agency", None))
    _young_person_clean(person, fields)
    reference_assign_and_save(person, "YP")
    audit_record(
        actor=actor, action="create", obj=person, changed_fields=[k for k, v in fields.items() if v]
    )
    return person


@transaction.atomic
def young_person_update(*, actor: Any, young_person: YoungPerson, **fields: Any) -> YoungPerson:
    before = {k: getattr(young_person, k) for k in fields if k in PERSONAL_FIELDS}
    try:
        _young_person_clean(young_person, fields)
    except ValidationError:
        young_person.refresh_from_db()
        raise
    changed = [k for k, v in before.items() if getattr(young_person, k) != v]
    young_person.save()
    if changed:
        audit_record(actor=actor, action="update", obj=young_person, changed_fields=changed)
    return young_person


@transaction.atomic
def person_of_concern_create(
    *,
    actor: Any,
    names: str = "",
    nicknames: str = "",
    description: str = "",
    age_band: str = "not_known",
    vehicles: list[dict[str, str]] | None = None,
) -> PersonOfConcern:
    if not (names.strip() or nicknames.strip() or description.strip()):
        raise ValidationError(
            {"names": ["Enter a name, a nickname or a description of the person"]}
        )
    person = PersonOfConcern(
        names=names.strip(),
        nicknames=nicknames.strip(),
        description=description.strip(),
        age_band=age_band,
        created_by=actor,
        created_by_agency=getattr(actor, "agency", None),
    )
    person.full_clean(exclude=["reference", "created_by", "created_by_agency"])
    cars = [
        Vehicle(
            make=v.get("make", "").strip(),
            colour=v.get("colour", "").strip(),
            registration=v.get("registration", "").replace(" ", "").upper(),
        )
        for v in vehicles or []
    ]
    problems: list[str] = []
    for i, car in enumerate(cars, start=1):
        try:
            car.full_clean(exclude=["person"])
        except ValidationError as exc:
            problems.extend(f"Vehicle {i}: {m}" for m in exc.messages)
        if not (car.make or car.colour or car.registration):
            problems.append(f"Vehicle {i}: enter a make, colour or registration")
    if problems:
        raise ValidationError({"vehicles": problems})
    reference_assign_and_save(person, "POC")
    for car in cars:
        car.person = person
        car.save()
    audit_record(
        actor=actor,
        action="create",
        obj=person,
        changed_fields=[
            k
            for k, v in {"names": names, "nicknames": nicknames, "description": description}.items()
            if v
        ]
        + ["age_band"]
        + (["vehicles"] if vehicles else []),
    )
    return person


@transaction.atomic
def person_flag_add(
    *,
    actor: Any,
    person: PersonOfConcern,
    kind: str,
    source: str,
    reliability: str,
    review_by: datetime.date,
    detail: str = "",
) -> PersonFlag:
    if review_by <= timezone.localdate():
        raise ValidationError({"review_by": ["The review-by date must be in the future"]})
    flag = PersonFlag(
        person=person,
        kind=kind,
        source=source.strip(),
        reliability=reliability,
        review_by=review_by,
        detail=detail.strip(),
        recorded_by=actor,
    )
    flag.full_clean()
    flag.save()
    audit_record(
        actor=actor,
        action="create",
        obj=flag,
        changed_fields=["kind", "source", "reliability", "review_by"]
        + (["detail"] if detail else []),
    )
    return flag
