"""Writes of context cases: referral, screening, transfer of the lead, reviews, closure and the
links of young people to a case; and online spaces, a subject of their own.

Each service checks who is acting, validates everything first (a `ValidationError` with a
message per field), then writes in one transaction with its audit event. Bad input writes
nothing, whoever calls (web, API, command).
"""

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

import h3
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from waymark.accounts.models import Agency, User
from waymark.accounts.types import Actor
from waymark.audit.services import audit_record
from waymark.casework.models import (
    CaseLink,
    CaseStatus,
    ContextCase,
    LeadTransfer,
    Referral,
    Review,
    Screening,
    ScreeningDecision,
    SourceReliability,
    SubjectKind,
)
from waymark.casework.outcomes.selectors import outcome_snapshot
from waymark.casework.plans.services import FIRST_REVIEW_AFTER as NEXT_REVIEW_AFTER
from waymark.concerns.models import Concern
from waymark.contexts.models import (
    Neighbourhood,
    OnlineSpace,
    OnlineSpaceKind,
    PeerGroup,
    Place,
    Ward,
)
from waymark.core.references import reference_assign_and_save
from waymark.people.models import YoungPerson

REASON_MAX_LENGTH = 4000
SOURCE_MAX_LENGTH = Referral._meta.get_field("source").max_length or 300
LINK_REASON_MAX_LENGTH = CaseLink._meta.get_field("reason").max_length or 300
NEIGHBOURHOOD_NAME_MAX_LENGTH = Neighbourhood._meta.get_field("name").max_length or 200
MAX_CELLS = 200
AREA_EVIDENCE_KEYS = {"cells", "period", "gi_z", "emerging_category", "concern_count", "resolution"}

Errors = dict[str, list[str]]


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _period(value: Any) -> bool:
    if isinstance(value, str):
        return True
    return (
        isinstance(value, dict)
        and set(value) <= {"from", "to"}
        and all(v is None or isinstance(v, str) for v in value.values())
    )


# Each kind of area evidence: a check of its value, and what it must be.
AREA_EVIDENCE_TYPES: dict[str, tuple[Any, str]] = {
    "cells": (
        lambda v: (
            isinstance(v, list) and all(isinstance(c, str) and h3.is_valid_cell(c) for c in v)
        ),
        "must be a list of H3 area indexes",
    ),
    "period": (_period, "must be text, or dates from and to"),
    "gi_z": (lambda v: _whole(v) or isinstance(v, float), "must be a number"),
    "emerging_category": (lambda v: isinstance(v, str), "must be text"),
    "concern_count": (_whole, "must be a whole number"),
    "resolution": (_whole, "must be a whole number"),
}


def _worker(actor: Actor, permission: str, what: str) -> User:
    if not isinstance(actor, User) or actor.agency_id is None or not actor.has_perm(permission):
        raise PermissionDenied(f"Only a worker of an agency with the right may {what}")
    return actor


def context_case_lead_check(*, actor: Actor, case: ContextCase, what: str) -> None:
    """Only users of the agency leading a case may screen, transfer, review or close it."""
    if getattr(actor, "agency_id", None) != case.lead_agency_id:
        raise PermissionDenied(f"Only {case.lead_agency}, which leads this case, can {what}")


def _text(errors: Errors, field: str, value: str, *, missing: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        errors[field] = [missing]
    elif len(value) > limit:
        errors[field] = [f"This must be {limit} characters or fewer"]
    return value


def _not_future(errors: Errors, field: str, day: datetime.date | None, what: str) -> None:
    if day is not None and day > timezone.localdate():
        errors[field] = [f"The {what} must be today or in the past"]


def _open(errors: Errors, case: ContextCase, what: str) -> None:
    if case.status in (CaseStatus.CLOSED, CaseStatus.NO_FURTHER_ACTION):
        errors["__all__"] = [
            f"Case {case.reference} is {case.get_status_display().lower()}: you cannot {what}"
        ]


def _valid_cells(errors: Errors, cells: Sequence[str]) -> list[str]:
    cleaned = sorted({str(c).strip().lower() for c in cells if str(c).strip()})
    if not cleaned:
        errors["cells"] = ["Give at least one H3 area for the neighbourhood"]
        return []
    if len(cleaned) > MAX_CELLS:
        errors["cells"] = [f"A neighbourhood may have at most {MAX_CELLS} H3 areas"]
        return []
    bad = [c for c in cleaned if not h3.is_valid_cell(c)]
    if bad:
        errors["cells"] = [f"{bad[0]} is not an H3 area index"]
        return []
    if len({h3.get_resolution(c) for c in cleaned}) > 1:
        errors["cells"] = ["The H3 areas of a neighbourhood must all be of one resolution"]
        return []
    return cleaned


def online_space_create(
    *,
    actor: Actor,
    platform: str,
    name: str,
    kind: str,
    how_children_meet: str = "",
    moderation: str = "",
    reporting_routes: str = "",
) -> OnlineSpace:
    """Record an online space where children meet, as a context that may be referred."""
    worker = _worker(actor, "contexts.add_onlinespace", "record an online space")
    errors: Errors = {}
    platform = _text(errors, "platform", platform, missing="Enter the platform", limit=80)
    name = _text(errors, "name", name, missing="Enter the space's name or handle", limit=200)
    if kind not in OnlineSpaceKind.values:
        errors["kind"] = ["Choose what kind of space it is"]
    texts = {
        "how_children_meet": (how_children_meet or "").strip(),
        "moderation": (moderation or "").strip(),
        "reporting_routes": (reporting_routes or "").strip(),
    }
    for field, value in texts.items():
        if len(value) > REASON_MAX_LENGTH:
            errors[field] = [f"This must be {REASON_MAX_LENGTH} characters or fewer"]
    if (
        not errors
        and OnlineSpace.objects.filter(platform__iexact=platform, name__iexact=name).exists()
    ):
        errors["name"] = [f"{name} on {platform} is already recorded"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        space = OnlineSpace(
            platform=platform,
            name=name,
            kind=kind,
            created_by=worker,
            created_by_agency_id=worker.agency_id,
            **texts,
        )
        reference_assign_and_save(space, "OS")
        audit_record(
            actor=worker,
            action="create",
            obj=space,
            changed_fields=["platform", "name", "kind", *texts],
        )
    return space


def _area_evidence(errors: Errors, evidence: dict[str, Any] | None) -> dict[str, Any]:
    evidence = dict(evidence or {})
    unknown = set(evidence) - AREA_EVIDENCE_KEYS
    if unknown:
        errors["area_evidence"] = [f"Unknown area evidence: {', '.join(sorted(unknown))}"]
        return {}
    wrong = [
        f"{key} {AREA_EVIDENCE_TYPES[key][1]}"
        for key, value in evidence.items()
        if value is not None and not AREA_EVIDENCE_TYPES[key][0](value)
    ]
    if wrong:
        errors["area_evidence"] = [f"In the area evidence, {'; '.join(sorted(wrong))}"]
        return {}
    return {k: v for k, v in evidence.items() if v not in (None, "", [])}


def context_case_refer(
    *,
    actor: Actor,
    subject_kind: str,
    reason: str,
    source: str,
    reliability: str,
    place: Place | None = None,
    peer_group: PeerGroup | None = None,
    online_space: OnlineSpace | None = None,
    ward: Ward | None = None,
    cells: Sequence[str] = (),
    neighbourhood_name: str = "",
    concerns: Iterable[Concern] = (),
    area_evidence: dict[str, Any] | None = None,
    peer_group_evidence: PeerGroup | None = None,
    lead_agency: Agency | None = None,
    lead_worker: User | None = None,
) -> ContextCase:
    """Refer a context. A neighbourhood is made here from a ward or from a set of H3 areas.

    The lead is the referrer's agency and the referrer unless others are given; the concerns
    given are those the caller found through `concern_list_visible_to`.
    """
    referrer = _worker(actor, "casework.add_contextcase", "refer a context")
    errors: Errors = {}
    reason = _text(
        errors, "reason", reason, missing="Enter why the context is referred", limit=4000
    )
    source = _text(
        errors, "source", source, missing="Enter the source of the information", limit=300
    )
    if reliability not in SourceReliability.values:
        errors["reliability"] = ["Choose how reliable the source is"]
    subjects = {
        SubjectKind.PLACE: place,
        SubjectKind.PEER_GROUP: peer_group,
        SubjectKind.ONLINE_SPACE: online_space,
    }
    cells_clean: list[str] = []
    name = (neighbourhood_name or "").strip()
    if subject_kind not in SubjectKind.values:
        errors["subject_kind"] = ["Choose what kind of context is referred"]
    elif subject_kind == SubjectKind.NEIGHBOURHOOD:
        if (ward is None) == (not cells):
            errors["cells" if cells else "ward"] = [
                "A neighbourhood is either a ward or a set of H3 areas: give exactly one"
            ]
        elif cells:
            cells_clean = _valid_cells(errors, cells)
        if len(name) > NEIGHBOURHOOD_NAME_MAX_LENGTH:
            errors["neighbourhood_name"] = [
                f"The name must be {NEIGHBOURHOOD_NAME_MAX_LENGTH} characters or fewer"
            ]
    elif subjects[SubjectKind(subject_kind)] is None:
        field = subject_kind
        errors[field] = [f"Choose the {SubjectKind(subject_kind).label.lower()} referred"]
    others = [k for k, v in subjects.items() if v is not None and k != subject_kind]
    if others and "subject_kind" not in errors:
        errors.setdefault("subject_kind", []).append(
            "Refer one context at a time: give only the subject of its kind"
        )
    evidence = _area_evidence(errors, area_evidence)
    agency = lead_agency or referrer.agency
    worker = lead_worker if lead_worker is not None else (referrer if lead_agency is None else None)
    if worker is not None and agency is not None and worker.agency_id != agency.pk:
        errors["lead_worker"] = [f"The lead worker must work for {agency}"]
    if errors:
        raise ValidationError(errors)
    referring_agency = referrer.agency
    if agency is None or referring_agency is None:  # a worker of an agency
        raise PermissionDenied("Only a worker of an agency may refer a context")

    with transaction.atomic():
        neighbourhood = None
        if subject_kind == SubjectKind.NEIGHBOURHOOD:
            neighbourhood = Neighbourhood(
                name=name or (ward.name if ward else f"Area of {len(cells_clean)} H3 areas"),
                ward=ward,
                cells=cells_clean,
                created_by=referrer,
            )
            reference_assign_and_save(neighbourhood, "NB")
            audit_record(
                actor=referrer, action="create", obj=neighbourhood, changed_fields=["name"]
            )
        case = ContextCase(
            subject_kind=subject_kind,
            place=place if subject_kind == SubjectKind.PLACE else None,
            peer_group=peer_group if subject_kind == SubjectKind.PEER_GROUP else None,
            online_space=online_space if subject_kind == SubjectKind.ONLINE_SPACE else None,
            neighbourhood=neighbourhood,
            lead_agency=agency,
            lead_worker=worker,
            created_by=referrer,
        )
        reference_assign_and_save(case, "CC")
        referral = Referral.objects.create(
            case=case,
            referred_by=referrer,
            referring_agency=referring_agency,
            referred_on=timezone.localdate(),
            reason=reason,
            source=source,
            reliability=reliability,
            area_evidence=evidence,
            peer_group=peer_group_evidence,
        )
        referral.concerns.set(list(concerns))
        audit_record(
            actor=referrer,
            action="create",
            obj=case,
            changed_fields=["subject_kind", "lead_agency", "lead_worker", "referral"],
            purpose=f"Referred {case.subject_kind.replace('_', ' ')} as a context",
        )
    return case


def context_case_screen(
    *,
    actor: Actor,
    case: ContextCase,
    decision: str,
    reason: str,
    decided_on: datetime.date | None = None,
) -> Screening:
    """Decide the threshold of a referred context, or that no further action is needed."""
    worker = _worker(actor, "casework.change_contextcase", "screen a referral")
    context_case_lead_check(actor=worker, case=case, what="screen it")
    with transaction.atomic():
        _lock(case)
        return _screen(worker, case, decision, reason, decided_on)


def _lock(case: ContextCase) -> None:
    """Hold the case's row until the transaction ends, so that two submissions of the same
    step are checked one after the other rather than both passing the check."""
    list(ContextCase.objects.select_for_update().filter(pk=case.pk).values_list("pk"))


def _screen(
    worker: User,
    case: ContextCase,
    decision: str,
    reason: str,
    decided_on: datetime.date | None,
) -> Screening:
    errors: Errors = {}
    if Screening.objects.filter(case=case).exists():
        screening = Screening.objects.get(case=case)
        raise ValidationError(
            {
                "__all__": [
                    f"Case {case.reference} was already screened on "
                    f"{screening.decided_on:%-d %B %Y}: a referral is screened once"
                ]
            }
        )
    if decision not in ScreeningDecision.values:
        errors["decision"] = ["Choose a threshold, or no further action"]
    reason = _text(
        errors,
        "reason",
        reason,
        missing=(
            "Enter why no further action is needed"
            if decision == ScreeningDecision.NO_FURTHER_ACTION
            else "Enter the reason for the decision"
        ),
        limit=REASON_MAX_LENGTH,
    )
    decided_on = decided_on or timezone.localdate()
    _not_future(errors, "decided_on", decided_on, "date of the decision")
    referral = getattr(case, "referral", None)
    if referral is not None and decided_on < referral.referred_on and "decided_on" not in errors:
        errors["decided_on"] = [
            "The date of the decision must be on or after the referral, "
            f"{referral.referred_on:%-d %B %Y}"
        ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        screening = Screening.objects.create(
            case=case, decision=decision, reason=reason, decided_by=worker, decided_on=decided_on
        )
        if decision == ScreeningDecision.NO_FURTHER_ACTION:
            case.status = CaseStatus.NO_FURTHER_ACTION
            case.closed_on = decided_on
            fields = ["status", "closed_on"]
        else:
            case.status = CaseStatus.OPEN
            case.threshold = decision
            fields = ["status", "threshold"]
        case.save(update_fields=[*fields, "updated_at"])
        audit_record(actor=worker, action="update", obj=case, changed_fields=["screening", *fields])
    return screening


def context_case_transfer(
    *,
    actor: Actor,
    case: ContextCase,
    to_agency: Agency,
    reason: str,
    to_worker: User | None = None,
    transferred_on: datetime.date | None = None,
) -> LeadTransfer:
    """Hand the lead to another agency or worker, keeping the history of who led."""
    worker = _worker(actor, "casework.change_contextcase", "transfer a case")
    context_case_lead_check(actor=worker, case=case, what="transfer it")
    errors: Errors = {}
    _open(errors, case, "transfer it")
    reason = _text(
        errors, "reason", reason, missing="Enter why the lead changes", limit=REASON_MAX_LENGTH
    )
    if to_worker is not None and to_worker.agency_id != to_agency.pk:
        errors["to_worker"] = [f"The new lead worker must work for {to_agency}"]
    elif to_agency.pk == case.lead_agency_id and to_worker == case.lead_worker:
        errors["to_agency"] = ["Choose a different lead agency or lead worker"]
    transferred_on = transferred_on or timezone.localdate()
    _not_future(errors, "transferred_on", transferred_on, "date of the transfer")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        transfer = LeadTransfer.objects.create(
            case=case,
            from_agency_id=case.lead_agency_id,
            from_worker=case.lead_worker,
            to_agency=to_agency,
            to_worker=to_worker,
            reason=reason,
            transferred_on=transferred_on,
            transferred_by=worker,
        )
        case.lead_agency = to_agency
        case.lead_worker = to_worker
        case.save(update_fields=["lead_agency", "lead_worker", "updated_at"])
        audit_record(
            actor=worker, action="update", obj=case, changed_fields=["lead_agency", "lead_worker"]
        )
    return transfer


def review_record(
    *,
    actor: Actor,
    case: ContextCase,
    held_on: datetime.date,
    summary: str,
    next_review_on: datetime.date | None = None,
) -> Review:
    """Record a review of the plan, and when the next one is due: three months on unless
    another date is given, so that an open case always has a review to miss."""
    worker = _worker(actor, "casework.change_contextcase", "record a review")
    context_case_lead_check(actor=worker, case=case, what="record its reviews")
    errors: Errors = {}
    _open(errors, case, "record a review")
    plan = getattr(case, "plan", None) if case.pk else None
    if plan is None and "__all__" not in errors:
        errors["__all__"] = [f"Case {case.reference} has no context plan yet: agree one first"]
    if held_on is None:
        errors["held_on"] = ["Enter the date of the review"]
    elif plan is not None and held_on < plan.started_on:
        errors["held_on"] = [
            f"The review date must be on or after the plan started, {plan.started_on:%-d %B %Y}"
        ]
    else:
        _not_future(errors, "held_on", held_on, "review date")
    summary = _text(
        errors, "summary", summary, missing="Enter a summary of the review", limit=REASON_MAX_LENGTH
    )
    if next_review_on is not None and held_on is not None and next_review_on <= held_on:
        errors["next_review_on"] = ["The next review must be after this one"]
    if errors:
        raise ValidationError(errors)
    if next_review_on is None:
        next_review_on = held_on + NEXT_REVIEW_AFTER
    with transaction.atomic():
        review = Review.objects.create(
            case=case,
            held_on=held_on,
            summary=summary,
            next_review_on=next_review_on,
            reviewed_by=worker,
        )
        case.next_review_on = next_review_on
        case.save(update_fields=["next_review_on", "updated_at"])
        audit_record(
            actor=worker, action="create", obj=review, changed_fields=["held_on", "summary"]
        )
    return review


def context_case_close(
    *,
    actor: Actor,
    case: ContextCase,
    reason: str,
    closed_on: datetime.date | None = None,
) -> ContextCase:
    """Close a case with its reason, keeping the outcome reading as it stood that day."""
    worker = _worker(actor, "casework.change_contextcase", "close a case")
    context_case_lead_check(actor=worker, case=case, what="close it")
    errors: Errors = {}
    _open(errors, case, "close it again")
    if not errors and (case.status != CaseStatus.OPEN or not case.threshold):
        errors["__all__"] = [
            f"Case {case.reference} has not been screened: screen the referral first. A "
            "referral that needs nothing more is ended by screening it as no further action"
        ]
    reason = _text(
        errors, "reason", reason, missing="Enter why the case is closed", limit=REASON_MAX_LENGTH
    )
    closed_on = closed_on or timezone.localdate()
    _not_future(errors, "closed_on", closed_on, "date of closure")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case.status = CaseStatus.CLOSED
        case.closed_on = closed_on
        case.closure_reason = reason
        case.closure_outcome = outcome_snapshot(case=case)
        case.next_review_on = None
        fields = ["status", "closed_on", "closure_reason", "closure_outcome", "next_review_on"]
        case.save(update_fields=[*fields, "updated_at"])
        audit_record(actor=worker, action="update", obj=case, changed_fields=fields)
    return case


def case_link_add(
    *, actor: Actor, case: ContextCase, young_person: YoungPerson, reason: str
) -> CaseLink:
    """A practitioner's link of a young person to a context, with the reason for it."""
    worker = _worker(actor, "casework.change_contextcase", "link a young person")
    with transaction.atomic():
        _lock(case)
        return _link(worker, case, young_person, reason)


def _link(worker: User, case: ContextCase, young_person: YoungPerson, reason: str) -> CaseLink:
    errors: Errors = {}
    _open(errors, case, "link a young person to it")
    reason = _text(
        errors,
        "reason",
        reason,
        missing="Enter why the young person is linked to the context",
        limit=LINK_REASON_MAX_LENGTH,
    )
    if CaseLink.objects.filter(case=case, young_person=young_person).exists():
        errors["young_person"] = [f"{young_person.reference} is already linked to this case"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        link = CaseLink.objects.create(
            case=case,
            young_person=young_person,
            reason=reason,
            linked_by=worker,
            linked_on=timezone.localdate(),
        )
        audit_record(
            actor=worker,
            action="create",
            obj=link,
            changed_fields=["young_person", "reason"],
            purpose=f"Linked {young_person.reference} to {case.reference}",
        )
    return link
