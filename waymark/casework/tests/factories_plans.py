"""Context cases made directly in the database for the assessment and plan tests, at the stage
each test needs: referred, screened, assessed."""

import datetime
import itertools
from typing import Any

from django.utils import timezone

from waymark.accounts.models import Role
from waymark.accounts.tests.factories import AgencyFactory, UserFactory
from waymark.contexts.tests.factories import PlaceFactory

from ..models import (
    Assessment,
    AssessmentArea,
    CaseStatus,
    ContextCase,
    Partner,
    PartnerKind,
    Screening,
    ScreeningDecision,
    SubjectKind,
)

_numbers = itertools.count(1)
TODAY = timezone.localdate


def worker(**kwargs: Any) -> Any:
    kwargs.setdefault("role", Role.PRACTITIONER)
    return UserFactory(**kwargs)


def case_make(*, lead: Any, place: Any = None, kind: str = "park", **fields: Any) -> ContextCase:
    place = place or PlaceFactory(kind=kind)
    n = next(_numbers)
    return ContextCase.objects.create(
        reference=f"CC-P{n:04d}",
        subject_kind=SubjectKind.PLACE,
        place=place,
        lead_agency=lead.agency,
        lead_worker=lead,
        created_by=lead,
        **fields,
    )


def case_screen(case: ContextCase, *, by: Any, decision: str = ScreeningDecision.PARTNERSHIP_PLUS):
    Screening.objects.create(
        case=case,
        decision=decision,
        reason="Repeated concerns at the place",
        decided_by=by,
        decided_on=TODAY() - datetime.timedelta(days=60),
    )
    if decision == ScreeningDecision.NO_FURTHER_ACTION:
        case.status = CaseStatus.NO_FURTHER_ACTION
    else:
        case.status = CaseStatus.OPEN
        case.threshold = decision
    case.save()
    return case


def screened_case(*, lead: Any, kind: str = "park") -> ContextCase:
    return case_screen(case_make(lead=lead, kind=kind), by=lead)


def assessment_make(
    case: ContextCase,
    *,
    by: Any,
    ratings: dict[str, int],
    number: int | None = None,
    completed_on: datetime.date | None = None,
) -> Assessment:
    """A completed assessment with these ratings, straight into the database."""
    from ..assessments.services import instrument_for

    instrument = instrument_for(case)
    number = number or case.assessments.count() + 1
    done = completed_on or TODAY() - datetime.timedelta(days=40 - number)
    assessment = Assessment.objects.create(
        case=case,
        kind=instrument.kind,
        number=number,
        started_on=done - datetime.timedelta(days=7),
        completed_on=done,
        assessed_by=by,
    )
    for key in instrument.keys:
        AssessmentArea.objects.create(
            assessment=assessment,
            area=key,
            findings=f"Findings about {key} in assessment {number}",
            rating=ratings.get(key, 3 if instrument.scale.values[-1] == 5 else 2),
        )
    return assessment


def partner_make(**fields: Any) -> Partner:
    fields.setdefault("agency", AgencyFactory())
    return Partner.objects.create(
        name=fields.pop("name", f"Corner Shop {next(_numbers)}"),
        kind=fields.pop("kind", PartnerKind.BUSINESS),
        **fields,
    )
