"""Recording assessments of a context case.

An assessment uses the instrument of the case's subject (`instruments.py`): the three sides of
the triangle for a place or neighbourhood, four areas for a peer group, a school or an online
space. Each area carries findings, strengths, concerns and a rating on the instrument's scale.
A complete assessment rates every area. A case is assessed only after screening with a
threshold. Validate, then write, in one transaction with its audit event.
"""

import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from waymark.accounts.models import User
from waymark.accounts.types import Actor
from waymark.audit.services import audit_record
from waymark.concerns.models import Concern
from waymark.concerns.selectors import concern_list_visible_to

from ..instruments import INSTRUMENTS, TRAFFIC_LIGHT, Instrument, assessment_kind_for
from ..models import (
    Assessment,
    AssessmentArea,
    AssessmentMethod,
    CaseStatus,
    ContextCase,
    ScreeningDecision,
    YoungVoice,
)

TEXT_MAX_LENGTH = 5000
ATTRIBUTION_MAX_LENGTH = YoungVoice._meta.get_field("attributed_to").max_length or 120
CHANGE_PERMISSION = "casework.change_contextcase"


def instrument_for(case: ContextCase) -> Instrument:
    return INSTRUMENTS[
        assessment_kind_for(subject_kind=case.subject_kind, is_school=case.is_school)
    ]


def rating_message(instrument: Instrument, key: str) -> str:
    """What to do about a missing or out-of-scale rating, naming the area and the scale."""
    title = instrument.area(key).title
    name = title[0].lower() + title[1:]
    if instrument.scale == TRAFFIC_LIGHT:
        return f"Choose red, amber or green for {name}"
    values = instrument.scale.values
    return f"Rate {name} from {values[0]} to {values[-1]}"


def case_assessable_error(case: ContextCase) -> str | None:
    """Why this case may not be assessed now, or None."""
    screening = getattr(case, "screening", None)
    if case.status == CaseStatus.NO_FURTHER_ACTION or (
        screening is not None and screening.decision == ScreeningDecision.NO_FURTHER_ACTION
    ):
        return "This case was screened as no further action, so it cannot be assessed"
    if screening is None or not case.threshold:
        return "Screen this case and decide its threshold before assessing it"
    if case.status == CaseStatus.CLOSED:
        return "This case is closed, so it cannot be assessed"
    return None


def worker_who_may_change(actor: Actor) -> User:
    """The signed-in worker making the change, if they may change context cases."""
    if not isinstance(actor, User) or not actor.has_perm(CHANGE_PERMISSION):
        raise PermissionDenied("You may not change context cases")
    return actor


def case_closed_error(case: ContextCase, *, what: str) -> str | None:
    """Why `what` (e.g. "its plan") may no longer be changed because the case is over, or None."""
    if case.status == CaseStatus.CLOSED:
        return f"Case {case.reference} is closed: {what} can no longer be changed"
    if case.status == CaseStatus.NO_FURTHER_ACTION:
        return f"Case {case.reference} is closed with no further action: {what} cannot be changed"
    return None


def is_lead_agency_worker(user: Actor, case: ContextCase) -> bool:
    agency_id = getattr(user, "agency_id", None)
    return agency_id is not None and agency_id == case.lead_agency_id


def lead_worker_who_may_change(actor: Actor, case: ContextCase, *, what: str) -> User:
    """The signed-in worker changing the case's assessments or plan: only the lead agency's
    workers may (PermissionDenied otherwise)."""
    worker = worker_who_may_change(actor)
    if not is_lead_agency_worker(worker, case):
        raise PermissionDenied(
            f"Only workers of the lead agency for case {case.reference} may change {what}"
        )
    return worker


def _rating(value: Any, instrument: Instrument) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        rating = int(value)
    except (TypeError, ValueError):
        return None
    if str(value).strip() != str(rating) and not isinstance(value, int):
        return None
    return rating if rating in instrument.scale.values else None


def _clean_areas(
    instrument: Instrument,
    areas: Mapping[str, Mapping[str, Any]],
    *,
    complete: bool,
    errors: dict[str, list[str]],
) -> list[AssessmentArea]:
    unknown = sorted(set(areas) - set(instrument.keys))
    if unknown:
        errors.setdefault("areas", []).append(
            f"{', '.join(unknown)} {'is not an area' if len(unknown) == 1 else 'are not areas'}"
            f" of the {instrument.kind.label.lower()}: use {', '.join(instrument.keys)}"
        )
    cleaned = []
    for key in instrument.keys:
        given = areas.get(key) or {}
        texts = {
            name: str(given.get(name) or "").strip()
            for name in ("findings", "strengths", "concerns")
        }
        raw = given.get("rating")
        has_anything = any(texts.values()) or raw not in (None, "")
        if not has_anything and not complete:
            continue
        title = instrument.area(key).title
        rating = _rating(raw, instrument)
        if rating is None:
            errors.setdefault(f"{key}_rating", []).append(rating_message(instrument, key))
        if not texts["findings"]:
            errors.setdefault(f"{key}_findings", []).append(
                f"Enter the findings for {title.lower()}"
            )
        for name, text in texts.items():
            if len(text) > TEXT_MAX_LENGTH:
                errors.setdefault(f"{key}_{name}", []).append(
                    f"The {name} for {title.lower()} must be {TEXT_MAX_LENGTH} characters or fewer"
                )
        if rating is not None:
            cleaned.append(AssessmentArea(area=key, rating=rating, **texts))
    return cleaned


def _clean_voices(
    voices: Iterable[Mapping[str, Any]], errors: dict[str, list[str]]
) -> list[YoungVoice]:
    cleaned = []
    for i, voice in enumerate(voices, start=1):
        quote = str(voice.get("quote") or "").strip()
        attributed_to = str(voice.get("attributed_to") or "").strip()
        if not quote:
            if attributed_to:
                errors.setdefault("voices", []).append(
                    f"Enter what the young person said in voice {i}, or clear who said it"
                )
            continue
        if len(quote) > TEXT_MAX_LENGTH:
            errors.setdefault("voices", []).append(
                f"Voice {i} must be {TEXT_MAX_LENGTH} characters or fewer"
            )
        if len(attributed_to) > ATTRIBUTION_MAX_LENGTH:
            errors.setdefault("voices", []).append(
                f"Who said voice {i} must be {ATTRIBUTION_MAX_LENGTH} characters or fewer"
            )
        cleaned.append(YoungVoice(quote=quote, attributed_to=attributed_to))
    return cleaned


def _clean_concerns(
    *, actor: Actor, concerns: Iterable[Concern], errors: dict[str, list[str]]
) -> list[Concern]:
    wanted = {c.pk: c for c in concerns}
    visible = set(
        concern_list_visible_to(user=actor).filter(pk__in=list(wanted)).values_list("pk", flat=True)
    )
    for pk, concern in wanted.items():
        if pk not in visible:
            errors.setdefault("concerns", []).append(
                f"There is no concern with the reference {concern.reference} that you can see:"
                " only concerns you can see may be linked as evidence"
            )
    return [wanted[pk] for pk in sorted(visible)]


def assessment_record(
    *,
    actor: Actor,
    case: ContextCase,
    started_on: datetime.date | None,
    completed_on: datetime.date | None = None,
    methods: Sequence[str] = (),
    areas: Mapping[str, Mapping[str, Any]] | None = None,
    voices: Iterable[Mapping[str, Any]] = (),
    concerns: Iterable[Concern] = (),
    summary: str = "",
) -> Assessment:
    """Record an assessment of the case: complete (every area rated) when `completed_on` is
    given, otherwise in progress with the areas rated so far. Numbered 1, 2, ... per case."""
    worker = lead_worker_who_may_change(actor, case, what="its assessments")
    instrument = instrument_for(case)
    errors: dict[str, list[str]] = {}
    refusal = case_assessable_error(case)
    if refusal:
        raise ValidationError({"case": [refusal]})
    today = timezone.localdate()
    if started_on is None:
        errors["started_on"] = ["Enter the date the assessment started"]
    elif started_on > today:
        errors["started_on"] = ["The date the assessment started must be today or in the past"]
    if completed_on is not None:
        if completed_on > today:
            errors["completed_on"] = [
                "The date the assessment was completed must be today or in the past"
            ]
        elif started_on is not None and completed_on < started_on:
            errors["completed_on"] = [
                "The date the assessment was completed must be on or after the date it started"
            ]
    bad = [m for m in methods if m not in AssessmentMethod.values]
    if bad:
        errors["methods"] = [
            f"{', '.join(map(str, bad))} is not a method: choose from "
            + ", ".join(label.lower() for label in AssessmentMethod.labels)
        ]
    summary = (summary or "").strip()
    if len(summary) > TEXT_MAX_LENGTH:
        errors["summary"] = [f"The summary must be {TEXT_MAX_LENGTH} characters or fewer"]
    area_rows = _clean_areas(
        instrument, areas or {}, complete=completed_on is not None, errors=errors
    )
    voice_rows = _clean_voices(voices, errors)
    evidence = _clean_concerns(actor=actor, concerns=concerns, errors=errors)
    if errors or started_on is None:
        raise ValidationError(errors)

    with transaction.atomic():
        ContextCase.objects.select_for_update().filter(pk=case.pk).first()
        number = (case.assessments.aggregate(n=Max("number"))["n"] or 0) + 1
        assessment = Assessment.objects.create(
            case=case,
            kind=instrument.kind,
            number=number,
            started_on=started_on,
            completed_on=completed_on,
            methods=[m for m in AssessmentMethod.values if m in set(methods)],
            summary=summary,
            assessed_by=worker,
        )
        for row in area_rows:
            row.assessment = assessment
        AssessmentArea.objects.bulk_create(area_rows)
        for voice in voice_rows:
            voice.assessment = assessment
        YoungVoice.objects.bulk_create(voice_rows)
        assessment.concerns.set(evidence)
        audit_record(
            actor=actor,
            action="create",
            obj=assessment,
            changed_fields=[
                "kind",
                "number",
                "started_on",
                "completed_on",
                "methods",
                "summary",
                *(f"areas.{row.area}" for row in area_rows),
                *(["voices"] if voice_rows else []),
                *(["concerns"] if evidence else []),
            ],
            purpose=f"Assessment {number} of {case.reference}",
        )
    return assessment


def assessment_start(
    *,
    actor: Actor,
    case: ContextCase,
    started_on: datetime.date | None,
    methods: Sequence[str] = (),
) -> Assessment:
    """Begin an assessment with no areas rated yet."""
    return assessment_record(actor=actor, case=case, started_on=started_on, methods=methods)
