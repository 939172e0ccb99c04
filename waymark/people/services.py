import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from waymark.accounts.types import Actor
from waymark.audit.services import audit_record
from waymark.core.actors import signed_in_or_none
from waymark.core.references import reference_assign_and_save
from waymark.core.validators import nhs_number_normalise

from .access import (
    BreakGlass,
    Involvement,
    InvolvementRequest,
    InvolvementRequestKind,
    InvolvementRequestState,
    InvolvementSource,
    LawfulBasis,
)
from .models import PersonFlag, PersonOfConcern, Vehicle, YoungPerson
from .selectors import agency_involved_with, involvement_request_may_decide

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
    """End an involvement from today: the agency's access ends with it.

    A manager ends only their own agency's involvements; another agency's are theirs to end.
    """
    user = signed_in_or_none(actor)
    if user is not None and user.agency_id != involvement.agency_id:
        raise PermissionDenied("A manager ends only their own agency's involvements")
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


@transaction.atomic
def involvement_request_create(
    *,
    actor: Actor,
    young_person: YoungPerson,
    purpose: str,
    lawful_basis: str,
    agency: Any = None,
) -> InvolvementRequest:
    """Ask for an involvement that someone else must accept.

    Without `agency` (or with the user's own), the user's agency asks to become involved; a
    manager of an agency involved with the young person decides. With another agency, a manager
    of an involved agency proposes that agency's involvement; a manager there decides.
    """
    user = signed_in_or_none(actor)
    if user is None or user.agency is None:
        raise ValidationError("Only a user who belongs to an agency can ask for an involvement")
    target = agency or user.agency
    kind = (
        InvolvementRequestKind.REQUEST
        if target.pk == user.agency_id
        else InvolvementRequestKind.OFFER
    )
    if kind == InvolvementRequestKind.REQUEST:
        if not user.has_perm("people.add_involvementrequest"):
            raise PermissionDenied("Your role cannot ask for an involvement")
    elif not (
        user.has_perm("people.manage_involvement")
        and agency_involved_with(user.agency_id, young_person)
    ):
        raise PermissionDenied(
            "Only a manager of an agency involved with the young person can propose another agency"
        )
    errors: dict[str, list[str]] = {}
    if not purpose.strip():
        errors["purpose"] = ["Say why the agency needs to be involved"]
    elif len(purpose.strip()) > 300:
        errors["purpose"] = ["Keep the purpose to 300 characters or fewer"]
    if lawful_basis not in LawfulBasis.values:
        errors["lawful_basis"] = ["Select the lawful basis for the involvement"]
    if agency_involved_with(target.pk, young_person):
        errors["agency"] = [f"{target} is already involved with {young_person.reference}"]
    elif InvolvementRequest.objects.filter(
        agency=target, young_person=young_person, state=InvolvementRequestState.PENDING
    ).exists():
        errors["agency"] = [
            f"A request for {target} to be involved with {young_person.reference} is already "
            "awaiting a decision"
        ]
    elif (
        kind == InvolvementRequestKind.REQUEST
        and not Involvement.objects.active().filter(young_person=young_person).exists()
    ):
        errors["agency"] = [
            f"No agency is involved with {young_person.reference} to decide on a request. In an "
            "emergency, open the record with a reason instead"
        ]
    if errors:
        raise ValidationError(errors)
    request = InvolvementRequest.objects.create(
        kind=kind,
        agency=target,
        young_person=young_person,
        purpose=purpose.strip(),
        lawful_basis=lawful_basis,
        requested_by=user,
        requested_by_agency=user.agency,
    )
    audit_record(
        actor=actor,
        action="create",
        obj=request,
        changed_fields=["kind", "agency", "young_person", "purpose", "lawful_basis"],
        purpose=purpose.strip()[:500],
    )
    return request


@transaction.atomic
def involvement_request_decide(
    *, actor: Actor, request: InvolvementRequest, accept: bool, note: str = ""
) -> InvolvementRequest:
    """Accept (starting the involvement) or decline a pending request. Declining needs a reason."""
    request = InvolvementRequest.objects.select_for_update().get(pk=request.pk)
    if not involvement_request_may_decide(user=actor, request=request):
        raise PermissionDenied("You may not decide on this request")
    if request.state != InvolvementRequestState.PENDING:
        raise ValidationError({"decision": ["This request has already been decided"]})
    note = note.strip()
    if not accept and not note:
        raise ValidationError({"note": ["Say why you are declining the request"]})
    if len(note) > 300:
        raise ValidationError({"note": ["Keep the note to 300 characters or fewer"]})
    user = signed_in_or_none(actor)
    if accept:
        request.involvement = involvement_start(
            actor=actor,
            agency=request.agency,
            young_person=request.young_person,
            source=InvolvementSource.REQUEST,
            purpose=request.purpose,
            lawful_basis=request.lawful_basis,
        )
    request.state = InvolvementRequestState.ACCEPTED if accept else InvolvementRequestState.DECLINED
    request.decided_by = user
    request.decided_at = timezone.now()
    request.decision_note = note
    request.save()
    audit_record(
        actor=actor,
        action="update",
        obj=request,
        changed_fields=["state", "decided_by", "decided_at"]
        + (["decision_note"] if note else [])
        + (["involvement"] if accept else []),
    )
    return request
