"""Subject access: everything Waymark holds about one young person, for a disclosure officer.

`subject_access_export` writes two files: `<REF>.json` (complete, for further processing) and
`<REF>.html` (the same content, plain and accessible, with no external assets, to read, redact and
release). Neither is the final disclosure: a person reviews both first. To help them:

- other young people and persons of concern never appear by name: each is a marker
  `[REDACT: third party YP-XXXXX]` (or `POC-XXXXX`), so the reviewer knows a third party was there
  and can decide what, if anything, about them may be released;
- free text (narratives, link notes, reasons) has the known names of those third parties replaced
  by their markers, and is flagged `"redaction_review": true` whenever the record names other
  people, because free text can name people Waymark does not know about;
- staff names appear as recorded; the reviewer decides whether any must be withheld.

Producing the export is a share of personal data outside Waymark: it is recorded in the share log
under UK GDPR Article 6(1)(c), legal obligation (answering a subject access request is the
controller's obligation under Article 15, which is not itself a basis for processing), and
audited as an "export" of the young person's record, so it shows in their access log.
"""

import datetime
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from waymark.accounts.models import User
from waymark.accounts.types import Actor
from waymark.audit.models import AuditAction, AuditEvent, LawfulBasis
from waymark.audit.services import audit_record, share_record
from waymark.concerns.models import Association, Concern
from waymark.concerns.selectors import association_audience_q, concern_audience_q
from waymark.core.actors import signed_in_or_none
from waymark.people.models import YoungPerson
from waymark.people.selectors import young_person_get_visible_to

from .permissions import SUBJECT_ACCESS_PERMISSION

FORMAT = "waymark-subject-access/1"
SAR_RECIPIENT = "The data subject (subject access request)"
SAR_PURPOSE = "Subject access request (UK GDPR Article 15)"
# A word this short is too likely to be an ordinary word to replace in free text.
MIN_NAME_LENGTH = 3


def redaction_marker(reference: str) -> str:
    return f"[REDACT: third party {reference}]"


class ThirdParties:
    """The other people a subject's records name, and how to mask them in free text."""

    def __init__(self, subject: Any) -> None:
        self.own_words = {w.lower() for w in _name_words(subject.given_name, subject.family_name)}
        self.own_words |= {w.lower() for w in _name_words(subject.known_as)}
        self.patterns: dict[str, list[str]] = {}  # marker -> names to find

    def add_young_person(self, person: Any) -> str:
        marker = redaction_marker(person.reference)
        if marker not in self.patterns:
            self.patterns[marker] = [
                person.full_name,
                *(w for w in _name_words(person.given_name, person.family_name, person.known_as)),
            ]
        return marker

    def add_person_of_concern(self, person: Any) -> str:
        marker = redaction_marker(person.reference)
        if marker not in self.patterns:
            names = [n.strip() for n in re.split(r"[,;/]", f"{person.names},{person.nicknames}")]
            self.patterns[marker] = [n for n in names if n] + list(
                _name_words(person.names, person.nicknames)
            )
        return marker

    def mask(self, text: str) -> tuple[str, bool]:
        """The text with every known third party's name replaced by their marker."""
        found = False
        pairs = sorted(
            (
                (name, marker)
                for marker, names in self.patterns.items()
                for name in names
                if len(name) >= MIN_NAME_LENGTH and name.lower() not in self.own_words
            ),
            key=lambda pair: -len(pair[0]),
        )
        for name, marker in pairs:
            text, n = re.subn(rf"(?<!\w){re.escape(name)}(?!\w)", marker, text, flags=re.IGNORECASE)
            found = found or n > 0
        return text, found


def _name_words(*values: str) -> Iterable[str]:
    for value in values:
        for word in re.split(r"[\s,;/\"()]+", value or ""):
            if word:
                yield word


def _date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _time(value: datetime.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value is not None else None


def _staff(user: User | None) -> str | None:
    return (user.get_full_name() or user.username) if user is not None else None


def subject_access_document(*, young_person: Any, viewer: Actor | None = None) -> dict[str, Any]:
    """Everything about one young person, with third parties replaced by markers.

    Produced by a `viewer`, it holds only what their handling audience covers: a handling-code C
    concern, and the links only such concerns support, stay with the agencies the concern's
    conditions name (`concerns.selectors.concern_audience_q`); their own agencies answer for them.
    """

    subject = young_person
    parties = ThirdParties(subject)
    review_items = 0
    audible = Q() if viewer is None else concern_audience_q(viewer)
    linkable = Q() if viewer is None else association_audience_q(viewer)

    # Collect the third parties first, so that every piece of free text is masked against all.
    concerns = list(
        Concern.objects.filter(audible, involved__young_person=subject)
        .select_related("place", "recording_agency", "recorded_by")
        .prefetch_related("involved__young_person", "persons_of_concern", "risks")
        .order_by("occurred_on", "id")
        .distinct()
    )
    associations = list(
        Association.objects.filter(linkable)
        .filter(Q(young_person=subject) | Q(other_young_person=subject))
        .select_related(
            "young_person", "other_young_person", "person_of_concern", "recording_agency"
        )
        .order_by("first_seen", "id")
    )
    for concern in concerns:
        for link in concern.involved.all():
            if link.young_person_id != subject.pk:
                parties.add_young_person(link.young_person)
        for person in concern.persons_of_concern.all():
            parties.add_person_of_concern(person)
    for association in associations:
        if association.person_of_concern is not None:
            parties.add_person_of_concern(association.person_of_concern)
        else:
            parties.add_young_person(_other_young_person(association, subject))

    def text(value: str, *, names_others: bool = False) -> dict[str, Any]:
        nonlocal review_items
        masked, found = parties.mask(value or "")
        flagged = bool(value) and (names_others or found)
        review_items += flagged
        return {"text": masked, "redaction_review": flagged}

    concern_rows = []
    for concern in concerns:
        others_yp = [
            {
                "person": redaction_marker(link.young_person.reference),
                "role": link.get_role_display(),
            }
            for link in concern.involved.all()
            if link.young_person_id != subject.pk
        ]
        own_role = next(
            (
                link.get_role_display()
                for link in concern.involved.all()
                if link.young_person_id == subject.pk
            ),
            "",
        )
        others_poc = [redaction_marker(p.reference) for p in concern.persons_of_concern.all()]
        place = concern.place
        concern_rows.append(
            {
                "reference": concern.reference,
                "occurred_on": _date(concern.occurred_on),
                "occurred_time": concern.occurred_time.isoformat()
                if concern.occurred_time
                else None,
                "occurred_approximate": concern.occurred_approximate,
                "recorded_at": _time(concern.recorded_at),
                "recording_agency": concern.recording_agency.name,
                "recorded_by": _staff(concern.recorded_by),
                "place": None
                if place is None
                else {
                    "name": place.name,
                    "kind": place.get_kind_display(),
                    # A residential address is its occupants' personal data too.
                    "redaction_review": place.kind == "residential",
                },
                "role": own_role,
                "risks": [
                    {"category": r.get_category_display(), "indicators": r.indicator_labels}
                    for r in concern.risks.all()
                ],
                "grading": concern.grading,
                "handling_code": concern.get_handling_code_display(),
                "handling_conditions": text(concern.handling_conditions),
                "other_young_people": others_yp,
                "persons_of_concern": others_poc,
                "narrative": text(concern.narrative, names_others=bool(others_yp or others_poc)),
            }
        )

    association_rows = []
    for association in associations:
        poc = association.person_of_concern
        other = poc if poc is not None else _other_young_person(association, subject)
        agency = association.recording_agency
        association_rows.append(
            {
                "with": redaction_marker(other.reference),
                "kind": association.get_kind_display(),
                "reliability": association.get_reliability_display(),
                "first_seen": _date(association.first_seen),
                "last_seen": _date(association.last_seen),
                "review_by": _date(association.review_by),
                "recording_agency": agency.name if agency is not None else None,
                "source_note": text(association.source_note, names_others=True),
            }
        )

    involvements = [
        {
            "agency": i.agency.name,
            "worker": _staff(i.worker),
            "source": i.get_source_display(),
            "purpose": i.purpose,
            "lawful_basis": i.get_lawful_basis_display(),
            "started_on": _date(i.started_on),
            "ended_on": _date(i.ended_on),
        }
        for i in subject.involvements.select_related("agency", "worker").order_by(
            "started_on", "id"
        )
    ]
    break_glass = [
        {
            "user": _staff(b.user),
            "agency": b.agency.name,
            "reason": text(b.reason),
            "opened_at": _time(b.opened_at),
            "expires_at": _time(b.expires_at),
        }
        for b in subject.break_glass.select_related("user", "agency").order_by("opened_at", "id")
    ]
    holds = [
        {
            "placed_at": _time(h.placed_at),
            "placed_by": _staff(h.placed_by),
            "reason": text(h.reason),
            "lifted_at": _time(h.lifted_at),
        }
        for h in subject.legal_holds.select_related("placed_by").order_by("placed_at", "id")
    ]
    access_log = [
        {
            "at": _time(e.at),
            "action": e.get_action_display(),
            "record": _record_label(e, subject, concerns),
            "by": _staff(e.actor) or "Waymark (automatic)",
            "agency": e.agency.name if e.agency else None,
            "purpose": text(e.purpose)["text"],
            "fields": list(e.changed_fields or []),
        }
        for e in _access_events(subject, concerns)
    ]
    school = subject.school
    ward = subject.home_ward
    return {
        "format": FORMAT,
        "generated_at": _time(timezone.now()),
        "notes": [
            "Prepared for review before release. Third parties appear as [REDACT: third party "
            "...] markers; free text flagged redaction_review may name other people.",
            "Staff names appear as recorded; the reviewer decides whether any must be withheld.",
            "Concerns with handling code C carry sharing conditions: consult the recording "
            "agency before release.",
        ],
        "young_person": {
            "reference": subject.reference,
            "given_name": subject.given_name,
            "family_name": subject.family_name,
            "known_as": subject.known_as,
            "date_of_birth": _date(subject.date_of_birth),
            "date_of_birth_estimated": subject.date_of_birth_estimated,
            "gender": subject.get_gender_display(),
            "ethnicity": subject.get_ethnicity_display(),
            "nhs_number": subject.nhs_number,
            "upn": subject.upn,
            "school": school.name if school is not None else None,
            "home_ward": ward.name if ward is not None else None,
            "strengths": text(subject.strengths),
            "own_words": text(subject.own_words),
            "added_on": _time(subject.created_at),
        },
        "concerns": concern_rows,
        "associations": association_rows,
        "involvements": involvements,
        "break_glass": break_glass,
        "legal_holds": holds,
        "access_log": access_log,
        "redaction": {
            "third_parties": sorted(parties.patterns),
            "items_for_review": review_items,
        },
    }


def _other_young_person(association: Any, subject: Any) -> Any:
    if association.young_person_id == subject.pk:
        return association.other_young_person
    return association.young_person


def _access_events(subject: Any, concerns: list[Any]) -> Any:
    """Every audit event about the young person's record, their concerns, involvements,
    break-glass accesses and legal holds, oldest first."""

    def ids(values: Iterable[Any]) -> list[str]:
        return [str(pk) for pk in values]

    return (
        AuditEvent.objects.filter(
            Q(object_type="people.youngperson", object_id=str(subject.pk))
            | Q(object_type="concerns.concern", object_id__in=ids(c.pk for c in concerns))
            | Q(
                object_type="people.involvement",
                object_id__in=ids(subject.involvements.values_list("pk", flat=True)),
            )
            | Q(
                object_type="people.breakglass",
                object_id__in=ids(subject.break_glass.values_list("pk", flat=True)),
            )
            | Q(
                object_type="records.legalhold",
                object_id__in=ids(subject.legal_holds.values_list("pk", flat=True)),
            )
        )
        .select_related("actor", "agency")
        .order_by("at", "id")
    )


def _record_label(event: Any, subject: Any, concerns: list[Any]) -> str:
    if event.object_type == "people.youngperson":
        return f"Young person {subject.reference}"
    if event.object_type == "concerns.concern":
        refs = {str(c.pk): c.reference for c in concerns}
        return f"Concern {refs.get(event.object_id, event.object_id)}"
    kind = {
        "people.involvement": "Involvement",
        "people.breakglass": "Break-glass access",
        "records.legalhold": "Legal hold",
    }
    return f"{kind.get(event.object_type, event.object_type)} {event.object_id}"


@dataclass(frozen=True)
class SubjectAccessExport:
    json_path: Path
    html_path: Path
    document: dict[str, Any]


def _write_private(path: Path, content: str) -> None:
    """Create the file readable by its owner only; never replace one already there."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(content)


@transaction.atomic
def subject_access_export(
    *, actor: Actor | None, reference: str, out_dir: Path, request_reference: str = ""
) -> SubjectAccessExport:
    """Write a young person's subject access files, record the share, and audit the export.

    Refused (PermissionDenied) unless the actor is a manager who may see the young person; a
    young person they may not see is reported as not found, as everywhere else.
    """

    user = signed_in_or_none(actor)
    if user is None or not user.has_perm(SUBJECT_ACCESS_PERMISSION):
        raise PermissionDenied(
            "Only a manager (with the permission to see who has seen a record) can produce a "
            "subject access export"
        )
    try:
        subject = young_person_get_visible_to(user=user, reference=reference)
    except YoungPerson.DoesNotExist:
        raise ValidationError(
            f"No young person {reference} that you may see. An agency involved with them must "
            "produce the export."
        ) from None
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise ValidationError(f"{out_dir} is not a directory")
    json_path = out_dir / f"{subject.reference}.json"
    html_path = out_dir / f"{subject.reference}.html"
    for path in (json_path, html_path):
        if path.exists():
            raise ValidationError(f"{path} already exists: choose another --out directory")

    document = subject_access_document(young_person=subject, viewer=user)
    purpose = SAR_PURPOSE + (f", request {request_reference.strip()}" if request_reference else "")
    share_record(
        actor=actor,
        recipient_organisation=SAR_RECIPIENT,
        purpose=purpose,
        lawful_basis=LawfulBasis.LEGAL_OBLIGATION,
        objs=[subject],
        description=f"Subject access export for {subject.reference}, for review before release",
    )
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=subject,
        changed_fields=[k for k in document if k not in ("format", "generated_at", "notes")],
        purpose=purpose,
    )
    # Written last: if the files cannot be written the share and audit roll back with the error.
    _write_private(json_path, json.dumps(document, indent=2, ensure_ascii=False))
    try:
        _write_private(html_path, render_to_string("records/subject_access.html", {"d": document}))
    except Exception:
        json_path.unlink(missing_ok=True)
        raise
    return SubjectAccessExport(json_path=json_path, html_path=html_path, document=document)
