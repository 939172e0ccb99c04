"""Reads of assessments: the case's list, one assessment beside the one before it, its
evidence as the viewer may see it, and a peer group's detected profile with its provenance.

Context cases are the partnership's business: anyone who may view context cases sees them.
Evidence concerns are shown only through the concerns app's `concern_list_visible_to`. Of the
others, only handling code P concerns are counted (a count of 1 to 4 is not shown): a handling
code C concern outside the viewer's audience is never counted or mentioned, so nobody outside
its audience learns that it exists.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet

from waymark.accounts.types import Actor
from waymark.concerns.models import Concern
from waymark.concerns.selectors import concern_list_visible_to, concern_shared_q
from waymark.core.references import reference_normalise
from waymark.core.suppression import count_shown

from ..instruments import Instrument, Scale
from ..models import Assessment, AssessmentArea, ContextCase, SubjectKind
from .services import case_assessable_error, instrument_for, is_lead_agency_worker

VIEW_PERMISSION = "casework.view_contextcase"


def context_case_get_for_casework(*, user: Actor, reference: str) -> ContextCase:
    """A case by reference, for anyone who may view context cases (otherwise DoesNotExist)."""
    if not user.has_perm(VIEW_PERMISSION):
        raise ContextCase.DoesNotExist
    return ContextCase.objects.select_related(
        "place", "peer_group", "online_space", "neighbourhood", "lead_agency", "screening"
    ).get(reference=reference_normalise(reference))


def assessment_list_for_case(*, user: Actor, case: ContextCase) -> QuerySet[Assessment]:
    if not user.has_perm(VIEW_PERMISSION):
        return Assessment.objects.none()
    return (
        Assessment.objects.filter(case=case)
        .select_related("assessed_by")
        .prefetch_related(Prefetch("areas", queryset=AssessmentArea.objects.order_by("id")))
        .order_by("number")
    )


def assessment_get_for_case(*, user: Actor, case: ContextCase, number: int) -> Assessment:
    return (
        assessment_list_for_case(user=user, case=case).prefetch_related("voices").get(number=number)
    )


def rating_label(scale: Scale, rating: int | None) -> str:
    if rating is None:
        return "Not rated"
    return scale.label(rating) if rating in scale.values else str(rating)


def change_text(scale: Scale, before: int | None, after: int | None) -> str:
    """A change of rating in words, e.g. "2 to 4, better". Higher ratings are better on every
    scale (`instruments.py`)."""
    if before is None or after is None:
        return "No earlier rating" if before is None else "Not rated this time"
    short = dict(scale.points)

    def word(value: int) -> str:
        label = short.get(value, str(value))
        return label.split(":")[0]

    direction = "better" if after > before else "worse" if after < before else "no change"
    return f"{word(before)} to {word(after)}, {direction}"


@dataclass(frozen=True)
class AreaComparison:
    key: str
    title: str
    previous_rating: str
    previous_findings: str
    rating: str
    findings: str
    change: str


@dataclass(frozen=True)
class AssessmentComparison:
    previous: Assessment | None
    rows: list[AreaComparison]


def assessment_comparison(*, assessment: Assessment) -> AssessmentComparison:
    """Each area of this assessment beside the same area of the case's assessment before it."""
    instrument = instrument_for(assessment.case)
    previous = (
        Assessment.objects.filter(
            case_id=assessment.case_id, number__lt=assessment.number, kind=assessment.kind
        )
        .prefetch_related("areas")
        .order_by("-number")
        .first()
    )
    now = {a.area: a for a in assessment.areas.all()}
    then = {a.area: a for a in previous.areas.all()} if previous else {}
    rows = []
    for area in instrument.areas:
        this, that = now.get(area.key), then.get(area.key)
        rows.append(
            AreaComparison(
                key=area.key,
                title=area.title,
                previous_rating=rating_label(instrument.scale, that.rating if that else None),
                previous_findings=that.findings if that else "",
                rating=rating_label(instrument.scale, this.rating if this else None),
                findings=this.findings if this else "",
                change=change_text(
                    instrument.scale, that.rating if that else None, this.rating if this else None
                ),
            )
        )
    return AssessmentComparison(previous=previous, rows=rows)


@dataclass(frozen=True)
class Evidence:
    shown: list[Concern]
    others: int | None  # P concerns the viewer may not see; None when 1 to 4 (not shown)
    has_others: bool


def assessment_evidence(*, user: Actor, assessment: Assessment) -> Evidence:
    linked = assessment.concerns.all()
    shown = list(
        concern_list_visible_to(user=user)
        .filter(pk__in=linked.values("pk"))
        .order_by("occurred_on")
    )
    others = linked.filter(concern_shared_q()).exclude(pk__in=[c.pk for c in shown]).count()
    return Evidence(shown=shown, others=count_shown(others), has_others=others > 0)


@dataclass(frozen=True)
class PeerGroupProvenance:
    """A saved peer group's detected profile, and where it came from."""

    name: str
    reference: str
    saved_on: datetime.date
    saved_by_agency: str
    detected_number: int | None = None
    detected_active: bool = False
    vulnerability: str = ""
    reasons: list[str] = field(default_factory=list)
    first_detected: datetime.datetime | None = None
    last_detected: datetime.datetime | None = None
    window_start: datetime.date | None = None
    window_end: datetime.date | None = None


def peer_group_provenance(*, case: ContextCase) -> PeerGroupProvenance | None:
    """For a peer-group case: the detected group it was saved from, its vulnerability and the
    facts behind it, and the detection run that found them. Read only: no names."""
    if case.subject_kind != SubjectKind.PEER_GROUP or case.peer_group is None:
        return None
    group = case.peer_group
    base: dict[str, Any] = {
        "name": group.name,
        "reference": group.reference,
        "saved_on": group.created_at.date(),
        "saved_by_agency": group.created_by_agency.name if group.created_by_agency else "",
    }
    detected = group.detected_group
    if detected is None:
        return PeerGroupProvenance(**base)
    return PeerGroupProvenance(
        **base,
        detected_number=detected.number,
        detected_active=detected.active,
        vulnerability=detected.get_vulnerability_display(),
        reasons=[str(r) for r in detected.reasons or []],
        first_detected=detected.first_detected.computed_at,
        last_detected=detected.last_detected.computed_at,
        window_start=detected.last_detected.window_start,
        window_end=detected.last_detected.window_end,
    )


@dataclass(frozen=True)
class AssessmentsSection:
    case: ContextCase
    instrument: Instrument
    assessments: list[Assessment]
    may_add: bool
    not_yet: str | None  # why the case may not be assessed now

    @property
    def completed(self) -> int:
        return sum(1 for a in self.assessments if a.completed_on)


def assessments_section_for(*, user: Actor, case: ContextCase) -> AssessmentsSection | None:
    """The case page's assessments section (`casework/assessments/_section.html`)."""
    if not user.has_perm(VIEW_PERMISSION):
        return None
    refusal = case_assessable_error(case)
    return AssessmentsSection(
        case=case,
        instrument=instrument_for(case),
        assessments=list(assessment_list_for_case(user=user, case=case)),
        may_add=refusal is None
        and user.has_perm("casework.change_contextcase")
        and is_lead_agency_worker(user, case),
        not_yet=refusal,
    )
