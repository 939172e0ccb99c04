"""Reads of young people and persons of concern, always scoped to what the user may see.

A young person's record is visible to users whose agency has an active involvement with them,
to a user with a current break-glass access, and to roles that see everyone (panel chairs).
"""

import datetime
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from waymark.accounts.types import Actor
from waymark.audit.models import AuditAction, AuditEvent
from waymark.audit.services import audit_record, audit_record_many
from waymark.core.actors import signed_in_or_none
from waymark.core.crypto import blind_index, words
from waymark.core.references import reference_normalise

from .access import (
    BreakGlass,
    Involvement,
    InvolvementQuerySet,
    InvolvementRequest,
    InvolvementRequestKind,
    InvolvementRequestState,
)
from .models import (
    FAMILY_NAME,
    GIVEN_NAME,
    KNOWN_AS,
    PERSON_OF_CONCERN_NAME,
    PersonOfConcern,
    PersonOfConcernNameWord,
    YoungPerson,
    name_dob_index,
    name_index,
    nhs_number_index,
    registration_index,
)


def _involved_q(user: Actor) -> Q:
    """Young people the user's agency is actively involved with."""
    agency_id = getattr(user, "agency_id", None)
    if agency_id is None:
        return Q(pk__in=[])
    return Q(pk__in=Involvement.objects.active().filter(agency_id=agency_id).values("young_person"))


def _break_glass_q(user: Actor) -> Q:
    signed_in = signed_in_or_none(user)
    if signed_in is None:
        return Q(pk__in=[])
    return Q(pk__in=BreakGlass.objects.current().filter(user=signed_in).values("young_person"))


def young_person_list_visible_to(*, user: Actor) -> QuerySet[YoungPerson]:
    base = YoungPerson.objects.select_related("school", "home_ward")
    if user.has_perm("people.view_all_youngperson"):
        return base
    if user.has_perm("people.view_assigned_youngperson"):
        return base.filter(_involved_q(user) | _break_glass_q(user))
    return base.none()


def young_person_list_changeable_by(*, user: Actor) -> QuerySet[YoungPerson]:
    """Young people the user may change: only those their agency is involved with."""
    if not user.has_perm("people.change_assigned_youngperson"):
        return YoungPerson.objects.none()
    return YoungPerson.objects.filter(_involved_q(user))


def young_person_get_for_recording(*, user: Actor, reference: str) -> YoungPerson:
    """A young person a concern may be recorded about, by reference.

    A practitioner may record about any young person: what they know must reach the agencies
    involved. Recording is not reading (ADR 0010): it gives their agency no access to the record,
    so the young person returned here must be shown to them by reference only.
    """
    if not user.has_perm("concerns.add_concern"):
        raise YoungPerson.DoesNotExist
    return YoungPerson.objects.get(reference=reference_normalise(reference))


def young_person_get_visible_to(*, user: Actor, reference: str) -> YoungPerson:
    return young_person_list_visible_to(user=user).get(reference=reference_normalise(reference))


def _full_name_q(first: str, last: str) -> Q:
    return Q(given_name_index=name_index(first, GIVEN_NAME)) & Q(
        family_name_index=name_index(last, FAMILY_NAME)
    )


def _nhs_number_q(query: str) -> Q | None:
    """An NHS number typed with or without spaces; names are encrypted, so exact matches only."""
    digits = query.replace(" ", "").replace("-", "")
    if len(digits) == 10 and digits.isdigit():
        return Q(nhs_number_index=nhs_number_index(digits))
    return None


DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d.%m.%Y")


def _name_and_birth_date_q(query: str) -> Q | None:
    """ "First Last 14/07/2011": an exact match on name and date of birth, by its blind index."""
    parts = query.split()
    if len(parts) < 3:
        return None
    for fmt in DATE_FORMATS:
        try:
            born = datetime.datetime.strptime(parts[-1], fmt).date()  # noqa: DTZ007 (a date)
        except ValueError:
            continue
        return Q(name_dob_index=name_dob_index(parts[0], parts[-2], born))
    return None


def young_person_search(*, user: Actor, query: str) -> QuerySet[YoungPerson]:
    """By reference, NHS number, name and date of birth, one name (given, family or known-as),
    or "first last".

    Names are encrypted, so they match whole and exactly, ignoring case, accents and spacing,
    through their blind indexes (ADR 0006).
    """
    q = query.strip()
    if not q:
        return YoungPerson.objects.none()
    ref = reference_normalise(q)
    match = Q(reference=ref)
    by_nhs_number = _nhs_number_q(q)
    by_name_and_birth = _name_and_birth_date_q(q)
    if by_nhs_number is not None:
        match |= by_nhs_number
    elif by_name_and_birth is not None:
        match |= by_name_and_birth
    elif len(q.split()) > 1:
        first, *_, last = q.split()
        match |= _full_name_q(first, last)
    else:
        match |= (
            Q(given_name_index=name_index(q, GIVEN_NAME))
            | Q(family_name_index=name_index(q, FAMILY_NAME))
            | Q(known_as_index=name_index(q, KNOWN_AS))
        )
    return young_person_list_visible_to(user=user).filter(match)


def person_of_concern_list_visible_to(*, user: Actor) -> QuerySet[PersonOfConcern]:
    if not user.has_perm("people.view_personofconcern"):
        return PersonOfConcern.objects.none()
    return PersonOfConcern.objects.prefetch_related("vehicles", "flags")


def person_of_concern_get_visible_to(*, user: Actor, reference: str) -> PersonOfConcern:
    return person_of_concern_list_visible_to(user=user).get(
        reference=reference_normalise(reference)
    )


def person_of_concern_search(*, user: Actor, query: str) -> QuerySet[PersonOfConcern]:
    """By reference, vehicle registration, or words of their names and nicknames.

    Names are encrypted, so each word of the query must match a whole word of the names or
    nicknames exactly, ignoring case and accents: "smith" finds "John Smith", "smi" does not
    (ADR 0006).
    """
    q = query.strip()
    if not q:
        return PersonOfConcern.objects.none()
    match = Q(reference=reference_normalise(q)) | Q(
        vehicles__registration_index=registration_index(q)
    )
    query_words = words(q)
    if query_words:
        by_words = Q()
        for word in query_words:
            by_words &= Q(
                pk__in=PersonOfConcernNameWord.objects.filter(
                    word_index=blind_index(word, purpose=PERSON_OF_CONCERN_NAME)
                ).values("person")
            )
        match |= by_words
    return person_of_concern_list_visible_to(user=user).filter(match).distinct()


def risk_summary(concerns: Iterable[Any]) -> list[tuple[str, int]]:
    """How many of these concerns fall in each kind of harm, most frequent first."""
    counts: Counter[str] = Counter()
    for concern in concerns:
        for risk in concern.risks.all():
            counts[risk.get_category_display()] += 1
    return counts.most_common()


@dataclass
class KnownElsewhere:
    """A young person the user may not see: that they exist, by reference. Nothing else, not
    even which agencies are involved (that an agency works with a child is itself sensitive)."""

    reference: str


# Words that are a date of birth: for a child the user may not see they are never matched, or
# trying each day in turn would find the child's date of birth.
def _without_birth_date(parts: list[str]) -> tuple[list[str], bool]:
    if len(parts) >= 3:
        for fmt in DATE_FORMATS:
            try:
                datetime.datetime.strptime(parts[-1], fmt)  # noqa: DTZ007 (a date)
            except ValueError:
                continue
            return parts[:-1], True
    return parts, False


def young_person_known_elsewhere_may_ask(*, user: Actor, query: str) -> bool:
    """Whether a search asks about young people known only to other agencies.

    Only roles that record concerns about children may ask (not analysts or administrators), and
    only with a reference or a given and family name: one name alone would list every namesake.
    """
    if not user.has_perm("concerns.add_concern"):
        return False
    parts = query.split()
    if len(parts) == 1 and reference_normalise(parts[0]).startswith("YP-"):
        return True
    names, _ = _without_birth_date(parts)
    return len(names) >= 2


def young_person_known_elsewhere(*, user: Actor, query: str) -> list[KnownElsewhere]:
    """Young people the user may not see who match a reference, or a given and family name
    exactly: only that they exist, by reference, so that a practitioner does not open a second
    record for a child another agency knows, and can ask for access by break-glass.

    A date of birth in the query is ignored, never matched: otherwise trying each day in turn
    would reveal a hidden child's date of birth. Each check is audited as a search, naming the
    young people found (or that none was), never the words searched for. Callers rate-limit it
    (waymark.core.throttling.KnownElsewhereThrottle).
    """
    if not young_person_known_elsewhere_may_ask(user=user, query=query):
        return []
    names, _ = _without_birth_date(query.strip().split())
    match = Q(reference=reference_normalise(query.strip()))
    if len(names) >= 2:
        match |= _full_name_q(names[0], names[-1])
    hidden = list(
        YoungPerson.objects.filter(match)
        .exclude(pk__in=young_person_list_visible_to(user=user).values("pk"))
        .order_by("reference")[:20]
    )
    purpose = "Known elsewhere: a check for young people known only to other agencies"
    if hidden:
        audit_record_many(actor=user, action=AuditAction.SEARCH, objs=hidden, purpose=purpose)
    else:
        audit_record(
            actor=user,
            action=AuditAction.SEARCH,
            object_type=YoungPerson._meta.label_lower,
            purpose=f"{purpose}: none found",
        )
    return [KnownElsewhere(reference=person.reference) for person in hidden]


def young_person_for_break_glass(*, user: Actor, reference: str) -> YoungPerson | None:
    """The young person a user may open by break-glass: any, given the permission and a reason."""
    if not user.has_perm("people.breakglass_youngperson"):
        return None
    return YoungPerson.objects.filter(reference=reference_normalise(reference)).first()


def young_person_has_involvement(*, reference: str) -> bool | None:
    """Whether any agency is involved with a young person, or None if there is no such young
    person. Which agencies are involved is itself sensitive, so it is not said to the uninvolved."""
    person = YoungPerson.objects.filter(reference=reference_normalise(reference)).first()
    if person is None:
        return None
    return person.involvements.active().exists()


def break_glass_list_for_managers_of(*, user: Actor, days: int = 30) -> QuerySet[BreakGlass]:
    """Break-glass accesses to young people the manager's agency is involved with."""
    agency_id = getattr(user, "agency_id", None)
    if agency_id is None or not user.has_perm("people.view_accesslog_youngperson"):
        return BreakGlass.objects.none()
    since = timezone.now() - datetime.timedelta(days=days)
    return (
        BreakGlass.objects.filter(opened_at__gte=since)
        .filter(young_person__in=YoungPerson.objects.filter(_involved_q(user)))
        .exclude(agency_id=agency_id)
        .select_related("user", "agency", "young_person")
    )


def involvement_list_for(*, user: Actor, young_person: YoungPerson) -> InvolvementQuerySet:
    if not young_person_list_visible_to(user=user).filter(pk=young_person.pk).exists():
        return Involvement.objects.none()
    return Involvement.objects.filter(young_person=young_person).select_related("agency", "worker")


def access_log_for(*, user: Actor, young_person: YoungPerson) -> QuerySet[Any]:
    """Who has seen or changed this young person's record, and why: newest first.

    Covers the record itself, the concerns about them, their involvements, requests to be involved
    and the break-glass accesses to them. Only managers of an involved agency (and panel chairs)
    may read it.
    """
    if not (
        user.has_perm("people.view_accesslog_youngperson")
        and young_person_list_visible_to(user=user).filter(pk=young_person.pk).exists()
    ):
        return AuditEvent.objects.none()

    def ids(qs: Any) -> list[str]:
        return [str(pk) for pk in qs.values_list("pk", flat=True)]

    # Handling code C: a concern's events are the reader's only within its audience, the rule of
    # `concerns.selectors.concern_audience_q`, spelled by field name here since people sits
    # below concerns. Otherwise the log would say the concern exists, who recorded it and when.
    agency_id = getattr(user, "agency_id", None)
    audible = Q(handling_code="P")
    if agency_id is not None:
        audible |= Q(recording_agency_id=agency_id) | Q(handling_agencies__id=agency_id)
    return (
        AuditEvent.objects.filter(
            Q(object_type="people.youngperson", object_id=str(young_person.pk))
            | Q(
                object_type="concerns.concern",
                object_id__in=ids(young_person.concerns.filter(audible).distinct()),
            )
            | Q(object_type="people.involvement", object_id__in=ids(young_person.involvements))
            | Q(object_type="people.breakglass", object_id__in=ids(young_person.break_glass))
            | Q(
                object_type="people.involvementrequest",
                object_id__in=ids(young_person.involvement_requests),
            )
        )
        .select_related("actor", "agency")
        .order_by("-at", "-id")
    )


def agency_involved_with(agency_id: int | None, young_person: YoungPerson) -> bool:
    """Whether the agency has an active involvement with the young person."""
    return (
        agency_id is not None
        and Involvement.objects.active()
        .filter(agency_id=agency_id, young_person=young_person)
        .exists()
    )


def young_person_for_involvement_request(*, user: Actor, reference: str) -> YoungPerson | None:
    """The young person a user may ask their agency to become involved with, by reference.

    Like break-glass, this reaches a record the user cannot see; the request page shows the
    reference only.
    """
    if not user.has_perm("people.add_involvementrequest"):
        return None
    return YoungPerson.objects.filter(reference=reference_normalise(reference)).first()


def involvement_request_may_decide(*, user: Actor, request: InvolvementRequest) -> bool:
    """Who decides: on a request, a manager of another agency involved with the young person; on
    a proposal, a manager of the agency proposed."""
    agency_id = getattr(user, "agency_id", None)
    if agency_id is None or not user.has_perm("people.change_involvementrequest"):
        return False
    if request.kind == InvolvementRequestKind.OFFER:
        return bool(agency_id == request.agency_id)
    return agency_id != request.agency_id and agency_involved_with(agency_id, request.young_person)


def involvement_request_list_awaiting(*, user: Actor) -> QuerySet[InvolvementRequest]:
    """Pending requests the user, a manager, may accept or decline."""
    agency_id = getattr(user, "agency_id", None)
    if agency_id is None or not user.has_perm("people.change_involvementrequest"):
        return InvolvementRequest.objects.none()
    involved = Involvement.objects.active().filter(agency_id=agency_id).values("young_person")
    return (
        InvolvementRequest.objects.filter(state=InvolvementRequestState.PENDING)
        .filter(
            Q(kind=InvolvementRequestKind.OFFER, agency_id=agency_id)
            | (
                Q(kind=InvolvementRequestKind.REQUEST, young_person__in=involved)
                & ~Q(agency_id=agency_id)
            )
        )
        .select_related("agency", "young_person", "requested_by", "requested_by_agency")
    )


def involvement_request_list_visible_to(*, user: Actor) -> QuerySet[InvolvementRequest]:
    """Requests the user may read: those they may decide, and their own agency's."""
    agency_id = getattr(user, "agency_id", None)
    if agency_id is None:
        return InvolvementRequest.objects.none()
    awaiting = involvement_request_list_awaiting(user=user).values("pk")
    return InvolvementRequest.objects.filter(
        Q(pk__in=awaiting) | Q(requested_by_agency_id=agency_id) | Q(agency_id=agency_id)
    ).select_related("agency", "young_person", "requested_by", "requested_by_agency")
