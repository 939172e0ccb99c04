"""Early warning: a new link that draws a young person towards a group at high risk, or towards a
person of concern with current flags, raises an alert for the agencies involved with them.

Writes (raise, acknowledge) and the reads that feed dashboards live together here because they
are one small topic. The alert's reason names the other child by pseudonymous reference only: it
goes to agencies that may not be involved with that child.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from waymark.accounts.models import User
from waymark.accounts.types import Actor
from waymark.audit.services import audit_record
from waymark.concerns.models import Association, AssociationReview
from waymark.concerns.selectors import association_audience_agencies, association_list_in_audience
from waymark.contexts.models import DetectedGroup, PeerAlert, PeerAlertKind, Vulnerability
from waymark.people.access import Involvement
from waymark.people.models import PersonFlag, YoungPerson


def _link_words(association: Association) -> str:
    return (
        f"{association.get_kind_display().lower()}, {association.get_reliability_display().lower()}"
    )


def _agencies_told(association: Association, young_person: YoungPerson) -> set[int]:
    """The agencies involved with the young person that the link's handling lets know of it.

    A link whose only sources are handling-code C concerns is known to their audience alone, so
    its early warning goes only to involved agencies in that audience.
    """
    involved = set(
        Involvement.objects.active()
        .filter(young_person=young_person)
        .values_list("agency_id", flat=True)
    )
    audience = association_audience_agencies(association=association)
    return involved if audience is None else involved & audience


def _raise(
    *, association: Association, young_person: YoungPerson, kind: str, reason: str, **target: Any
) -> PeerAlert | None:
    agencies = _agencies_told(association, young_person)
    alert, created = PeerAlert.objects.get_or_create(
        association=association,
        young_person=young_person,
        kind=kind,
        defaults={"reason": reason, **target},
    )
    if not created:
        # New evidence can widen who may know of the link (a P concern now supports it).
        told = set(alert.agencies.values_list("pk", flat=True))
        if agencies - told:
            alert.agencies.add(*(agencies - told))
            audit_record(
                actor=None,
                action="update",
                obj=alert,
                changed_fields=["agencies"],
                purpose="Early warning shared as its link's handling allows",
            )
        return None
    alert.agencies.set(agencies)
    audit_record(
        actor=None,
        action="create",
        obj=alert,
        changed_fields=["young_person", "kind", "reason", "agencies"],
        purpose="Early warning raised by a new link",
    )
    return alert


def peer_alerts_on_association(sender: Any, *, association: Association, **kwargs: Any) -> None:
    """The receiver for `concerns.signals.association_recorded`."""
    peer_alerts_raise_for(association=association)


def peer_alerts_raise_for(*, association: Association) -> list[PeerAlert]:
    """Raise the alerts a link calls for, once per link and young person; return the new ones.

    A link past its review-by date, or held for review, is not evidence and raises nothing.
    """
    if (
        association.review_state != AssociationReview.IN_EFFECT
        or association.review_by < timezone.localdate()
    ):
        return []
    raised = []
    other_young_person = association.other_young_person
    person = association.person_of_concern
    if other_young_person is not None:
        pair = (association.young_person, other_young_person)
        for child, other in (pair, pair[::-1]):
            groups = (
                DetectedGroup.objects.filter(
                    active=True,
                    vulnerability=Vulnerability.HIGH,
                    memberships__young_person=other,
                )
                .exclude(memberships__young_person=child)
                .distinct()
            )
            for group in groups:
                facts = "; ".join(group.reasons) if group.reasons else "no facts recorded"
                reason = (
                    f"Newly linked ({_link_words(association)}) to {other.reference}, a member of "
                    f"{group}, whose vulnerability is high: {facts}."
                )
                alert = _raise(
                    association=association,
                    young_person=child,
                    kind=PeerAlertKind.GROUP,
                    reason=reason,
                    detected_group=group,
                )
                if alert is not None:
                    raised.append(alert)
    elif person is not None:
        flags = list(PersonFlag.objects.current().filter(person=person))
        if flags:
            kinds = sorted({flag.get_kind_display().lower() for flag in flags})
            reason = (
                f"Newly linked ({_link_words(association)}) to person of concern "
                f"{person.reference}, who has current flags: {', '.join(kinds)}."
            )
            alert = _raise(
                association=association,
                young_person=association.young_person,
                kind=PeerAlertKind.PERSON_OF_CONCERN,
                reason=reason,
                person_of_concern=person,
            )
            if alert is not None:
                raised.append(alert)
    return raised


def peer_alert_list_for(*, user: Actor, include_acknowledged: bool = False) -> QuerySet[PeerAlert]:
    """Alerts sent to the user's agency."""
    if (
        not isinstance(user, User)
        or user.agency_id is None
        or not user.has_perm("contexts.view_peeralert")
    ):
        return PeerAlert.objects.none()
    agency_id = user.agency_id
    # Handling is checked again on reading: an alert's link must still be one the viewer may
    # know exists.
    alerts = PeerAlert.objects.filter(
        agencies=agency_id, association__in=association_list_in_audience(user=user)
    ).select_related("young_person", "detected_group", "person_of_concern", "association")
    if not include_acknowledged:
        alerts = alerts.filter(acknowledged_at__isnull=True)
    return alerts.distinct()


def peer_alert_acknowledge(*, actor: Actor, alert: PeerAlert, note: str = "") -> PeerAlert:
    """Mark an alert as seen and acted on, by a worker of an agency it was sent to."""
    if (
        not isinstance(actor, User)
        or actor.agency_id is None
        or not actor.has_perm("contexts.change_peeralert")
        or not alert.agencies.filter(pk=actor.agency_id).exists()
    ):
        raise PermissionDenied("This alert was not sent to your agency")
    if alert.acknowledged_at is not None:
        raise ValidationError({"alert": ["This alert has already been acknowledged"]})
    if len(note) > 300:
        raise ValidationError({"note": ["Keep the note to 300 characters or fewer"]})
    alert.acknowledged_at = timezone.now()
    alert.acknowledged_by = actor
    alert.acknowledged_note = note.strip()
    alert.save(update_fields=["acknowledged_at", "acknowledged_by", "acknowledged_note"])
    audit_record(
        actor=actor,
        action="update",
        obj=alert,
        changed_fields=["acknowledged_at", "acknowledged_by", "acknowledged_note"],
    )
    return alert
