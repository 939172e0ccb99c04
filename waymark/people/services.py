import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from waymark.accounts.types import Actor
from waymark.audit.services import audit_record
from waymark.core.actors import signed_in_or_none
from waymark.core.references import reference_assign_and_save
from waymark.core.validators import nhs_number_normalise

from .access import BreakGlass, Involvement, InvolvementSource, LawfulBasis
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
def young_person_create(*, actor: Actor | None, **fields: Any) -> YoungPerson:
    user = signed_in_or_none(actor)
    person = YoungPerson(created_by=user, created_by_agency=user.agency if user else None)
    _young_person_clean(person, fields)
    reference_assign_and_save(person, "YP")
    audit_record(
        actor=actor, action="create", obj=person, changed_fields=[k for k, v in fields.items() if v]
    )
    if user is not None and user.agency is not None:
        involvement_start(
            actor=user,
            agency=user.agency,
            young_person=person,
            source=InvolvementSource.ADDED,
            purpose="Added the young person to Waymark",
        )
    return person


@transaction.atomic
def young_person_update(
    *, actor: Actor | None, young_person: YoungPerson, **fields: Any
) -> YoungPerson:
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
    actor: Actor | None,
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
    user = signed_in_or_none(actor)
    person = PersonOfConcern(
        names=names.strip(),
        nicknames=nicknames.strip(),
        description=description.strip(),
        age_band=age_band,
        created_by=user,
        created_by_agency=user.agency if user else None,
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
    actor: Actor | None,
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
        recorded_by=signed_in_or_none(actor),
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


BREAK_GLASS_PERIOD = datetime.timedelta(hours=24)


@transaction.atomic
def involvement_start(
    *,
    actor: Actor | None,
    agency: Any,
    young_person: YoungPerson,
    source: str,
    purpose: str,
    lawful_basis: str = LawfulBasis.SAFEGUARDING,
    worker: Any = None,
) -> Involvement:
    """Give an agency access to a young person. An agency already involved keeps its involvement."""
    existing = (
        Involvement.objects.active()
        .filter(agency=agency, young_person=young_person, worker=worker)
        .first()
    )
    if existing is not None:
        return existing
    involvement = Involvement(
        agency=agency,
        worker=worker,
        young_person=young_person,
        source=source,
        purpose=purpose.strip(),
        lawful_basis=lawful_basis,
        created_by=signed_in_or_none(actor),
    )
    involvement.full_clean()
    involvement.save()
    audit_record(
        actor=actor,
        action="create",
        obj=involvement,
        changed_fields=["agency", "young_person", "purpose", "lawful_basis", "source"]
        + (["worker"] if worker else []),
    )
    return involvement


@transaction.atomic
def involvement_end(*, actor: Actor | None, involvement: Involvement, reason: str) -> Involvement:
    """End an involvement from today: the agency's access ends with it."""
    if not reason.strip():
        raise ValidationError({"reason": ["Say why the involvement is ending"]})
    if not involvement.is_active:
        raise ValidationError({"involvement": ["This involvement has already ended"]})
    involvement.ended_on = max(timezone.localdate(), involvement.started_on)
    involvement.save(update_fields=["ended_on", "updated_at"])
    audit_record(
        actor=actor,
        action="update",
        obj=involvement,
        changed_fields=["ended_on"],
        purpose=reason.strip()[:500],
    )
    return involvement


@transaction.atomic
def break_glass_open(*, actor: Actor | None, young_person: YoungPerson, reason: str) -> BreakGlass:
    """Open a record without involvement: only with a stated reason, for a limited time."""
    reason = reason.strip()
    if len(reason) < 10:
        raise ValidationError(
            {"reason": ["Say why you need to see this record now, in at least 10 characters"]}
        )
    user = signed_in_or_none(actor)
    if user is None or user.agency_id is None:
        raise ValidationError("Only a user who belongs to an agency can open a record")
    now = timezone.now()
    access = BreakGlass.objects.create(
        user=user,
        agency_id=user.agency_id,
        young_person=young_person,
        reason=reason,
        opened_at=now,
        expires_at=now + BREAK_GLASS_PERIOD,
    )
    audit_record(
        actor=actor,
        action="create",
        obj=access,
        changed_fields=["young_person", "reason"],
        purpose=f"Break-glass: {reason}"[:500],
    )
    return access
