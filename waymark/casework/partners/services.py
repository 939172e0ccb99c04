"""Writes to the partner register: partners, their contacts, the places they guard and the
training their staff received.

The agency that owns a partner relationship keeps it: only its workers (with the right to change
partners) change the partner, add contacts, guardianships or training. Each service validates
first, then writes in one transaction with its audit event, whoever calls it (web, API, demo).
A caller with no user (the demo builder, a command) acts as the system and names the agency.
"""

import datetime
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from waymark.accounts.models import Agency, User
from waymark.accounts.types import Actor
from waymark.audit.models import AuditAction
from waymark.audit.services import audit_record
from waymark.casework.models import (
    Guardianship,
    Partner,
    PartnerContact,
    PartnerKind,
    TrainingRecord,
)
from waymark.contexts.models import Place
from waymark.core.actors import signed_in_or_none

NAME_MAX_LENGTH = 200
NOTES_MAX_LENGTH = 2000
CONTACT_NAME_MAX_LENGTH = 200
CONTACT_ROLE_MAX_LENGTH = 120
PHONE_MAX_LENGTH = 40
EMAIL_MAX_LENGTH = 254
HOURS_MAX_LENGTH = 200
COURSE_MAX_LENGTH = 200
# Digits, spaces and the punctuation people write telephone numbers with.
PHONE_PATTERN = re.compile(r"^\+?[0-9 ()\-]{6,40}$")
# A time of day in the hours a partner is present, such as the 07:00 in "Mon-Sat 07:00-22:00".
TIME_PATTERN = re.compile(r"\b(\d{1,2}):(\d{2})\b")


def _date_text(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _check_may_add(actor: Actor | None) -> None:
    if actor is None:
        return  # the system: the demo builder or a command
    if not isinstance(actor, User) or not actor.has_perm("casework.add_partner"):
        raise PermissionDenied("You may not add partners")


def _check_may_change(actor: Actor | None, partner: Partner) -> None:
    """Only the agency that owns the relationship keeps the partner's record."""
    if actor is None:
        return
    if not isinstance(actor, User) or not actor.has_perm("casework.change_partner"):
        raise PermissionDenied("You may not change partners")
    if actor.agency_id != partner.agency_id:
        raise PermissionDenied(f"Only {partner.agency} may change {partner.name}")


def _partner_errors(
    *, name: str, kind: str, notes: str, exclude_pk: int | None = None
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = ["Enter the name of the partner"]
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = [f"The name must be {NAME_MAX_LENGTH} characters or fewer"]
    if kind not in PartnerKind.values:
        errors["kind"] = ["Select what kind of partner it is"]
    if len(notes) > NOTES_MAX_LENGTH:
        errors["notes"] = [f"The notes must be {NOTES_MAX_LENGTH} characters or fewer"]
    if not errors:
        others = Partner.objects.filter(name__iexact=name, kind=kind)
        if exclude_pk is not None:
            others = others.exclude(pk=exclude_pk)
        same = others.first()
        if same is not None:
            errors["name"] = [
                f"{same.name} is already in the register as a "
                f"{same.get_kind_display().lower()} partner"
            ]
    return errors


def partner_create(
    *,
    actor: Actor | None,
    name: str,
    kind: str,
    notes: str = "",
    agency: Agency | None = None,
) -> Partner:
    """Add a partner to the register. The relationship is owned by the actor's agency (or, for
    the system, the agency given)."""
    _check_may_add(actor)
    if isinstance(actor, User):
        if actor.agency_id is None:
            raise PermissionDenied("Only a worker of an agency may add partners")
        agency = actor.agency
    name, notes = name.strip(), notes.strip()
    errors = _partner_errors(name=name, kind=kind, notes=notes)
    if agency is None:
        errors["agency"] = ["Select the agency that works with the partner"]
    if errors:
        raise ValidationError(errors)
    assert agency is not None  # noqa: S101 (checked above; for the type checker)
    with transaction.atomic():
        partner = Partner.objects.create(
            name=name,
            kind=kind,
            notes=notes,
            agency=agency,
            created_by=signed_in_or_none(actor),
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=partner,
            changed_fields=["name", "kind", "agency", *(["notes"] if notes else [])],
        )
    return partner


def partner_update(
    *,
    actor: Actor | None,
    partner: Partner,
    name: str | None = None,
    kind: str | None = None,
    notes: str | None = None,
) -> Partner:
    """Change a partner's name, kind or notes. Fields not given stay as they are."""
    _check_may_change(actor, partner)
    new = {
        "name": partner.name if name is None else name.strip(),
        "kind": partner.kind if kind is None else kind,
        "notes": partner.notes if notes is None else notes.strip(),
    }
    errors = _partner_errors(**new, exclude_pk=partner.pk)
    if errors:
        raise ValidationError(errors)
    changed = [f for f, value in new.items() if getattr(partner, f) != value]
    if not changed:
        return partner
    with transaction.atomic():
        for field, value in new.items():
            setattr(partner, field, value)
        partner.save(update_fields=[*changed, "updated_at"])
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=partner, changed_fields=changed)
    return partner


def partner_contact_add(
    *,
    actor: Actor | None,
    partner: Partner,
    name: str,
    role: str = "",
    phone: str = "",
    email: str = "",
) -> PartnerContact:
    """Add a person at the partner. Their name, phone and e-mail are encrypted at rest."""
    _check_may_change(actor, partner)
    name, role, phone, email = name.strip(), role.strip(), phone.strip(), email.strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = ["Enter the contact's name"]
    elif len(name) > CONTACT_NAME_MAX_LENGTH:
        errors["name"] = [f"The name must be {CONTACT_NAME_MAX_LENGTH} characters or fewer"]
    if len(role) > CONTACT_ROLE_MAX_LENGTH:
        errors["role"] = [f"The role must be {CONTACT_ROLE_MAX_LENGTH} characters or fewer"]
    if phone and not PHONE_PATTERN.match(phone):
        errors["phone"] = ["Enter a telephone number, like 01632 960 001 or +44 7700 900 982"]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [
                "Enter an email address in the correct format, like name@example.com"
            ]
        else:
            if len(email) > EMAIL_MAX_LENGTH:
                errors["email"] = [
                    f"The email address must be {EMAIL_MAX_LENGTH} characters or fewer"
                ]
    if not phone and not email and "phone" not in errors and "email" not in errors:
        errors["phone"] = ["Enter a telephone number or an email address"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        contact = PartnerContact(partner=partner, name=name, role=role, phone=phone, email=email)
        contact.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=contact,
            changed_fields=[f for f in ("name", "role", "phone", "email") if getattr(contact, f)],
        )
    return contact


def _hours_errors(hours: str) -> list[str]:
    if not hours:
        return ["Enter the hours the partner is present, like Mon-Sat 07:00-22:00"]
    if len(hours) > HOURS_MAX_LENGTH:
        return [f"The hours must be {HOURS_MAX_LENGTH} characters or fewer"]
    for hour, minute in TIME_PATTERN.findall(hours):
        if int(hour) > 24 or int(minute) > 59 or (int(hour) == 24 and int(minute) > 0):
            return [f"{hour}:{minute} is not a time of day: use the 24-hour clock, like 22:00"]
    return []


def guardian_already(*, partner: Partner, place: Place) -> bool:
    return Guardianship.objects.filter(partner=partner, place=place).exists()


def guardianship_add(
    *, actor: Actor | None, partner: Partner, place: Place, hours: str
) -> Guardianship:
    """Record that the partner is a guardian of a place, present at these hours."""
    _check_may_change(actor, partner)
    hours = " ".join(hours.split())
    errors: dict[str, list[str]] = {}
    if hours_errors := _hours_errors(hours):
        errors["hours"] = hours_errors
    already = {"place": [f"{partner.name} is already recorded as a guardian of {place.name}"]}
    if guardian_already(partner=partner, place=place):
        errors.update(already)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            guardianship = Guardianship.objects.create(partner=partner, place=place, hours=hours)
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                obj=guardianship,
                changed_fields=["partner", "place", "hours"],
            )
    except IntegrityError:
        # The same place submitted twice at once: the second gets the same answer as if the
        # first had already been saved.
        if Guardianship.objects.filter(partner=partner, place=place).exists():
            raise ValidationError(already) from None
        raise
    return guardianship


def training_record_add(
    *,
    actor: Actor | None,
    partner: Partner,
    course: str,
    delivered_on: datetime.date,
    number_trained: int,
    refresh_due: datetime.date,
) -> TrainingRecord:
    """Record training the partner's staff received, and when it is due to be refreshed."""
    _check_may_change(actor, partner)
    course = course.strip()
    errors: dict[str, list[str]] = {}
    if not course:
        errors["course"] = ["Enter the name of the course"]
    elif len(course) > COURSE_MAX_LENGTH:
        errors["course"] = [f"The course must be {COURSE_MAX_LENGTH} characters or fewer"]
    if delivered_on > timezone.localdate():
        errors["delivered_on"] = ["The training date must be today or in the past"]
    if isinstance(number_trained, bool) or not isinstance(number_trained, int):
        errors["number_trained"] = ["Enter the number of staff trained as a whole number"]
    elif number_trained < 1:
        errors["number_trained"] = ["The number of staff trained must be 1 or more"]
    if refresh_due <= delivered_on:
        errors["refresh_due"] = [
            f"The refresh date must be after the training date, {_date_text(delivered_on)}"
        ]
    if errors:
        raise ValidationError(errors)
    recorded_by = signed_in_or_none(actor)
    if recorded_by is None:
        # The system records training in the name of the worker who added the partner.
        recorded_by = partner.created_by
    if recorded_by is None:
        raise ValidationError({"partner": ["Training needs a worker to record it"]})
    with transaction.atomic():
        record = TrainingRecord.objects.create(
            partner=partner,
            course=course,
            delivered_on=delivered_on,
            number_trained=number_trained,
            refresh_due=refresh_due,
            recorded_by=recorded_by,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=record,
            changed_fields=["course", "delivered_on", "number_trained", "refresh_due"],
        )
    return record
